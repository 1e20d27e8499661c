"""config.helpers: enqueueing is bounded in time (a dead or hanging broker never hangs the
request); the client address comes from the server's peer, never from a header; rate
limits count atomically in the shared cache."""

import datetime
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from celery import Celery
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.safestring import mark_safe

from config import helpers


def task_on(broker_url: str):
    app = Celery("probe", broker=broker_url, set_as_current=False)
    app.conf.broker_connection_timeout = 1
    # CELERY_BROKER_URL in the environment overrides broker_url in every app; the write URL wins.
    app.conf.broker_write_url = broker_url

    @app.task(name="probe.noop")
    def noop(x):
        return x

    return noop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung broker)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_broker_on_a_closed_port_fails_fast():
    started = time.monotonic()
    assert helpers.enqueue(task_on(f"redis://127.0.0.1:{free_port()}/0"), 1, timeout=3) is False
    assert time.monotonic() - started < 3.5


def test_a_broker_that_never_answers_times_out(silent_server):
    started = time.monotonic()
    assert helpers.enqueue(task_on(f"redis://127.0.0.1:{silent_server}/0"), 1, timeout=0.5) is False
    assert time.monotonic() - started < 1.5


class Recorder:
    name = "recorder"

    def __init__(self):
        self.calls = []

    def apply_async(self, args, retry):
        self.calls.append(args)


@pytest.mark.django_db
def test_it_sends_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    task = Recorder()
    with django_capture_on_commit_callbacks(execute=True):
        helpers.enqueue_on_commit(task, 42)
        assert task.calls == []
    assert task.calls == [(42,)]


def test_the_client_address_is_the_servers_peer_and_never_a_header_the_client_sets(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1",
                     HTTP_X_REAL_IP="198.51.100.2")
    assert helpers.client_ip(request) == "203.0.113.7"


def test_an_ipv6_client_address_is_normalised(rf):
    assert helpers.client_ip(rf.get("/", REMOTE_ADDR="2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.parametrize("peer", ["", "   ", "unix:/run/dispatch.sock", "203.0.113.300"])
def test_a_peer_that_is_not_an_ip_address_gives_no_client_address(rf, peer):
    assert helpers.client_ip(rf.get("/", REMOTE_ADDR=peer)) is None


def test_a_rate_limit_lets_the_limit_through_and_refuses_the_requests_after_it():
    assert [helpers.rate_limited("probe:a", limit=3, period=60) for _ in range(5)] == [False] * 3 + [True] * 2


def test_each_key_has_its_own_rate_limit():
    for _ in range(3):
        helpers.rate_limited("probe:a", limit=3, period=60)
    assert helpers.rate_limited("probe:a", limit=3, period=60) is True
    assert helpers.rate_limited("probe:b", limit=3, period=60) is False


@pytest.fixture
def clock_cache(settings):
    """A local-memory cache: its expiry follows the (travelled) clock of this process, where
    Redis expires keys by its own clock (CI runs the suite on Redis too)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "rate-limit-tests"}}


def test_a_rate_limit_window_ends_after_its_period_and_later_requests_do_not_extend_it(clock_cache):
    start = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        helpers.rate_limited("probe:a", limit=2, period=60)
        clock.shift(50)
        helpers.rate_limited("probe:a", limit=2, period=60)
        assert helpers.rate_limited("probe:a", limit=2, period=60) is True
        clock.shift(11)  # 61 s after the first request
        assert helpers.rate_limited("probe:a", limit=2, period=60) is False


def test_a_counter_that_expires_between_add_and_incr_starts_a_new_window(monkeypatch):
    real_incr = cache.incr
    calls = []

    def expired_once(key, delta=1, version=None):
        calls.append(key)
        if len(calls) == 1:
            cache.delete(key)
        return real_incr(key, delta, version)

    monkeypatch.setattr(cache, "incr", expired_once)
    assert helpers.rate_limited("probe:a", limit=1, period=60) is False
    assert helpers.rate_limited("probe:a", limit=1, period=60) is True


def test_a_counter_recreated_without_an_expiry_still_ends_with_its_window(monkeypatch, clock_cache):
    def incr_on_a_vanished_key(key, delta=1, version=None):  # what Redis's INCR does
        cache.set(key, delta, timeout=None)
        return delta

    start = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        with monkeypatch.context() as patch:
            patch.setattr(cache, "incr", incr_on_a_vanished_key)
            assert helpers.rate_limited("probe:a", limit=1, period=60) is False
        assert helpers.rate_limited("probe:a", limit=1, period=60) is True
        clock.shift(61)
        assert helpers.rate_limited("probe:a", limit=1, period=60) is False


def test_concurrent_requests_never_let_more_than_the_limit_through(monkeypatch):
    # A slow cache (a network round trip per call) is where a get-then-set counter lets
    # concurrent requests read the same count and all pass.
    # (Patched on the class: each thread has its own connection to the cache.)
    backend = type(caches["default"])
    for name in ("get", "set"):
        real = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _real=real, **kw: (time.sleep(0.002), _real(*a, **kw))[1])
    with ThreadPoolExecutor(max_workers=8) as pool:
        refused = list(pool.map(lambda _: helpers.rate_limited("probe:a", limit=50, period=60), range(200)))
    assert refused.count(False) == 50


def test_behind_one_trusted_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    assert helpers.client_ip(request) == "203.0.113.7"


def test_behind_two_trusted_proxies_the_entries_the_client_wrote_are_never_read(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.2")
    assert helpers.client_ip(request) == "203.0.113.7"


def test_a_request_that_bypassed_the_proxy_is_known_by_its_peer(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert helpers.client_ip(rf.get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


def test_a_garbled_forwarded_address_gives_no_client_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert helpers.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")) is None


def test_a_large_fragment_is_spliced_into_the_encoded_page_in_place_of_its_placeholder(rf):
    request = rf.get("/")
    small, large = mark_safe("<ol>short</ol>"), mark_safe("<li>é</li>" * helpers.DEFER_MIN_CHARS)
    assert helpers.defer_html(request, large) is large  # no view opened request.deferred_html: inline
    request.deferred_html = {}
    assert helpers.defer_html(request, small) is small
    marker = helpers.defer_html(request, large)
    assert marker != large and len(marker) < 64
    page = HttpResponse(f"<h2>“Comments”</h2>{marker}<p>{marker.replace('-->', '')}</p>")
    body = helpers.fill_deferred(request, page).content.decode()
    assert body == f"<h2>“Comments”</h2>{large}<p>{marker.replace('-->', '')}</p>"
    assert not hasattr(request, "deferred_html")
