"""WordPress shortcodes in imported or pasted bodies: [caption], [gallery], [embed], [youtube],
and our own [image id=N] (what the image admin tells authors to paste).

Run on the source text BEFORE Markdown and sanitising (blog.rendering.render_body): the
output is plain figure/picture markup that the post sanitiser keeps, or, for embeds, a URL
alone in its own paragraph that media.embeds turns into a facade afterwards. Images are
looked up in one query for the whole body (pk, or wp_id for imported attachments: an
image imported from WordPress answers to its WordPress id first).
"""

from __future__ import annotations

import html
import re
import shlex

from django.db.models import Q
from django.utils.html import format_html, format_html_join

from media.html import figure_html, picture_html
from media.models import Image

_SHORTCODE = re.compile(
    r"\[(?P<escaped>\[)?(?:"
    r"(?P<paired>caption|embed)(?P<pattrs>(?:=|\s)[^\]]*)?\](?P<inner>.*?)\[/(?P=paired)\]"
    r"|(?P<single>gallery|youtube|image)(?P<sattrs>(?:=|\s)[^\]]*)?\]"
    r")(?(escaped)\])",
    re.DOTALL,
)
_WP_IMAGE = re.compile(r"wp-image-(\d+)")
# The shortcodes that show Image rows: a body without one of these never needs re-rendering
# when renditions change (blog.receivers looks for them before parsing).
IMAGE_SHORTCODES = ("gallery", "image", "caption")
_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def _attrs(raw: str | None) -> dict[str, str]:
    """`ids="1,2" columns=3` → dict; a bare value (`[youtube URL]`, `[youtube=URL]`) is "0"."""
    raw = html.unescape((raw or "").strip())
    if raw.startswith("="):
        return {"0": raw[1:].strip()}
    try:
        tokens = shlex.split(raw)
    except ValueError:
        tokens = raw.split()
    out: dict[str, str] = {}
    for i, token in enumerate(tokens):
        key, sep, value = token.partition("=")
        if sep and re.fullmatch(r"[a-z_]+", key):
            out[key] = value
        else:
            out.setdefault(str(i), token)
    return out


def _parts(match: re.Match) -> tuple[str, dict[str, str], str | None]:
    if match.group("paired"):
        return match.group("paired"), _attrs(match.group("pattrs")), match.group("inner")
    return match.group("single"), _attrs(match.group("sattrs")), None


def _ids(value: str) -> list[int]:
    return [int(v) for v in re.findall(r"\d+", value or "")][:100]


def load_images(numbers: set[int]) -> dict[int, Image]:
    """Images by number: wp_id first (imported content), then pk. One query plus the
    renditions' prefetch, whatever the count; none without numbers. Reads only."""
    if not numbers:
        return {}
    found = list(Image.objects.filter(Q(wp_id__in=numbers) | Q(pk__in=numbers)).prefetch_related("renditions"))
    by_number = {img.pk: img for img in found if img.pk in numbers}
    by_number.update({img.wp_id: img for img in found if img.wp_id in numbers})
    return by_number


class _Renderer:
    def __init__(self, images: dict[int, Image]):
        self.images = images
        self.first = True

    def lazy(self) -> bool:
        """The first image of the body loads eagerly (it is likely above the fold)."""
        lazy, self.first = not self.first, False
        return lazy

    def __call__(self, match: re.Match) -> str:
        if match.group("escaped"):
            return match.group(0)[1:-1]
        name, attrs, inner = _parts(match)
        return getattr(self, f"render_{name}")(attrs, inner)

    def render_image(self, attrs, inner):
        image = self.images.get(next(iter(_ids(attrs.get("id", attrs.get("0", "")))), None))
        return f"\n\n{figure_html(image, lazy=self.lazy())}\n\n" if image else ""

    def render_gallery(self, attrs, inner):
        images = [self.images[n] for n in _ids(attrs.get("ids", "")) if n in self.images]
        if not images:
            return ""
        raw_columns = attrs.get("columns", "3")
        columns = min(max(int(raw_columns), 1), 9) if raw_columns.isdigit() else 3
        sizes = f"(max-width: 640px) 100vw, {max(320, 960 // columns)}px"
        items = format_html_join("", "{}", ((figure_html(img, lazy=self.lazy(), sizes=sizes),) for img in images))
        gallery = format_html('<div class="gallery gallery-columns-{}">{}</div>', columns, items)
        return f"\n\n{gallery}\n\n"

    def render_caption(self, attrs, inner):
        """WordPress: `[caption align=...]<img class="wp-image-N" ...> Text[/caption]`. The
        image is ours (with renditions) when we know it; otherwise the HTML is kept for the
        sanitiser to judge."""
        inner = inner or ""
        media = re.match(r"\s*((?:<a [^>]*>\s*)?<img [^>]*>(?:\s*</a>)?)(.*)", inner, re.DOTALL)
        picture, text = (media.group(1), media.group(2).strip()) if media else ("", inner.strip())
        text = " ".join((attrs.get("caption") or text).split())
        wp = _WP_IMAGE.search(picture)
        image = self.images.get(int(wp.group(1))) if wp else None
        if image is not None:
            picture = picture_html(image, lazy=self.lazy())
        align = attrs.get("align", "")
        align = align if align in ("alignleft", "alignright", "aligncenter", "alignnone") else ""
        caption = f"<figcaption>{text}</figcaption>" if text else ""
        css = f"wp-caption {align}".strip()
        return f'\n\n<figure class="{css}">{picture}{caption}</figure>\n\n'

    def render_embed(self, attrs, inner):
        url = (inner or attrs.get("0", "")).strip()
        return f"\n\n{url}\n\n" if url.startswith(("http://", "https://")) else ""

    def render_youtube(self, attrs, inner):
        value = (attrs.get("0") or attrs.get("id") or inner or "").strip()
        if _YT_ID.match(value):
            value = f"https://www.youtube.com/watch?v={value}"
        # Jetpack appends &w=640&h=385 options; the finder ignores unknown parameters.
        return f"\n\n{value}\n\n" if value.startswith(("http://", "https://")) else ""


def image_numbers(text: str) -> set[int]:
    """The image numbers (pk or wp_id) that the shortcodes of `text` show."""
    numbers: set[int] = set()
    for match in _SHORTCODE.finditer(text or ""):
        name, attrs, inner = _parts(match)
        if name == "gallery":
            numbers.update(_ids(attrs.get("ids", "")))
        elif name == "image":
            numbers.update(_ids(attrs.get("id", attrs.get("0", "")))[:1])
        elif name == "caption":
            numbers.update(int(n) for n in _WP_IMAGE.findall(inner or ""))
    return numbers


def render_shortcodes(text: str, *, images: dict[int, Image] | None = None) -> str:
    """The source with every known shortcode replaced; unknown ones stay as text. Reads
    only: the images come from `images` (load_images, for many bodies at once) or from one
    query for all those this text shows."""
    if "[" not in (text or ""):
        return text or ""
    if not _SHORTCODE.search(text):
        return text
    if images is None:
        images = load_images(image_numbers(text))
    return _SHORTCODE.sub(_Renderer(images), text)
