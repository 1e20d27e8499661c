"""Renditions: the resized WebP and JPEG/PNG copies of an image that `srcset` offers.

Made by the worker (media.tasks.make_renditions) or by `regenerate_renditions`, never in a
request: a 24-megapixel decode takes seconds. Safe to run twice: a new set replaces the old
one, whose files are deleted once the replacement commits.
"""

from __future__ import annotations

import io
import logging
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image as PILImage

from media.models import Image, Rendition
from media.validation import ACCEPTED_FORMATS

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)


def renditions_make(*, image: Image, widths=RENDITION_WIDTHS) -> list[Rendition]:
    """(Re)make the renditions of `image` (see render_renditions). Safe to run twice: the
    old set is replaced and its files deleted after commit."""
    with image.file.open("rb") as fh:
        made = render_renditions(fh, widths=widths)
    return _replace_renditions(image, made)


def render_renditions(source, *, widths=RENDITION_WIDTHS) -> list[tuple[int, int, str, bytes]]:
    """(width, height, format, bytes) for each width below the source's (never upscaled), as
    WebP and as a JPEG or PNG fallback. One decode per source: JPEG draft mode decodes at
    the smallest scale still larger than the biggest rendition, then each size is resized
    from the previous one with `reducing_gap`."""
    im = PILImage.open(source, formats=ACCEPTED_FORMATS)
    source_format = im.format
    full_w, full_h = im.size
    targets = sorted((w for w in widths if w < full_w), reverse=True)
    if not targets:
        return []
    if source_format == "JPEG":
        im.draft("RGB", (targets[0], max(1, full_h * targets[0] // full_w)))
    im.load()
    fallback = _fallback_format(im, source_format)
    mode = "RGBA" if fallback == "png" and im.mode in ("RGBA", "LA", "PA", "P") else "RGB"
    current = im.convert(mode) if im.mode != mode else im
    made: list[tuple[int, int, str, bytes]] = []
    for width in targets:
        height = max(1, round(full_h * width / full_w))
        current = current.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
        for fmt in ("webp", fallback):
            buf = io.BytesIO()
            current.save(buf, format=fmt.upper(), **save_params(fmt))
            made.append((width, height, fmt, buf.getvalue()))
    return made


def _fallback_format(im: PILImage.Image, source_format: str) -> str:
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    return "png" if has_alpha or source_format in {"PNG", "GIF"} else "jpeg"


def save_params(fmt: str) -> dict:
    if fmt == "webp":
        return {"quality": 80, "method": 4}
    if fmt == "jpeg":
        return {"quality": 82, "optimize": True, "progressive": True}
    return {"optimize": False, "compress_level": 6}


def _replace_renditions(image: Image, made) -> list[Rendition]:
    stem = PurePath(image.file.name).stem
    old = list(image.renditions.all())
    storage = image.file.storage
    with transaction.atomic():
        Rendition.objects.filter(pk__in=[r.pk for r in old]).delete()
        rows = []
        for width, height, fmt, data in made:
            rendition = Rendition(image=image, width=width, height=height, format=fmt)
            rendition.file.save(f"{stem}-{width}w.{'jpg' if fmt == 'jpeg' else fmt}", ContentFile(data), save=False)
            rows.append(rendition)
        Rendition.objects.bulk_create(rows)
    transaction.on_commit(lambda: delete_files(storage, [r.file.name for r in old]))
    return rows


def delete_files(storage, names) -> None:
    """Delete stored files by name, skipping blanks and files already gone (called after
    commit, so a rolled-back change never loses a file still in use)."""
    for name in names:
        if name:
            try:
                storage.delete(name)
            except OSError:  # already gone: nothing to clean
                logger.info("could not delete %s", name)
