"""The Redis cache for production (`CACHE_URL=redis://...`): Django's RedisCache that turns
into "no cache" while Redis is unreachable, instead of failing the request.

The site must keep serving when its cache server is down, only slower: a read answers
"not cached" (the page is rendered from the database), a write is dropped, and a counter
(config.helpers.rate_limited) starts again, so limits are not enforced during the outage.
Each failure is logged, at most once every LOG_EVERY seconds. Every socket operation is
bounded (OPTIONS in settings: socket timeouts, no client-side retries), so a hung Redis
costs a request at most those timeouts, not a hang. When Redis comes back, the cache
fills again by itself. (A Redis that kept old data through a partition may serve a thread
cached before it: thread entries expire on their own, blog.comments.threads.)
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
LOG_EVERY = 30.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrades(fallback):
    """Run the cache operation; on a connection failure log it and return fallback(*args)."""

    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._unreachable(method.__name__, exc)
                return fallback(*args, **kwargs)

        return run

    return wrap


def _incr_fallback(*args, **kwargs):
    raise ValueError("the cache is unreachable: no counter")  # as for a missing key


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0

    def _unreachable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY:
            ResilientRedisCache._last_logged = now
            logger.warning("cache unreachable (%s: %r): serving uncached", operation, exc)

    get = _degrades(lambda key, default=None, version=None: default)(RedisCache.get)
    add = _degrades(lambda *a, **kw: False)(RedisCache.add)
    set = _degrades(lambda *a, **kw: None)(RedisCache.set)
    touch = _degrades(lambda *a, **kw: False)(RedisCache.touch)
    delete = _degrades(lambda *a, **kw: False)(RedisCache.delete)
    get_many = _degrades(lambda *a, **kw: {})(RedisCache.get_many)
    set_many = _degrades(lambda data, *a, **kw: list(data))(RedisCache.set_many)
    delete_many = _degrades(lambda *a, **kw: None)(RedisCache.delete_many)
    has_key = _degrades(lambda *a, **kw: False)(RedisCache.has_key)
    incr = _degrades(_incr_fallback)(RedisCache.incr)
    clear = _degrades(lambda *a, **kw: False)(RedisCache.clear)
