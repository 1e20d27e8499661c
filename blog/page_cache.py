"""Whole-page cache for anonymous readers: post pages and archives served from Django's
cache (Redis in production, CACHE_URL; local memory by default) and cacheable by any
proxy or CDN.

A request is anonymous when it is a GET or HEAD with no session cookie and no query
string: such a reader has nothing personal on the page (no pending comment of their own,
no identity, no CSRF token: the comment form fetches one when it is used — see
blog/comments/static/comments/comments.js and config.helpers.csrf_protect_sessions). Every
other request — a session (a signed-in reader, or a guest whose pending comment the session
remembers), `?replytocom=`, a search — bypasses the cache.

A post page's key holds the post's page version (Post.comments_version: bumped by an
approval, an edit, a dated update or a settings change) and a fingerprint of the row,
so a changed post is never served stale; archives are keyed by the newest change to any
post and kept ARCHIVE_SECONDS. Responses carry an ETag and Last-Modified (304 on a
match), `Cache-Control: public` with a short shared-cache lifetime (browsers revalidate,
so a reader who has just commented sees their comment), and no `Vary: Cookie`
(config.middleware.PublicPageMiddleware)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

PAGE_SECONDS = 60 * 60
ARCHIVE_SECONDS = 5 * 60
SHARED_MAX_AGE = 60  # what a proxy or CDN may serve without asking again


def is_anonymous(request) -> bool:
    """The reader has nothing personal on this page (see the module docstring)."""
    return (request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES)


def post_key(request, post) -> str:
    fingerprint = hashlib.blake2b(
        f"{post.title}\0{post.body_html}\0{post.excerpt}\0{post.modified_at.isoformat()}\0{post.status}\0"
        f"{post.comment_status}\0{post.published_at.isoformat()}\0{post.comment_count}".encode(),
        digest_size=8).hexdigest()
    return f"dispatch:page:post:{post.pk}:{post.comments_version}:{fingerprint}:{_path(request)}"


def archive_key(request, generation: str) -> str:
    return f"dispatch:page:archive:{generation}:{_path(request)}"


def _path(request) -> str:
    return hashlib.blake2b(request.path.encode(), digest_size=12).hexdigest()


def serve(request, key: str, render, *, seconds: int = PAGE_SECONDS) -> HttpResponse:
    """The page under `key` from the cache, else `render()`'s response, stored if it is a
    plain 200 that sets no cookie. A 304 when the reader's copy is current."""
    entry = cache.get(key)
    if entry is None:
        response = render()
        if response.status_code != 200 or response.cookies or getattr(response, "streaming", False):
            return response
        entry = (response.content, response["Content-Type"], time.time())
        cache.set(key, entry, seconds)
    content, content_type, stored_at = entry
    etag = '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'
    response = get_conditional_response(request, etag=etag, last_modified=int(stored_at))
    if response is None:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stored_at)
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE, must_revalidate=True)
    response.public_page = True  # config.middleware.PublicPageMiddleware: no Vary: Cookie
    return response
