"""HTML sanitising with nh3: one policy for authors' post bodies, a much smaller one for
readers' comments. Everything that reaches a template as safe HTML went through here."""

import nh3

POST_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "q", "cite", "ul", "ol", "li",
    "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr",
    "code", "pre", "kbd", "figure", "figcaption", "img", "picture", "source", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "dl", "dt", "dd", "span", "div",
}
POST_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "source": {"srcset", "sizes", "type", "media"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "figure": {"class"},
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},
}
COMMENT_TAGS = {"a", "em", "strong", "code", "blockquote", "q", "del", "p", "br", "b", "i"}
COMMENT_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_post_html(html: str) -> str:
    """Authors' HTML: structure, figures and images kept; scripts, styles, event handlers,
    iframes and unknown schemes removed."""
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


def clean_comment_html(html: str) -> str:
    """Readers' HTML: a small inline subset; every link gets rel="nofollow ugc noopener"."""
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
