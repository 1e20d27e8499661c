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
(config.middleware.PublicPageMiddleware).

In front of all that, EarlyPageMiddleware (first in MIDDLEWARE) answers a repeated
anonymous GET of a post page from the cache before any other middleware, view or query
runs: the final response (body and every header the stack added — security, CSP,
Cache-Control, ETag) is stored under the post's id and the request's scheme, host and
path, stamped with two tokens kept in the cache itself: the post's page token and the
site's page generation. Every write to a post row bumps them (`pages_changed`, called by
PostQuerySet.update — which every page-version bump goes through — and by the post's
save, delete and category/tag changes), so a stored page whose stamp differs is never
served. The tokens are read before the view reads the database, and a token bumped
inside a transaction stores nothing until it has surely committed, so a page rendered
from a row older than its stamp cannot be stored under it."""

import hashlib
import secrets
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

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


# --- early answers -------------------------------------------------------------------------

GENERATION_KEY = "dispatch:page:generation"
EARLY_MEMO = 10_000  # request locations remembered per process (location -> post id)
LOCAL_BYTES = 64 * 1024 * 1024  # pages each process keeps a copy of (checked against the shared stamps)
SETTLE_SECONDS = 60  # a token bumped inside a transaction stores no page this long (pages_changed)
ELSEWHERE_SECONDS = 60  # how long a process skips the lookup at a location that showed no post page


def _token_key(post_id: int) -> str:
    return f"dispatch:page:token:{post_id}"


def _early_key(post_id: int, where: str) -> str:
    return f"dispatch:page:early:{post_id}:{where}"


def _where_key(where: str) -> str:
    return f"dispatch:page:where:{where}"


def _where(request) -> str:
    """The request's location as the stored page saw it: scheme, Host header and path (a
    page shows its absolute URL). A host Django would refuse never gets a page stored."""
    raw = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.path}"
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def pages_changed(post_ids: Iterable[int] | None) -> None:
    """What the pages of `post_ids` (None: every post) show may have changed: no page
    stored before is answered early again.

    A change made inside a transaction is not visible to readers until it commits, so a
    reader who gets the new token meanwhile may still render the old row: such a token is
    "unsettled" for SETTLE_SECONDS, during which no page is stored under it (readers are
    served by the view, from the row). No commit hook is needed, and none is queued."""
    if post_ids is not None:
        post_ids = list(post_ids)
        if not post_ids:
            return
    settle = SETTLE_SECONDS if connection.in_atomic_block else 0
    if post_ids is None:
        cache.set(GENERATION_KEY, _new_token(settle), PAGE_SECONDS)
    else:
        cache.set_many({_token_key(pk): _new_token(settle) for pk in post_ids}, PAGE_SECONDS)


def _new_token(settle: float) -> str:
    return f"{time.time() + settle:.3f}:{secrets.token_hex(6)}" if settle else secrets.token_hex(8)


def _settled(token: str) -> bool:
    return ":" not in token or float(token.partition(":")[0]) <= time.time()


def _stamp(post_id: int) -> tuple[str, str] | None:
    """The post's (generation, token) as they are now, created if missing; None when the
    cache does not answer (then nothing is stored)."""
    keys = (GENERATION_KEY, _token_key(post_id))
    found = cache.get_many(keys)
    if len(found) < 2:
        for key in keys:
            if key not in found:
                cache.add(key, secrets.token_hex(8), PAGE_SECONDS)
        found = cache.get_many(keys)
        if len(found) < 2:
            return None
    return found[GENERATION_KEY], found[_token_key(post_id)]


class EarlyPageMiddleware:
    """First in MIDDLEWARE: an anonymous GET/HEAD of a post page stored with a current
    stamp is answered from one cache read, before sessions, CSRF, auth, CSP or the view
    (see the module docstring). A miss goes down the stack as usual; on the way back a
    public post page (the view marks it `page_post`) is stored with the stamp read before
    the view ran. The first miss at a location only learns which post lives there (the
    stamp must be read before the database, and the post is not known yet)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.posts: dict[str, int] = {}  # location -> post id, this process's memo
        self.elsewhere: dict[str, float] = {}  # location -> until when it is known to be no post page
        self.pages: dict[str, tuple] = {}  # early key -> (stamp, headers, body), this process's copies
        self.kept_bytes = 0

    def __call__(self, request):
        if not is_anonymous(request):
            return self.get_response(request)
        where = _where(request)
        post_id = self.posts.get(where)
        if post_id is None:
            if self.elsewhere.get(where, 0.0) > time.monotonic():  # an archive, a feed, a static file...
                return self.get_response(request)
            post_id = cache.get(_where_key(where))
            if post_id is not None:
                self._remember(where, post_id)
        stamp = None
        if post_id is not None:
            early_key, token_key = _early_key(post_id, where), _token_key(post_id)
            kept = self.pages.get(early_key)  # this process's copy: the stamps alone are read
            found = cache.get_many([GENERATION_KEY, token_key] if kept else [GENERATION_KEY, token_key, early_key])
            current = (found.get(GENERATION_KEY), found.get(token_key))
            entry = kept if kept and kept[0] == current else found.get(early_key) if not kept else cache.get(early_key)
            if entry is not None and None not in current and entry[0] == current:
                if entry is not kept:
                    self._keep(early_key, entry)
                return _replay(request, entry)
            stamp = current if None not in current else _stamp(post_id)
            if stamp is not None and not (_settled(stamp[0]) and _settled(stamp[1])):
                stamp = None  # a change may not have committed yet: store nothing under it
        response = self.get_response(request)
        page_post = getattr(response, "page_post", None)
        if page_post is None and post_id is None:  # not asked again for a while (it may become one)
            if len(self.elsewhere) >= EARLY_MEMO:
                self.elsewhere.clear()
            self.elsewhere[where] = time.monotonic() + ELSEWHERE_SECONDS
        if page_post is None or response.status_code != 200 or response.cookies or response.streaming:
            return response
        if page_post != post_id:  # the post at this location is known from now on
            self._remember(where, page_post)
            cache.set(_where_key(where), page_post, PAGE_SECONDS)
        elif stamp is not None and request.method == "GET":
            entry = (stamp, list(response.items()), response.content)
            cache.set(_early_key(post_id, where), entry, PAGE_SECONDS)
            self._keep(_early_key(post_id, where), entry)
        return response

    def _keep(self, early_key: str, entry) -> None:
        """A copy in this process (bounded by LOCAL_BYTES): a hit then reads two short
        tokens from the shared cache, not the whole page."""
        if self.kept_bytes + len(entry[2]) > LOCAL_BYTES:
            self.pages.clear()
            self.kept_bytes = 0
        old = self.pages.pop(early_key, None)
        self.kept_bytes += len(entry[2]) - (len(old[2]) if old else 0)
        self.pages[early_key] = entry

    def _remember(self, where: str, post_id: int) -> None:
        if len(self.posts) >= EARLY_MEMO:
            self.posts.clear()
        self.posts[where] = post_id


def _replay(request, entry) -> HttpResponse:
    """The stored response, or a 304 carrying its validators when the reader's copy is current."""
    _, headers, content = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    etag, modified = response.get("ETag"), response.get("Last-Modified")
    if etag and (request.META.get("HTTP_IF_NONE_MATCH") or request.META.get("HTTP_IF_MODIFIED_SINCE")):
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=parse_http_date_safe(modified) if modified else None, response=response)
        if not_modified is not None:
            return not_modified
    return response
