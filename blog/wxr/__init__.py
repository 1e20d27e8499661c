"""WordPress import and export (WXR 1.0-1.2): `import_wxr FILE` and `export_wxr`.

parse.py reads the file into dataclasses (no ORM); content.py turns WordPress content
(autop, shortcodes) into a Dispatch body; importer.py maps a parsed export onto the
models, idempotently, in one transaction; exporter.py writes WXR 1.2, alone or in a zip
with the images' files (`export_wxr --with-media`), which archive.py opens again for
`import_wxr`.
"""

from blog.wxr.archive import open_archive
from blog.wxr.exporter import wxr_export, wxr_export_archive
from blog.wxr.importer import ImportStats, wxr_import
from blog.wxr.parse import WxrDocument, WxrError, parse_wxr

__all__ = ["ImportStats", "WxrDocument", "WxrError", "open_archive", "parse_wxr", "wxr_export",
           "wxr_export_archive", "wxr_import"]
