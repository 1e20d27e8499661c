"""config.helpers: enqueueing is bounded in time (a dead or hanging broker never hangs the
request); the client address comes from the server's peer, never from a header."""

import socket
import threading
import time

import pytest
from celery import Celery

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
