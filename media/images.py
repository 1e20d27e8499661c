"""Images: Pillow validation on upload, renditions, and the <picture> HTML readers get.

Why so strict: an upload is untrusted bytes that every reader's browser will fetch. We open
it only with an explicit list of raster formats (never SVG, which can carry script), refuse
anything too big in bytes or pixels before decoding (decompression bombs), decode it fully
(truncated and corrupt files fail here, not in a worker), then re-encode it: the stored
original carries no EXIF (GPS), no comments and no trailing bytes (GIF/HTML polyglots), and is
already upright. Every refusal is a ValidationError with a sentence an author understands.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.html import format_html, format_html_join
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence, UnidentifiedImageError, features

from config.helpers import absolute_url
from media.models import Image, Rendition

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ["JPEG", "PNG", "GIF", "WEBP"] + (["AVIF"] if features.check("avif") else [])
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
DEFAULT_SIZES = "(max-width: 960px) 100vw, 960px"
THUMBNAIL_WIDTH = 320
THUMBNAIL_SIZES = "(max-width: 600px) 100vw, 10rem"  # as media.css lays it out
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
_MIME = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "avif": "image/avif"}
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


def _reencode(im: PILImage.Image) -> tuple[ContentFile, str, tuple[int, int]]:
    """Upright, metadata-free copy of a loaded image, in its own format."""
    fmt = im.format
    animated = getattr(im, "n_frames", 1) > 1 and fmt in {"GIF", "WEBP"}
    kept = {k: im.info[k] for k in _KEPT_INFO if k in im.info}
    out = io.BytesIO()
    if animated:
        # Frames are re-encoded one by one; no comment or trailing bytes survive.
        frames = [frame.copy() for frame in ImageSequence.Iterator(im)]
        for frame in frames:
            frame.info = {}
        frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], **kept)
        size = frames[0].size
    else:
        upright = ImageOps.exif_transpose(im) or im
        upright.info = {}
        if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        params = {"quality": 90, "optimize": True} if fmt in {"JPEG", "WEBP", "AVIF"} else {}
        upright.save(out, format=fmt, **params, **kept)
        size = upright.size
    return ContentFile(out.getvalue()), fmt, size


# --- Services ----------------------------------------------------------------------------


def image_create(*, upload, alt: str, caption: str = "", credit: str = "", uploaded_by=None) -> Image:
    """Validate, store and queue renditions for a new image (atomic; renditions after commit)."""
    clean = validate_image_file(upload)
    with transaction.atomic():
        image = Image(alt=alt, caption=caption, credit=credit, uploaded_by=uploaded_by)
        image.file.save(clean.content.name, clean.content, save=False)
        image.save()
        queue_renditions(image)
    return image


def queue_renditions(image: Image) -> None:
    """Make renditions in the worker once the image row is committed."""
    from config.helpers import enqueue_on_commit
    from media.tasks import make_renditions

    enqueue_on_commit(make_renditions, image.pk)


def image_delete(*, image: Image) -> None:
    """Delete the image row, then its original and rendition files once the delete commits."""
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: delete_files(storage, names))


def delete_files(storage, names) -> None:
    for name in names:
        if name:
            try:
                storage.delete(name)
            except OSError:  # already gone: nothing to clean
                logger.info("could not delete %s", name)


def _fallback_format(im: PILImage.Image, source_format: str) -> str:
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    return "png" if has_alpha or source_format in {"PNG", "GIF"} else "jpeg"


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


# --- HTML --------------------------------------------------------------------------------


def _img(attrs: dict) -> str:
    return format_html("<img{}>", format_html_join("", ' {}="{}"', attrs.items()))


def _srcset(renditions, fmt: str) -> str:
    return ", ".join(f"{r.file.url} {r.width}w" for r in renditions if r.format == fmt)


def picture_html(image: Image, *, lazy: bool = True, sizes: str = DEFAULT_SIZES, css_class: str = "") -> str:
    """`<picture>` with a WebP source and a JPEG/PNG fallback `srcset`; `width`/`height` from
    the original so the page never shifts; the original alone until renditions exist.
    Uses `image.renditions.all()`: prefetch it when rendering many images."""
    renditions = sorted(image.renditions.all(), key=lambda r: r.width)
    fallback = next((r.format for r in renditions if r.format != "webp"), None)
    attrs = {
        "src": image.file.url, "alt": image.alt, "width": image.width, "height": image.height,
        "decoding": "async",
    }
    if lazy:
        attrs["loading"] = "lazy"
    if css_class:
        attrs["class"] = css_class
    if not renditions or fallback is None:
        return _img(attrs)
    attrs["srcset"] = _srcset(renditions, fallback) + f", {image.file.url} {image.width}w"
    attrs["sizes"] = sizes
    img = _img(attrs)
    source = format_html('<source type="image/webp" srcset="{}" sizes="{}">', _srcset(renditions, "webp"), sizes)
    return format_html("<picture>{}{}</picture>", source, img)


def figure_html(image: Image, *, lazy: bool = True, sizes: str = DEFAULT_SIZES, css_class: str = "") -> str:
    """A figure with the picture, its caption and credit (`css_class` is added to the
    figure's "wp-caption")."""
    caption = ""
    if image.caption or image.credit:
        credit = format_html(' <span class="credit">{}</span>', image.credit) if image.credit else ""
        caption = format_html("<figcaption>{}{}</figcaption>", image.caption, credit)
    classes = f"wp-caption {css_class}".strip()
    return format_html('<figure class="{}">{}{}</figure>', classes, picture_html(image, lazy=lazy, sizes=sizes),
                       caption)


def thumbnail_html(image: Image, *, width: int = THUMBNAIL_WIDTH, sizes: str = THUMBNAIL_SIZES) -> str:
    """A small, lazy picture for post lists: only renditions up to twice `width` (enough for
    high-density screens), the smallest fitting one as `src`, and `width`/`height` of the
    displayed size so the list never shifts. The original until renditions exist.
    Uses `image.renditions.all()`: prefetch it for a list."""
    small = [r for r in image.renditions.all() if r.width <= 2 * width]
    fallback = next((r.format for r in small if r.format != "webp"), None)
    shown = min(width, image.width or width)
    attrs = {
        "src": image.file.url, "alt": image.alt, "width": shown,
        "height": round((image.height or shown) * shown / (image.width or shown)),
        "loading": "lazy", "decoding": "async", "class": "thumbnail",
    }
    if fallback is None:
        return _img(attrs)
    fallbacks = sorted((r for r in small if r.format == fallback), key=lambda r: r.width)
    attrs["src"] = fallbacks[0].file.url
    attrs["srcset"] = _srcset(fallbacks, fallback)
    attrs["sizes"] = sizes
    img = _img(attrs)
    webp = sorted((r for r in small if r.format == "webp"), key=lambda r: r.width)
    source = format_html('<source type="image/webp" srcset="{}" sizes="{}">', _srcset(webp, "webp"), sizes) if webp else ""
    return format_html('<picture class="thumbnail">{}{}</picture>', source, img)


def best_rendition(image: Image, *, width: int = 1280, formats=("jpeg", "png")) -> Rendition | None:
    """The rendition closest to `width` in a widely readable format (for og:image, feeds)."""
    candidates = [r for r in image.renditions.all() if r.format in formats]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (abs(r.width - width), -r.width))


def absolute_image_url(image: Image, request=None, *, width: int | None = None) -> str:
    """An absolute URL for feeds and e-mails: the rendition nearest `width` or the original."""
    rendition = best_rendition(image, width=width) if width else None
    return absolute_url(rendition.file.url if rendition else image.file.url, request)


OG_IMAGE_WIDTH = 1280


@dataclass(frozen=True)
class SharedImage:
    """What `og:image` and JSON-LD say about a post's picture: an absolute URL and, when
    known, its size (so link previews lay out before fetching it), type and alt text."""

    url: str
    width: int | None
    height: int | None
    mime_type: str
    alt: str
    file: object = field(default=None, compare=False, repr=False)  # the FieldFile, for its size


def og_image(image: Image | None, request=None) -> SharedImage | None:
    """A ~1280 px JPEG/PNG rendition of `image` (social sites refuse WebP or huge files),
    or the original until renditions exist; None without an image or file."""
    if image is None or not image.file:
        return None
    rendition = best_rendition(image, width=OG_IMAGE_WIDTH)
    if rendition is not None:
        width, height, fmt, file = rendition.width, rendition.height, rendition.format, rendition.file
    else:
        width, height, file = image.width, image.height, image.file
        fmt = PurePath(image.file.name).suffix.lstrip(".").lower().replace("jpg", "jpeg")
    url = absolute_image_url(image, request, width=OG_IMAGE_WIDTH)
    return SharedImage(url=url, width=width, height=height, mime_type=mime_type(fmt), alt=image.alt, file=file)


def og_image_url(image: Image | None, request=None) -> str:
    """`og:image` for a post: the absolute URL of og_image(); "" without an image."""
    shared = og_image(image, request)
    return shared.url if shared else ""


_URL_ATTR = re.compile(r'\b(src|href|srcset)="([^"]*)"')


def absolute_media_urls(html: str, *, base: str | None = None) -> str:
    """Stored body HTML with its site-relative src/href/srcset URLs made absolute, for feeds
    and e-mails (feed readers cannot resolve "/media/..."). `base` defaults to SITE_URL."""
    base = (base or settings.SITE_URL).rstrip("/")

    def absolute(url: str) -> str:
        return base + url if url.startswith("/") and not url.startswith("//") else url

    def replace(match: re.Match) -> str:
        name, value = match.groups()
        if name == "srcset":
            value = ", ".join(absolute(part.strip()) for part in value.split(","))
        else:
            value = absolute(value)
        return f'{name}="{value}"'

    return _URL_ATTR.sub(replace, html)


def mime_type(fmt: str) -> str:
    return _MIME.get(fmt.lower(), "application/octet-stream")
