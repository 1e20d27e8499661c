"""Turning an author's Markdown (or imported WordPress HTML) into the HTML readers see.

Rendered once on save and stored; the pipeline is WordPress shortcodes → Markdown →
sanitise with nh3 → embeds.
Embeds are inserted after sanitising because their markup is ours, built from an
allow-listed URL, never third-party HTML.

WordPress shortcodes (`[gallery ids="1,2,3"]`, `[caption ...]...[/caption]`) pass through
untouched: the typographer would curl their quotes and linkify their URLs, so they are set
aside before Markdown and put back, HTML-escaped, before sanitising. nh3 then serialises them
as plain text (`[gallery ids="1,2,3"]`) — or, inside an attribute, escaped — so a shortcode
can never break out of the markup; the embed and media code expand them afterwards.
"""

import re
import secrets

from django.utils.html import escape
from markdown_it import MarkdownIt

from blog.sanitize import clean_post_html

# "commonmark" with raw HTML on: imported WordPress content is HTML. nh3 removes anything
# unsafe afterwards, so raw HTML here is no risk.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True}).enable(
    ["linkify", "table", "strikethrough", "replacements", "smartquotes"]
)

SHORTCODES = ("gallery", "caption", "embed", "video", "audio", "playlist")
_SHORTCODE = re.compile(r"\[/?(?:%s)\b[^\[\]\n]*\]" % "|".join(SHORTCODES))  # noqa: UP031


def _set_aside(text: str) -> tuple[str, dict[str, str]]:
    """Replace each shortcode tag by a token Markdown leaves alone (letters and digits)."""
    salt = secrets.token_hex(4)
    found: dict[str, str] = {}

    def token(match: re.Match) -> str:
        key = f"shortcode{salt}x{len(found)}x"
        found[key] = match.group(0)
        return key

    return _SHORTCODE.sub(token, text), found


def _put_back(html: str, found: dict[str, str]) -> str:
    for key, code in found.items():
        html = html.replace(key, escape(code))
    return html


def render_markdown(text: str) -> str:
    source, shortcodes = _set_aside(text or "")
    return clean_post_html(_put_back(_markdown.render(source), shortcodes))


def render_body(text: str) -> str:
    """The stored HTML of a post body or an update."""
    from media.embeds import expand_embeds
    from media.shortcodes import render_shortcodes

    return expand_embeds(render_markdown(render_shortcodes(text)))
