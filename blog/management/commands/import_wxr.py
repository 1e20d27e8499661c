"""`manage.py import_wxr FILE`: import a WordPress export, or an archive from `export_wxr
--with-media` (idempotent; see blog/wxr/)."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from blog.wxr import WxrError, open_archive, parse_wxr, wxr_import
from blog.wxr.archive import is_archive


class Command(BaseCommand):
    help = ("Import a WordPress export (WXR): authors, categories, tags, posts, pages, threaded "
            "comments, old URLs. Running it again updates the same rows and creates nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xml file from WordPress's Tools > Export, or a .zip from "
                                         "export_wxr --with-media (its images come along)")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, then roll back")
        parser.add_argument("--uploads", type=Path, metavar="DIR",
                            help="a copy of the site's wp-content/uploads: attachments found there become "
                                 "images (validated like an upload); nothing is downloaded")

    def handle(self, *args, file: str, dry_run: bool = False, uploads: Path | None = None, **options):
        if uploads is not None and not uploads.is_dir():
            raise CommandError(f"--uploads {uploads}: no such folder")
        with tempfile.TemporaryDirectory(prefix="import-wxr-") as scratch:
            try:
                if Path(file).is_file() and is_archive(file):
                    file, archived = open_archive(file, Path(scratch))
                    uploads = uploads or archived
                with open(file, "rb") as fh:
                    document = parse_wxr(fh)
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
            except WxrError as exc:
                raise CommandError(f"{file} is not a WordPress export we can read: {exc}") from None
            self._import(document, dry_run=dry_run, uploads=uploads, **options)

    def _import(self, document, *, dry_run: bool, uploads: Path | None, **options):
        quiet = options.get("verbosity", 1) == 0
        try:
            with tqdm(total=len(document.items), desc="items", unit="item", disable=quiet,
                      file=getattr(self.stderr, "_out", None)) as bar:
                stats = wxr_import(document=document, progress=bar.update, dry_run=dry_run, uploads=uploads)
        except DatabaseError as exc:  # one transaction: nothing was kept
            raise CommandError(f"The import was rolled back, nothing changed: {exc}") from None
        prefix = "Dry run, nothing saved. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + stats.summary()))
