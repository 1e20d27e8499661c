"""Turning WordPress post content into a Dispatch body.

WordPress stores post content with "autop" left for display time (blank lines are
paragraphs) and shortcodes (`[caption]`, `[gallery]`, `[embed]`). The body we keep is
HTML whose every chunk starts with a block tag (or a block shortcode, which
media.shortcodes renders), so the Markdown renderer (raw HTML on) passes it through and
nh3 sanitises it. Shortcodes are recognised by media.shortcodes.parse_shortcodes, the one
grammar the renderer uses too. Pure functions: no ORM, no network.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from media.shortcodes import BLOCK_SHORTCODES, Shortcode, parse_shortcodes, sub_shortcodes

BLOCK_TAGS = (
    "address|article|aside|blockquote|canvas|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form|"
    "h[1-6]|header|hr|li|main|nav|noscript|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|video|"
    "audio|iframe|script|style|map|area|math|svg|select|option|legend|caption|colgroup|col|summary"
)
# Where a chunk stops being paragraph text: a block tag, an HTML comment (Gutenberg), or a
# shortcode that renders as a block (figure, gallery, embed: _block_start).
_BLOCK_TAG = re.compile(rf"<!--|</?(?:{BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_PINNED = re.compile(r"\b(?:ids|include)\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    """What an export says about one attachment; the file itself is not downloaded."""

    wp_id: int
    url: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent_wp_id: int = 0


def pin_gallery_ids(text: str, *, post_wp_id: int, attachments: dict[int, Attachment]) -> str:
    """`[gallery]` without ids means "the images attached to this post" in WordPress, a
    relation Dispatch does not keep: write the ids into the shortcode while we know them."""
    ids = ",".join(str(a.wp_id) for a in sorted(attachments.values(), key=lambda a: a.wp_id)
                   if a.parent_wp_id == post_wp_id)
    if not ids:
        return text

    def pin(code: Shortcode) -> str:
        if code.name != "gallery" or code.escaped or code.closing or _PINNED.search(code.raw_attrs):
            return code.text
        return f'[gallery ids="{ids}"{code.raw_attrs}]'

    return sub_shortcodes(text, pin)


def _block_start(chunk: str) -> int | None:
    """Where the first block tag or block shortcode of `chunk` starts (None: all text)."""
    starts = [code.start for code in parse_shortcodes(chunk)
              if code.name in BLOCK_SHORTCODES and not code.escaped and not code.closing]
    tag = _BLOCK_TAG.search(chunk)
    if tag:
        starts.append(tag.start())
    return min(starts, default=None)


def autop(text: str) -> str:
    """WordPress's wpautop, reduced to what the renderer needs: in each blank-line-separated
    chunk, the text before its first block tag becomes a <p> (single newlines <br>), and
    the rest, from that block tag on, is kept as it is. Running it twice changes nothing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Blank lines inside <pre> are content, not paragraph breaks.
    pres: list[str] = []

    def _stash(m: re.Match) -> str:
        pres.append(m[0])
        return f"<pre>\x00{len(pres) - 1}\x00</pre>"

    text = _PRE.sub(_stash, text)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    out = []
    for chunk in chunks:
        block = _block_start(chunk)
        text, rest = (chunk[:block], chunk[block:]) if block is not None else (chunk, "")
        if text.strip():
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", text.strip()) + "</p>")
        if rest:  # from its first block tag on, a chunk is HTML the renderer passes through
            out.append(rest)
    body = "\n\n".join(out)
    return re.sub(r"<pre>\x00(\d+)\x00</pre>", lambda m: pres[int(m[1])], body)


def wp_content_to_body(text: str, *, post_wp_id: int = 0, attachments: dict[int, Attachment] | None = None) -> str:
    """The body we store for a WordPress post's content. Shortcodes stay in it: the
    renderer (media.shortcodes) resolves them each time the body is rendered, so a gallery
    shows its images once they exist as `Image` rows with the attachments' `wp_id`."""
    return autop(pin_gallery_ids(text or "", post_wp_id=post_wp_id, attachments=attachments or {}))


# Dated updates travel inside the post's content as blocks of their own, in Gutenberg's
# comment syntax: WordPress shows their HTML as it is (an unknown block renders its inner
# HTML), and the import reads them back into `PostUpdate` rows.
UPDATE_BLOCK = "dispatch/update"
_UPDATE = re.compile(
    rf'\n*<!-- wp:{UPDATE_BLOCK} \{{"date":"(?P<date>[^"]+)"\}} -->\s*'
    r'<div class="post-update">\s*<h2>[^<]*</h2>\s*(?P<html>.*?)\s*</div>\s*'
    rf"<!-- /wp:{UPDATE_BLOCK} -->\n*",
    re.DOTALL,
)


@dataclass(frozen=True)
class UpdateBlock:
    """A dated update as the content carries it: its time (ISO 8601) and its HTML."""

    date: str
    html: str


def update_block(*, date_iso: str, heading: str, html: str) -> str:
    """One dated update as a content block (see UPDATE_BLOCK)."""
    return (f'\n\n<!-- wp:{UPDATE_BLOCK} {{"date":"{date_iso}"}} -->\n<div class="post-update">\n'
            f"<h2>{heading}</h2>\n{html.strip()}\n</div>\n<!-- /wp:{UPDATE_BLOCK} -->")


def split_updates(content: str) -> tuple[str, list[UpdateBlock]]:
    """A post's content without its update blocks, and those blocks in order."""
    updates = [UpdateBlock(date=m["date"], html=m["html"]) for m in _UPDATE.finditer(content or "")]
    return _UPDATE.sub("\n\n", content or "").strip("\n") if updates else content, updates


def uploads_path(url: str) -> str:
    """Where an attachment's file sits in a copy of the uploads folder (or in an export
    archive's `uploads/`): the URL's path after /wp-content/uploads/, /uploads/ or /files/,
    else its whole path."""
    path = unquote(urlsplit(url).path)
    marker = next((m for m in ("/wp-content/uploads/", "/uploads/", "/files/") if m in path), None)
    return path.split(marker, 1)[1] if marker else path.lstrip("/")
