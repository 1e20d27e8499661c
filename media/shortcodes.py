"""WordPress shortcodes in imported or pasted bodies: [caption], [gallery], [embed], [youtube],
and our own [image id=N] (what the image admin tells authors to paste).

One grammar (parse_shortcodes) recognises them for everyone who needs to: the renderer here,
the image lookup, blog.rendering (which sets shortcodes aside from Markdown) and the
WordPress import (blog.wxr.content, which keeps block shortcodes out of paragraphs and
pins gallery ids).

Rendered on the source text BEFORE Markdown and sanitising (blog.rendering.render_body):
the output is plain figure/picture markup that the post sanitiser keeps, or, for embeds, a
URL alone in its own paragraph that media.embeds turns into a facade afterwards. Images are
looked up in one query for the whole body (pk, or wp_id for imported attachments: an
image imported from WordPress answers to its WordPress id first).
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import format_html, format_html_join

from media.html import figure_html, picture_html
from media.models import Image

# --- The grammar --------------------------------------------------------------------------

# The shortcodes rendered here ([wp_caption] is WordPress's old name for [caption]); those
# that wrap content up to a closing tag; and WordPress ones we know but keep as text
# ([video], [audio], [playlist] point at files that are not ours to serve).
RENDERED = ("caption", "wp_caption", "embed", "gallery", "youtube", "image")
PAIRED = ("caption", "wp_caption", "embed")
KEPT = ("video", "audio", "playlist")
NAMES = RENDERED + KEPT
# Those that stand as a block of their own (a figure, a gallery, a player), never inside a
# paragraph: the WordPress import's autop starts a block at them.
BLOCK_SHORTCODES = ("caption", "wp_caption", "gallery", "embed", "youtube", "audio", "video")
# Those that show Image rows: a body without one of these never needs re-rendering when
# renditions change (blog.receivers looks for them before parsing).
IMAGE_SHORTCODES = ("gallery", "image", "caption", "wp_caption")

_ATTRS = r"(?:=|\s)[^\]]*"
_SHORTCODE = re.compile(
    r"\[(?P<escaped>\[)?(?:"
    rf"(?P<paired>{'|'.join(PAIRED)})(?P<pattrs>{_ATTRS})?\](?P<inner>.*?)\[/(?P=paired)\]"
    rf"|(?P<closing>/)?(?P<single>{'|'.join(NAMES)})(?P<sattrs>{_ATTRS})?\]"
    r")(?(escaped)\])"
    r"(?!\()",  # `[gallery of photos](https://...)` is a Markdown link, not a shortcode
    re.DOTALL,
)
_WP_IMAGE = re.compile(r"wp-image-(\d+)")
_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class Shortcode:
    """One shortcode as written in a text: `[name attrs]`, or `[name attrs]inner[/name]`."""

    name: str
    attrs: dict[str, str]
    raw_attrs: str  # as written after the name: ` ids="1,2" columns=3`
    inner: str | None  # between the tags of a paired shortcode; None for a single tag
    text: str  # the whole shortcode as written
    start: int
    end: int
    escaped: bool = False  # `[[name]]`: shown as written, less one pair of brackets
    closing: bool = False  # a `[/name]` with no opening tag before it

    @property
    def renders(self) -> bool:
        """Whether it becomes markup: a rendered name, not escaped, and not a stray tag (a
        paired name without its closing tag, or a closing tag alone, stays text)."""
        if self.escaped or self.closing or self.name not in RENDERED:
            return False
        return self.inner is not None or self.name not in PAIRED


def parse_shortcodes(text: str) -> list[Shortcode]:
    """Every shortcode of `text` whose name Dispatch knows (NAMES), in order, none inside
    another: a paired one with its content up to its closing tag, an escaped one
    (`[[gallery]]`) as one, a stray opening or closing tag on its own. Unknown names
    (`[contact-form]`) and Markdown links (`[image of a cat](url)`) are not shortcodes.
    Pure; no match costs no more than looking for a "[" ."""
    if "[" not in (text or ""):
        return []
    return [_shortcode(match) for match in _SHORTCODE.finditer(text)]


def sub_shortcodes(text: str, replace: Callable[[Shortcode], str]) -> str:
    """`text` with each shortcode (parse_shortcodes) replaced by `replace(shortcode)`."""
    return _replaced(text or "", parse_shortcodes(text), replace)


def _replaced(text: str, codes: list[Shortcode], replace: Callable[[Shortcode], str]) -> str:
    if not codes:
        return text
    out, last = [], 0
    for code in codes:
        out.append(text[last:code.start])
        out.append(replace(code))
        last = code.end
    out.append(text[last:])
    return "".join(out)


def _shortcode(match: re.Match) -> Shortcode:
    paired = match.group("paired")
    raw = (match.group("pattrs") if paired else match.group("sattrs")) or ""
    return Shortcode(
        name=paired or match.group("single"), attrs=_attrs(raw), raw_attrs=raw,
        inner=match.group("inner") if paired else None, text=match.group(0), start=match.start(),
        end=match.end(), escaped=bool(match.group("escaped")), closing=bool(match.group("closing")),
    )


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


def _ids(value: str) -> list[int]:
    return [int(v) for v in re.findall(r"\d+", value or "")][:100]


# --- Rendering ------------------------------------------------------------------------------


def image_numbers(text: str) -> set[int]:
    """The image numbers (pk or wp_id) that the shortcodes of `text` show."""
    return _image_numbers(parse_shortcodes(text))


def _image_numbers(codes: list[Shortcode]) -> set[int]:
    numbers: set[int] = set()
    for code in codes:
        if not code.renders:
            continue
        if code.name == "gallery":
            numbers.update(_ids(code.attrs.get("ids", "")))
        elif code.name == "image":
            numbers.update(_ids(code.attrs.get("id", code.attrs.get("0", "")))[:1])
        elif code.name in ("caption", "wp_caption"):
            numbers.update(int(n) for n in _WP_IMAGE.findall(code.inner or ""))
    return numbers


def load_images(numbers: set[int]) -> dict[int, Image]:
    """Images by number: wp_id first (imported content), then pk. One query plus the
    renditions' prefetch, whatever the count; none without numbers. Reads only."""
    if not numbers:
        return {}
    found = list(Image.objects.filter(Q(wp_id__in=numbers) | Q(pk__in=numbers)).prefetch_related("renditions"))
    by_number = {img.pk: img for img in found if img.pk in numbers}
    by_number.update({img.wp_id: img for img in found if img.wp_id in numbers})
    return by_number


def render_shortcodes(text: str, *, images: dict[int, Image] | None = None) -> str:
    """The source with every known shortcode replaced; unknown ones stay as text. Reads
    only: the images come from `images` (load_images, for many bodies at once) or from one
    query for all those this text shows."""
    codes = parse_shortcodes(text)
    if not codes:
        return text or ""
    if images is None:
        images = load_images(_image_numbers(codes))
    return _replaced(text, codes, _Renderer(images))


class _Renderer:
    def __init__(self, images: dict[int, Image]):
        self.images = images
        self.first = True

    def lazy(self) -> bool:
        """The first image of the body loads eagerly (it is likely above the fold)."""
        lazy, self.first = not self.first, False
        return lazy

    def __call__(self, code: Shortcode) -> str:
        if code.escaped:
            return code.text[1:-1]
        if not code.renders:
            return code.text
        name = "caption" if code.name == "wp_caption" else code.name
        return getattr(self, f"render_{name}")(code.attrs, code.inner)

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
