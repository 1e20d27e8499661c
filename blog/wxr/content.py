"""Turning WordPress post content into a Dispatch body.

WordPress stores post content with "autop" left for display time (blank lines are
paragraphs) and shortcodes (`[caption]`, `[gallery]`, `[embed]`). The body we keep is
HTML whose every block starts with a block tag, so the Markdown renderer (raw HTML on)
passes it through untouched and nh3 sanitises it. Pure functions: no ORM, no network.
"""

import html
import re
from dataclasses import dataclass

BLOCK_TAGS = (
    "address|article|aside|blockquote|canvas|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form|"
    "h[1-6]|header|hr|li|main|nav|noscript|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|video|"
    "audio|iframe|script|style|map|area|math|svg|select|option|legend|caption|colgroup|col|summary"
)
_BLOCK_TAG = re.compile(rf"<!--|</?(?:{BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_SHORTCODE_ATTR = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_CAPTION = re.compile(r"\[(?:wp_)?caption([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.IGNORECASE | re.DOTALL)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]", re.IGNORECASE)
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.IGNORECASE | re.DOTALL)
_CAPTION_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Attachment:
    """What an export says about one attachment; the file itself is not downloaded."""

    wp_id: int
    url: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent_wp_id: int = 0


def shortcode_attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): m[2] if m[2] is not None else m[3] if m[3] is not None else m[4]
            for m in _SHORTCODE_ATTR.finditer(text)}


def _figure(media: str, caption: str, css: str) -> str:
    caption_html = f"<figcaption>{caption.strip()}</figcaption>" if caption.strip() else ""
    return f'<figure class="{css}">{media.strip()}{caption_html}</figure>'


def _caption(match: re.Match) -> str:
    attrs = shortcode_attrs(match[1])
    inner = match[2].strip()
    found = _CAPTION_MEDIA.match(inner)
    media, text = (found[1], found[2]) if found else (inner, "")
    align = attrs.get("align", "").strip()
    css = "wp-caption" + (f" {align}" if re.fullmatch(r"align\w+", align) else "")
    return _figure(media, attrs.get("caption") or text, css)


def _gallery_html(attrs: dict[str, str], post_wp_id: int, attachments: dict[int, Attachment]) -> str:
    ids = [int(i) for i in re.findall(r"\d+", attrs.get("ids", "") or attrs.get("include", ""))]
    if not ids:  # WordPress's default: the images attached to this post, in upload order
        ids = sorted(a.wp_id for a in attachments.values() if a.parent_wp_id == post_wp_id)
    items = []
    for wp_id in ids:
        att = attachments.get(wp_id)
        if att is None:
            continue
        img = f'<img src="{html.escape(att.url)}" alt="{html.escape(att.alt or att.title)}">'
        items.append(_figure(img, html.escape(att.caption), "gallery-item"))
    return f'<div class="gallery">{"".join(items)}</div>' if items else ""


def expand_shortcodes(text: str, *, post_wp_id: int = 0, attachments: dict[int, Attachment] | None = None) -> str:
    """[caption] -> <figure> with <figcaption>; [gallery ids=...] -> figures built from the
    export's attachments; [embed]URL[/embed] -> the URL alone on its line (our embeds)."""
    attachments = attachments or {}
    text = _CAPTION.sub(_caption, text)
    text = _GALLERY.sub(lambda m: "\n\n" + _gallery_html(shortcode_attrs(m[1]), post_wp_id, attachments) + "\n\n",
                        text)
    return _EMBED.sub(lambda m: "\n\n" + m[1].strip() + "\n\n", text)


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
        block = _BLOCK_TAG.search(chunk)
        text, rest = (chunk[: block.start()], chunk[block.start():]) if block else (chunk, "")
        if text.strip():
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", text.strip()) + "</p>")
        if rest:  # from its first block tag on, a chunk is HTML the renderer passes through
            out.append(rest)
    body = "\n\n".join(out)
    return re.sub(r"<pre>\x00(\d+)\x00</pre>", lambda m: pres[int(m[1])], body)


def wp_content_to_body(text: str, *, post_wp_id: int = 0, attachments: dict[int, Attachment] | None = None) -> str:
    """The body we store for a WordPress post's content."""
    return autop(expand_shortcodes(text or "", post_wp_id=post_wp_id, attachments=attachments))
