"""Opening an export archive (`export_wxr --with-media`): a zip of `export.xml` and the
images' files under `uploads/`. Extracted into a folder the caller owns, member by member:
a name that would land outside it (absolute, `..`) or a file larger than the limits is
refused, so an archive from anywhere cannot write elsewhere or fill the disk."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from blog.wxr.parse import WxrError

ARCHIVE_XML = "export.xml"
ARCHIVE_UPLOADS = "uploads"
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024


def is_archive(path: str | Path) -> bool:
    return zipfile.is_zipfile(path)


def open_archive(path: str | Path, into: Path) -> tuple[Path, Path]:
    """Extract the archive at `path` into the folder `into`; returns the export file and
    the uploads folder. Raises WxrError for an archive that is not ours to read."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if ARCHIVE_XML not in {m.filename for m in members}:
                raise WxrError(f"the archive has no {ARCHIVE_XML}")
            if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
                raise WxrError("the archive is too large")
            for member in members:
                name = PurePosixPath(member.filename)
                if member.is_dir():
                    continue
                if name.is_absolute() or ".." in name.parts or member.file_size > MAX_MEMBER_BYTES:
                    raise WxrError(f"refused archive member {member.filename!r}")
                if str(name) != ARCHIVE_XML and name.parts[0] != ARCHIVE_UPLOADS:
                    continue
                target = into.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, target.open("wb") as dst:
                    dst.write(src.read(MAX_MEMBER_BYTES + 1)[:MAX_MEMBER_BYTES])
    except zipfile.BadZipFile as exc:
        raise WxrError(f"not a readable archive: {exc}") from None
    uploads = into / ARCHIVE_UPLOADS
    uploads.mkdir(exist_ok=True)
    return into / ARCHIVE_XML, uploads
