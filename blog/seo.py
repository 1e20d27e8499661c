"""Open Graph tags and JSON-LD `Article` for a post page.

Their image is a ~1280 px JPEG/PNG rendition of the featured image (media.html.og_image):
link previews fetch it, and the original may be huge or WebP.

JSON-LD goes in <script type="application/ld+json">: browsers never execute that type, so
the CSP (script-src 'self') allows it. It is escaped so that no value can close the tag."""

import json

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from blog.models import Post
from config.helpers import absolute_url
from media.html import og_image

# Same escapes as Django's json_script: "<", ">" and "&" can never end the script element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def description(post: Post) -> str:
    text = post.excerpt or strip_tags(post.body_html)
    return Truncator(" ".join(text.split())).chars(200)


def open_graph(request, post: Post) -> list[tuple[str, str]]:
    """(property, content) pairs for <meta property=... content=...>."""
    tags = [
        ("og:type", "article" if post.kind == Post.Kind.POST else "website"),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", post.title),
        ("og:description", description(post)),
        ("og:url", absolute_url(post.get_absolute_url(), request)),
    ]
    image = og_image(post.featured_image, request)
    if image:
        tags += [("og:image", image.url), ("og:image:type", image.mime_type)]
        if image.width and image.height:
            tags += [("og:image:width", str(image.width)), ("og:image:height", str(image.height))]
        if image.alt:
            tags.append(("og:image:alt", image.alt))
    if post.kind == Post.Kind.POST:
        tags += [
            ("article:published_time", post.published_at.isoformat()),
            ("article:modified_time", max(post.modified_at, post.published_at).isoformat()),
        ]
        tags += [("article:tag", tag.name) for tag in post.tags.all()]
    return tags


def article_json_ld(request, post: Post) -> dict:
    author = post.author
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title[:110],
        "description": description(post),
        "url": absolute_url(post.get_absolute_url(), request),
        "mainEntityOfPage": absolute_url(post.get_absolute_url(), request),
        "datePublished": post.published_at.isoformat(),
        "dateModified": max(post.modified_at, post.published_at).isoformat(),
        "author": {
            "@type": "Person",
            # The byline, never the login name (it is half of a login to the admin).
            "name": author.display_name or author.get_full_name() or settings.SITE_NAME,
            "url": absolute_url(reverse("blog:author", kwargs={"username": author.get_username()}), request),
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    image = og_image(post.featured_image, request)
    if image:
        data["image"] = [image.url]
    return data


def json_ld_script(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 - escaped above
