"""Turning an author's Markdown (or imported WordPress HTML) into the HTML readers see.

Rendered once on save and stored; the pipeline is WordPress shortcodes → Markdown →
sanitise with nh3 → embeds.
Embeds are inserted after sanitising because their markup is ours, built from an
allow-listed URL, never third-party HTML.
"""

from markdown_it import MarkdownIt

from blog.sanitize import clean_post_html

# "commonmark" with raw HTML on: imported WordPress content is HTML. nh3 removes anything
# unsafe afterwards, so raw HTML here is no risk.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True}).enable(
    ["linkify", "table", "strikethrough", "replacements", "smartquotes"]
)


def render_markdown(text: str) -> str:
    return clean_post_html(_markdown.render(text or ""))


def render_body(text: str) -> str:
    """The stored HTML of a post body or an update."""
    from blog.embeds import expand_embeds
    from blog.shortcodes import render_shortcodes

    return expand_embeds(render_markdown(render_shortcodes(text)))
