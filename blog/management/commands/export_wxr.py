"""`manage.py export_wxr [FILE] [--with-media]`: write every post and page as WordPress
WXR 1.2 (with `--with-media`: a zip of the file and the images' originals)."""

import contextlib
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from blog.models import Post
from blog.wxr import wxr_export, wxr_export_archive


def _open_private(path: str, mode: str = "w"):
    """Open `path` for writing, owner-only (it holds e-mail and IP addresses), also when
    the file was already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    if "b" in mode:
        return open(fd, mode)  # noqa: SIM115 - closed by the caller's ExitStack
    return open(fd, mode, encoding="utf-8")  # noqa: SIM115 - closed by the caller's ExitStack


class Command(BaseCommand):
    help = ("Export posts, pages, authors, categories, tags and comments as WordPress WXR 1.2 (to FILE or "
            "stdout). The file holds drafts and commenters' e-mail and IP addresses: keep it private.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="where to write ('-' or nothing: stdout)")
        parser.add_argument("--site-url", default=None, help="absolute URL the links point to (default: SITE_URL)")
        parser.add_argument("--with-media", action="store_true",
                            help="write a zip archive: the export and the images' files (import_wxr reads it)")

    def handle(self, *args, file: str = "-", site_url=None, with_media: bool = False, **options):
        to_stdout = file == "-"
        if with_media and to_stdout:
            raise CommandError("--with-media writes an archive: give a FILE (e.g. export.zip).")
        with contextlib.ExitStack() as stack:
            try:
                out = self.stdout if to_stdout else stack.enter_context(
                    _open_private(file, "wb" if with_media else "w"))
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror or exc}") from None
            bar = stack.enter_context(tqdm(
                total=Post.objects.count(), desc="items", unit="item",
                disable=to_stdout or options.get("verbosity", 1) == 0, file=getattr(self.stderr, "_out", sys.stderr),
            ))
            export = wxr_export_archive if with_media else wxr_export
            n = export(out=out, site_url=site_url, progress=bar.update)
        if not to_stdout:
            media = " with the images' files" if with_media else ""
            self.stdout.write(self.style.SUCCESS(f"Exported {n} posts and pages{media} to {file}."))
