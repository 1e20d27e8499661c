"""Validating an uploaded image: the checks every upload (admin form, import, embed
thumbnail) passes before anything is stored.

Why so strict: an upload is untrusted bytes that every reader's browser will fetch. We open
it only with an explicit list of raster formats (never SVG, which can carry script), refuse
anything too big in bytes or pixels before decoding (decompression bombs), decode it fully
(truncated and corrupt files fail here, not in a worker), then re-encode it: the stored
original carries no EXIF (GPS), no comments and no trailing bytes (GIF/HTML polyglots), and is
already upright. Every refusal is a ValidationError with a sentence an author understands.
Pure: no database, no storage.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError, features

ACCEPTED_FORMATS = ["JPEG", "PNG", "GIF", "WEBP"] + (["AVIF"] if features.check("avif") else [])
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
# Metadata worth keeping on re-encode: colour and transparency, nothing personal.
_KEPT_INFO = ("icc_profile", "transparency", "duration", "loop")


@dataclass(frozen=True)
class CleanImage:
    """An upload that passed validation, re-encoded and ready to store."""

    content: ContentFile
    width: int
    height: int
    format: str


def _human(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} KB"


def _looks_like_svg(head: bytes, name: str) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or text.startswith(b"<?xml") or b"<svg" in text[:1024]


def validate_image_file(upload, *, name: str = "") -> CleanImage:
    """Check `upload` (a file-like object with bytes) and return it re-encoded.

    Raises ValidationError for: SVG, more than IMAGE_MAX_BYTES, a format not in
    ACCEPTED_FORMATS (whatever the file name says), more than IMAGE_MAX_PIXELS or a Pillow
    decompression-bomb warning, a truncated or corrupt file.
    """
    name = name or getattr(upload, "name", "") or "image"
    size = getattr(upload, "size", None)
    upload.seek(0)
    data = upload.read(settings.IMAGE_MAX_BYTES + 1) if size is None else None
    if size is None:
        size = len(data)
    if size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; the limit is %(limit)s. Export a smaller image and try again.",
            code="too_big", params={"size": _human(size), "limit": _human(settings.IMAGE_MAX_BYTES)},
        )
    if data is None:
        upload.seek(0)
        data = upload.read()
    if _looks_like_svg(data[:2048], name):
        raise ValidationError("SVG images are not accepted (they can carry scripts). Upload a PNG or JPEG.",
                              code="svg")
    with warnings.catch_warnings():
        # Pillow only warns about a decompression bomb below twice its limit: make it a refusal.
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            im = PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
            raise ValidationError("This image has too many pixels to process safely.", code="too_many_pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                "This file is not an image we accept. Upload a JPEG, PNG, GIF or WebP%(avif)s file.",
                code="not_an_image", params={"avif": " (or AVIF)" if "AVIF" in ACCEPTED_FORMATS else ""},
            ) from None
        width, height = im.size
        if width * height > settings.IMAGE_MAX_PIXELS:
            raise ValidationError(
                "This image is %(w)s×%(h)s pixels; the limit is %(limit)s megapixels.",
                code="too_many_pixels",
                params={"w": width, "h": height, "limit": round(settings.IMAGE_MAX_PIXELS / 1_000_000)},
            )
        # An animation decodes every frame at full size: the limit is on all of them together
        # (a 3 KB GIF of 61 one-megapixel frames is 61 megapixels). Counting frames reads
        # their headers only, nothing is decoded yet.
        frames = _frame_count(im)
        if width * height * frames > settings.IMAGE_MAX_PIXELS:
            raise ValidationError(
                "This animation has %(n)s frames of %(w)s×%(h)s pixels; the limit is %(limit)s megapixels "
                "for all frames together.",
                code="too_many_pixels",
                params={"n": frames, "w": width, "h": height, "limit": round(settings.IMAGE_MAX_PIXELS / 1_000_000)},
            )
        try:
            im.load()
            content, fmt, size_out = _reencode(im)
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
            raise ValidationError("This image has too many pixels to process safely.", code="too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError("This image file is damaged or incomplete (truncated). Export it again and retry.",
                                  code="corrupt") from None
    stem = PurePath(name).stem[:80] or "image"
    content.name = f"{stem}.{_EXTENSIONS[fmt]}"
    return CleanImage(content=content, width=size_out[0], height=size_out[1], format=fmt)


def _frame_count(im: PILImage.Image) -> int:
    try:
        return max(1, int(getattr(im, "n_frames", 1)))
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError("This image file is damaged or incomplete (truncated). Export it again and retry.",
                              code="corrupt") from None


def _reencode(im: PILImage.Image) -> tuple[ContentFile, str, tuple[int, int]]:
    """Upright, metadata-free copy of a loaded image, in its own format."""
    fmt = im.format
    animated = getattr(im, "n_frames", 1) > 1 and fmt in {"GIF", "WEBP"}
    kept = {k: im.info[k] for k in _KEPT_INFO if k in im.info}
    out = io.BytesIO()
    if animated:
        # The writer reads the frames from the source one at a time (we make no list of
        # copies); the total-pixel limit bounds what the GIF writer itself keeps. Only the
        # kept timing survives: no comment, XMP or trailing bytes.
        im.seek(0)
        size = im.size
        im.save(out, format=fmt, save_all=True, comment=b"", xmp=b"", **kept)
    else:
        upright = ImageOps.exif_transpose(im) or im
        upright.info = {}
        if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        params = {"quality": 90, "optimize": True} if fmt in {"JPEG", "WEBP", "AVIF"} else {}
        upright.save(out, format=fmt, **params, **kept)
        size = upright.size
    return ContentFile(out.getvalue()), fmt, size
