"""`make load`: 50 readers and 10 commenters for 60 s against the production stack on loopback.

`python -m tests.benchmarks.load [--readers 50] [--commenters 10] [--seconds 60]`

Starts its own services, so it touches nothing else on the machine: a private PostgreSQL
cluster and a private redis-server (broker on db 0, cache on db 1) on free ports, the
site migrated with one post of 300 approved comments, `collectstatic`, gunicorn with
DEBUG=0 (4 workers × 4 threads) and two Celery workers (prefork, 2 processes each).
Readers GET the post page (with its 300 comments) and the home page; commenters GET the
page, POST a comment through the real form (CSRF token, flood control off), then POST a
trivial view behind the same middleware (`/_load/trivial/`, tests/benchmarks/load_urls.py),
the baseline of a POST on the same server. Every request is bounded (30 s), and so is the
run (its seconds, then at most 120 s for the last decisions).

Passes (exit 0) when no response was a 5xx and every accepted comment (a 302) is saved and
decided by the workers; prints the figures: requests, rates, latency percentiles, the p95
of a submission against the trivial POST's, and the time until the last decision.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from tests.servers import ROOT, Commenter, PostgresCluster, Process, RedisServer, WebServer, wait_for

SETUP = """
from tests.factories import PostFactory
p = PostFactory(title="Load test", slug="load-test")
print(p.pk, p.get_absolute_url())
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.status: dict[str, dict[int, int]] = {}

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)
            counts = self.status.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1

    def p(self, kind: str, q: float) -> float:
        values = sorted(self.latency.get(kind, [0.0]))
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    def count(self, kind: str, status: int | None = None) -> int:
        counts = self.status.get(kind, {})
        return sum(counts.values()) if status is None else counts.get(status, 0)

    def server_errors(self) -> int:
        return sum(n for counts in self.status.values() for code, n in counts.items() if code >= 500 or code == 0)


def timed(stats: Stats, kind: str, call):
    started = time.perf_counter()
    try:
        response = call()
        status = response.status_code if hasattr(response, "status_code") else 200
    except Exception:  # a refused or timed-out request counts as an error (status 0)
        response, status = None, 0
    stats.record(kind, time.perf_counter() - started, status)
    return response


def reader(site: str, page: str, stop: threading.Event, stats: Stats) -> None:
    client = Commenter(site)
    i = 0
    while not stop.is_set():
        path = "/" if i % 5 == 4 else page
        timed(stats, "read", lambda p=path: client.session.get(site + p, timeout=30))
        i += 1


def commenter(site: str, page: str, post_id: str, n: int, stop: threading.Event, stats: Stats) -> None:
    client = Commenter(site, name=f"Load commenter {n}", email=f"load{n}@example.com")
    i = 0
    while not stop.is_set():
        body = f"Load test comment {n}-{i}: the garden looks lovely this year, {secrets.token_hex(4)}."
        form = timed(stats, "form", lambda b=body: client.form(page, b, post_id=post_id, timeout=30))
        if form is None:
            continue
        timed(stats, "submit", lambda f=form: client.send(f, timeout=30))
        token = client.session.cookies.get("csrftoken", "")
        if not token:  # a cached anonymous page sets no cookie: ask as the form's script does
            client.session.get(site + "/comments/csrf/", headers={"Accept": "application/json"}, timeout=30)
            token = client.session.cookies.get("csrftoken", "")
        timed(stats, "trivial", lambda t=token: client.session.post(
            site + "/_load/trivial/", data={"csrfmiddlewaretoken": t}, timeout=30))
        i += 1


def main(argv: list[str]) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--readers", type=int, default=50)
    args.add_argument("--commenters", type=int, default=10)
    args.add_argument("--seconds", type=float, default=60)
    opts = args.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dispatch-load."))  # the system's temporary folder
    pg = redis = web = None
    workers: list[Process] = []
    try:
        print("starting PostgreSQL, Redis …", flush=True)
        pg = PostgresCluster()
        redis = RedisServer(work / "redis")
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "load"], check=True)
        env = {**os.environ, "DATABASE_URL": pg.url("load"), "CELERY_BROKER_URL": redis.url + "/0",
               "CACHE_URL": redis.url + "/1", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
               "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "COMMENT_FLOOD_INTERVAL": "0",
               "EMAIL_URL": "dummymail://", "VAR_DIR": str(work / "var"), "MEDIA_ROOT": str(work / "media"),
               "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "tests.benchmarks.load_settings"}
        manage = [sys.executable, "manage.py"]
        print("migrating, seeding 300 comments, collectstatic …", flush=True)
        for cmd in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            subprocess.run(manage + cmd, env=env, cwd=ROOT, check=True, capture_output=True)
        post_id, page = subprocess.run(manage + ["shell", "-c", SETUP], env=env, cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout.split()[-2:]
        subprocess.run(manage + ["shell", "-c", (
            "from blog.comments.models import Comment; from tests.factories import CommentFactory; "
            f"[CommentFactory(post_id={post_id}, status='approved') for _ in range(300)]")],
            env=env, cwd=ROOT, check=True, capture_output=True)
        web = WebServer(env, work / "web.log", workers=4, threads=4, debug=False)
        for i in range(2):
            workers.append(Process([sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2",
                                    "--loglevel=INFO", "-n", f"load{i}@%h"], env, work / f"worker-{i}.log"))
        wait_for(lambda: all(" ready." in w.output() for w in workers), timeout=60, what="the workers")

        print(f"{opts.readers} readers and {opts.commenters} commenters for {opts.seconds:g} s against "
              f"{web.url}{page} (gunicorn 4×4, DEBUG=0, PostgreSQL + Redis, 2 workers) …", flush=True)
        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=reader, args=(web.url, page, stop, stats)) for _ in range(opts.readers)]
        threads += [threading.Thread(target=commenter, args=(web.url, page, post_id, n, stop, stats))
                    for n in range(opts.commenters)]
        started = time.monotonic()
        for t in threads:
            t.start()
        stop.wait(opts.seconds)
        stop.set()
        for t in threads:
            t.join(40)
        elapsed = time.monotonic() - started

        accepted = stats.count("submit", 302)

        def tally():
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/load") as conn:
                return conn.execute("SELECT count(*), count(checked_at) FROM comments_comment "
                                    "WHERE body LIKE 'Load test comment %'").fetchone()

        load_done = time.monotonic()
        try:
            wait_for(lambda: tally()[1] >= tally()[0], timeout=120, every=0.5, what="every comment decided")
        except AssertionError as exc:
            print(exc)
        drained = time.monotonic() - load_done
        saved, decided = tally()

        print()
        print(f"{'':24}{'requests':>10}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for kind, label in (("read", "reads (GET)"), ("form", "form page (GET)"),
                            ("submit", "comment POST"), ("trivial", "trivial POST")):
            n = stats.count(kind)
            print(f"{label:<24}{n:>10}{n / elapsed:>9.1f}{stats.p(kind, .5):>9.1f}{stats.p(kind, .95):>9.1f}"
                  f"{stats.p(kind, .99):>9.1f}")
        ratio = stats.p("submit", .95) / max(stats.p("trivial", .95), 0.001)
        print(f"\ncomment POST p95 / trivial POST p95: {ratio:.1f}×")
        print("status codes: " + "; ".join(f"{k} {dict(sorted(v.items()))}" for k, v in stats.status.items()))
        errors = stats.server_errors()
        print(f"5xx or failed requests: {errors}")
        print(f"comments accepted (302): {accepted}; saved: {saved}; decided: {decided}; "
              f"last decision {drained:.1f} s after the load stopped")
        ok = errors == 0 and saved == accepted and decided == saved and accepted > 0
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for w in workers:
            w.stop()
        if web:
            web.stop()
        if redis:
            redis.kill()
        if pg:
            pg.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
