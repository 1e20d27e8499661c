"""Small helpers every app may use; they import no app (config is the lowest layer).

Queueing Celery work from the request without ever depending on the broker: the comment
(or image) is already saved; if the broker is down, enqueueing fails at once, and if it
hangs (a paused Redis, a half-open TCP connection) the request stops waiting after
CELERY_ENQUEUE_TIMEOUT seconds: `apply_async` runs in a small pool of threads and the
caller waits on it with a timeout. Either way the periodic sweep picks the work up.

Absolute URLs: `absolute_url` is the one place a path becomes a link for a mail, a feed
or structured data.

Client addresses: `client_ip` is the one place a request becomes a network address (for
comment rows, bans, rate limits and allauth's own limits). Rate limits: `rate_limited` is
the one counter of "how many in the last hour" (reports, follows).

Forms on cached pages: `csrf_protect_sessions` (the comment and follow forms).

Large fragments of a page (a 1,000-comment thread is over a megabyte): `defer_html` puts a
placeholder in the template instead, and `fill_deferred` splices the fragment into the
encoded response once. Each template level joins its children's output into a new string
(and a page with one non-ASCII character is two bytes per character), so a fragment passed
through five levels is copied a dozen times and encoded from its widest form.
"""

import ipaddress
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.csrf import _get_failure_view as _csrf_failure_view
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)
# Few threads: if the broker hangs, at most this many are stuck; later sends time out
# while still queued and are cancelled, so nothing piles up.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="enqueue")


def enqueue(task, *args, timeout: float | None = None) -> bool:
    """Send `task` now; False (logged) if the broker refused or did not answer in time."""
    timeout = settings.CELERY_ENQUEUE_TIMEOUT if timeout is None else timeout
    future = _pool.submit(task.apply_async, args=args, retry=False)
    try:
        future.result(timeout=timeout)
        return True
    except FutureTimeout:
        future.cancel()
        logger.warning("enqueue %s%s timed out after %.1f s; the sweep will retry", task.name, args, timeout)
    except Exception:  # the broker is an edge we cannot trust: never fail the request on it
        logger.warning("could not enqueue %s%s; the sweep will retry", task.name, args, exc_info=True)
    return False


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def absolute_url(path: str, request=None) -> str:
    """`path` as an absolute URL: on the host the reader used when there is a request,
    else on SITE_URL (mails and tasks, which have no request). Absolute URLs pass through."""
    if path.startswith(("http://", "https://")):
        return path
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (normalised), or None if it has none.

    Every caller asks here: the comment views (the address stored with a comment or report,
    matched by bans and the flood check), the rate limits, and allauth's login limits
    (through accounts.adapters.AccountAdapter.get_client_ip; allauth's own
    ALLAUTH_TRUSTED_PROXY_COUNT has no effect, since its adapter asks this function).

    With no proxy (TRUSTED_PROXY_COUNT = 0, the default) it is REMOTE_ADDR, the peer of the
    server: the only value a client cannot set, so X-Forwarded-For is ignored. Behind N
    reverse proxies that each append the address they saw to X-Forwarded-For, the chain is
    the header's entries followed by REMOTE_ADDR, and the client is the entry N places from
    the right: the last one written by a proxy we trust. Entries further left were written
    by the client and are never read. A chain shorter than that (a request that reached the
    server without passing the proxies) gives REMOTE_ADDR. A value that is not an IP
    address (a Unix socket's empty peer, a garbled header) gives None, so an address column
    or a cache key never receives garbage.
    """
    peer = request.META.get("REMOTE_ADDR") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    raw = peer
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [part for part in forwarded if part] + [peer]
        if len(chain) > hops:
            raw = chain[-(hops + 1)]
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def rate_limited(key: str, *, limit: int, period: int) -> bool:
    """Count one more request for `key`; True when that makes more than `limit` requests in
    the window of `period` seconds that the key's first request opened: refuse this one.

    The counter lives in Django's cache, so every process and server that shares the cache
    shares the limit. It is atomic: `cache.add` creates the counter with its expiry only
    when none exists, and `cache.incr` adds one and returns the result in a single step
    (Redis INCR, Memcached incr, LocMemCache under its lock), so two requests can never
    read the same count and both pass, as a get-then-set would let them. (The database and
    file caches implement incr as get-then-set: do not count limits in those.) Later
    requests do not extend the window. If the counter expires between add and incr, a new
    window starts with this request as its first; and the first count of a window sets the
    expiry again, because Redis's INCR recreates a key that expired under it without one
    (a counter that never expires would refuse that reader for good). `key` says whom to
    count, e.g. f"follow:{client_ip(request)}"; keys share the "dispatch:rate:" namespace.
    """
    name = f"dispatch:rate:{key}"
    cache.add(name, 0, timeout=period)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=period)
        count = 1
    if count == 1:
        cache.touch(name, timeout=period)
    return count > limit


def csrf_protect_sessions(view):
    """CSRF protection for a form that lives on a cached, shared page (blog.page_cache):
    a POST that carries a session cookie (a signed-in reader, a remembered guest) must
    bring a valid token as usual — the page such a reader saw was rendered for them with
    one, and comments.js fetches one for a shared page. A POST with no session cookie has
    no ambient authority a forged request could borrow, so the no-JavaScript form on a
    cached page still works; it is refused only when the browser says it comes from
    another site (Origin)."""
    checker = CsrfViewMiddleware(lambda request: None)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                refused = checker.process_view(request, view, args, kwargs)
                if refused is not None:
                    return refused
            else:
                origin = request.META.get("HTTP_ORIGIN")
                if origin and origin != f"{request.scheme}://{request.get_host()}":
                    return _csrf_failure_view()(request, reason="Origin checking failed: a cross-site POST.")
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


DEFER_MIN_CHARS = 64 * 1024  # smaller fragments cost less to copy than to splice


def defer_html(request, html: SafeString) -> SafeString:
    """`html` itself, or — when the view that renders the page has opened
    `request.deferred_html` (a dict) and `html` is large — a placeholder (random per
    request, so no content can forge it) that `fill_deferred` replaces."""
    slots = getattr(request, "deferred_html", None)
    if slots is None or len(html) < DEFER_MIN_CHARS:
        return html
    marker = f"<!--deferred-{secrets.token_hex(8)}-->"
    slots[marker] = html
    return mark_safe(marker)  # noqa: S308 - our own comment marker, no reader's text


def fill_deferred(request, response):
    """Splice the fragments `defer_html` put aside into `response` (a rendered, not
    streaming, HttpResponse), each in place of its placeholder; returns the response."""
    slots = request.__dict__.pop("deferred_html", None)
    if not slots:
        return response
    content = response.content
    charset = response.charset
    for marker, html in slots.items():
        before, found, after = content.partition(marker.encode(charset))
        if found:
            content = b"".join((before, html.encode(charset), after))
    response.content = content
    return response
