"""Real Celery worker processes against the test database and the configured broker.

The worker gets the test database (a file for SQLite, pytest-django's test_<name> on
PostgreSQL), this session's broker (its own filesystem folders, or CELERY_BROKER_URL), and
an SMTP server run here (aiosmtpd), so the tests count real e-mails.
"""

import os
import shutil
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.servers import PostgresCluster, free_port, wait_for  # noqa: F401 (the tests import them from here)

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.service)


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for m in self.messages for r in m.rcpt_tos)


@pytest.fixture
def smtp():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


class Worker:
    """One `celery -A config worker` process (`--pool=solo` unless the env says POOL=prefork)."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={env.get('POOL', 'solo')}",
             "--concurrency=2", "--loglevel=INFO",
             "-n", f"it-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: " ready." in self.output() or self.proc.poll() is not None, timeout=40,
                     what="the worker to be ready")
        except AssertionError:
            self.stop()
            raise
        if self.proc.poll() is not None:
            raise AssertionError(f"worker exited at start:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_env(transactional_db, smtp, tmp_path):
    from config.celery import app

    # Earlier tests (browser tests, uploads) queue real tasks that no worker consumed; they
    # refer to rows long flushed. Start each worker on an empty queue.
    with app.connection() as conn:
        app.control.purge(connection=conn)
    _, smtp_port = smtp
    env = {**os.environ}
    env.update({
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": settings.SITE_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "INFO",
    })
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        env["CELERY_BROKER_DIR"] = str(Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent)
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path, request):
    """start_worker(**extra_env) -> Worker; every worker is stopped at the end of the test
    (before the database is flushed), and its log is printed if the test failed."""
    workers: list[Worker] = []

    def start(**extra) -> Worker:
        worker = Worker({**worker_env, **extra}, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        for worker in workers:
            print(f"--- {worker.log.name} ---\n{worker.output()[-4000:]}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


class SlowAkismet:
    """A local stand-in for Akismet that holds each request until released."""

    def __init__(self):
        self.hit = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.hit.set()
                outer.release.wait(30)
                body = b"false"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/1.1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_akismet():
    server = SlowAkismet()
    yield server
    server.close()


@pytest.fixture
def private_postgres():
    if os.geteuid() != 0 and not shutil.which("initdb"):
        pytest.skip("a private PostgreSQL cluster needs root (runuser postgres) or initdb on PATH")
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()
