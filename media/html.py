"""The HTML readers get for an image: `<picture>` with WebP and JPEG/PNG `srcset`s, the
figure with its caption and credit, list thumbnails, and the absolute URLs and sizes that
feeds, mails and link previews (`og:image`) need.

Reads only: each function uses `image.renditions.all()`, so callers prefetch
`renditions` when they show many images (one query for all of them, not one per image).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.utils.html import format_html, format_html_join

from config.helpers import absolute_url
from media.models import Image, Rendition

DEFAULT_SIZES = "(max-width: 960px) 100vw, 960px"
THUMBNAIL_WIDTH = 320
THUMBNAIL_SIZES = "(max-width: 600px) 100vw, 10rem"  # as media.css lays it out
_MIME = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "avif": "image/avif"}


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
