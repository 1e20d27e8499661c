"""A comment's text as stored HTML: escaped, a small safe subset of tags kept, bare URLs
linked, sanitised once on save (the original text is kept too, in `body`)."""

import re

from django.utils.html import escape
from linkify_it import LinkifyIt

from blog.sanitize import clean_comment_html

# Tags a reader may type; everything else is shown as text (escaped), as WordPress does.
_ALLOWED_TAG = re.compile(r"</?(?:a|em|strong|code|blockquote|q|del)(?:\s[^<>]*)?>", re.IGNORECASE)
_linkify = LinkifyIt()


def _linkify_text(text: str) -> str:
    """Escape plain text and turn bare URLs into links (nh3 adds the rel attribute later)."""
    matches = _linkify.match(text) or []
    out, pos = [], 0
    for m in matches:
        if not m.url.lower().startswith(("http://", "https://")):
            continue
        out.append(escape(text[pos:m.index]))
        out.append(f'<a href="{escape(m.url)}">{escape(m.text)}</a>')
        pos = m.last_index
    out.append(escape(text[pos:]))
    return "".join(out)


def render_comment_html(text: str) -> str:
    """The stored HTML of a comment: plain text (escaped) with the small allowed subset of
    tags kept, bare URLs auto-linked, blank lines as paragraphs and newlines as <br>; then
    nh3 with the comment policy, which also balances tags and adds rel="nofollow ugc
    noopener" to every link. Computed once on save; the original is never trusted."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    pieces, pos, in_link = [], 0, 0
    for m in _ALLOWED_TAG.finditer(text):
        chunk = text[pos:m.start()]
        pieces.append(escape(chunk) if in_link else _linkify_text(chunk))
        tag = m.group(0)
        if re.match(r"<a[\s>]", tag, re.IGNORECASE):
            in_link += 1
        elif tag.lower().startswith("</a"):
            in_link = max(0, in_link - 1)
        pieces.append(tag)
        pos = m.end()
    tail = text[pos:]
    pieces.append(escape(tail) if in_link else _linkify_text(tail))
    html = "".join(pieces)
    paragraphs = [p.strip("\n").replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", html) if p.strip()]
    return clean_comment_html("".join(f"<p>{p}</p>" for p in paragraphs))
