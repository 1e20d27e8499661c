"""Turning an author's Markdown (or imported WordPress HTML) into the HTML readers see.

Rendered once on save and stored; the pipeline is WordPress shortcodes → Markdown →
sanitise with nh3 → embeds. Pure: rendering reads images, renditions and cached embed
metadata and writes nothing, queues nothing (the admin preview renders on every pause in
typing); what a saved body needs (Embed rows, their fetch) is made by Post.save.
Embeds are inserted after sanitising because their markup is ours, built from an
allow-listed URL, never third-party HTML.

Shortcodes left after rendering them (escaped ones, stray tags, `[video]`; the grammar is
media.shortcodes.parse_shortcodes) pass through untouched: the typographer would curl their
quotes and linkify their URLs, so they are set aside before Markdown and put back,
HTML-escaped, before sanitising. nh3 then serialises them
as plain text (`[gallery ids="1,2,3"]`) — or, inside an attribute, escaped — so a shortcode
can never break out of the markup; the embed and media code expand them afterwards.
"""

import secrets
from collections.abc import Sequence

from django.utils.html import escape
from markdown_it import MarkdownIt

from blog.sanitize import clean_post_html
from media.embeds import expand_embeds, load_embeds
from media.shortcodes import Shortcode, image_numbers, load_images, render_shortcodes, sub_shortcodes

# "commonmark" with raw HTML on: imported WordPress content is HTML. nh3 removes anything
# unsafe afterwards, so raw HTML here is no risk.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True}).enable(
    ["linkify", "table", "strikethrough", "replacements", "smartquotes"]
)

def _set_aside(text: str) -> tuple[str, dict[str, str]]:
    """Replace each shortcode by a token Markdown leaves alone (letters and digits)."""
    salt = secrets.token_hex(4)
    found: dict[str, str] = {}

    def token(code: Shortcode) -> str:
        key = f"shortcode{salt}x{len(found)}x"
        found[key] = code.text
        return key

    return sub_shortcodes(text, token), found


def _put_back(html: str, found: dict[str, str]) -> str:
    for key, code in found.items():
        html = html.replace(key, escape(code))
    return html


def render_markdown(text: str) -> str:
    source, shortcodes = _set_aside(text or "")
    return clean_post_html(_put_back(_markdown.render(source), shortcodes))


def render_body(text: str) -> str:
    """The stored HTML of a post body or an update. Reads only (see the module docstring)."""
    return render_bodies([text])[0]


def render_bodies(texts: Sequence[str]) -> list[str]:
    """render_body of each of `texts`, in a constant number of queries however many there
    are: one for all their images (plus the renditions' prefetch), one for all their cached
    embeds, none for what they do not show. blog.receivers re-renders in batches with it."""
    texts = [text or "" for text in texts]
    images = load_images(set().union(*(image_numbers(text) for text in texts)))
    sources = [render_markdown(render_shortcodes(text, images=images)) for text in texts]
    embeds = load_embeds(sources)
    return [expand_embeds(source, embeds=embeds) for source in sources]
