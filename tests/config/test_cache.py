"""config/cache.py: with its Redis unreachable, the cache answers "not cached" instead of failing."""

import pytest

from config import helpers
from config.cache import ResilientRedisCache
from tests.servers import free_port


@pytest.fixture
def dead_cache(monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "_last_logged", 0.0)  # its once-per-30-s log
    return ResilientRedisCache(f"redis://127.0.0.1:{free_port()}/0",
                               {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}})


def test_reads_miss_and_writes_are_dropped_while_redis_is_unreachable(dead_cache, caplog):
    assert dead_cache.get("thread:1", "missing") == "missing"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set("thread:1", "<ol>") is None
    assert dead_cache.add("thread:1", "<ol>") is False
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.delete("thread:1") is False
    assert dead_cache.has_key("thread:1") is False
    with pytest.raises(ValueError):
        dead_cache.incr("counter")
    assert "cache unreachable" in caplog.text


def test_rate_limits_let_requests_through_while_the_cache_is_down(dead_cache, monkeypatch):
    monkeypatch.setattr(helpers, "cache", dead_cache)
    assert not any(helpers.rate_limited("report:127.0.0.1", limit=1, period=60) for _ in range(3))
