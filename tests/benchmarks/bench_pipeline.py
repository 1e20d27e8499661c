"""The moderation pipeline: screening throughput per worker process (rules + classifier) and
submit-to-decision latency with one worker at 20 submissions/s (target: p95 under 1 s)."""

import csv
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the worker runs from there


def texts() -> list[str]:
    """Real comments: the YouTube Spam Collection committed in tests/data/youtube-spam/."""
    paths = sorted((DATA_DIR / "youtube-spam").glob("Youtube0*.csv"))
    if not paths:
        raise FileNotFoundError(f"no YouTube Spam Collection files in {DATA_DIR / 'youtube-spam'}")
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            rows += [r["CONTENT"] for r in csv.DictReader(fh)]
    return rows


def make_comments(post, n: int, offset: int = 0) -> list[int]:
    from blog.comments.models import Comment

    pool = texts()
    made = Comment.objects.bulk_create([
        Comment(post=post, status="pending", body=pool[(offset + i) % len(pool)][:2000],
                author_name=f"Reader {i % 40}", author_email=f"reader{i % 40}@example.com", form_age=20.0)
        for i in range(n)
    ])
    return [c.pk for c in made]


def wait_decided(ids: list[int], timeout: float = 120) -> None:
    from blog.comments.models import Comment

    deadline = time.monotonic() + timeout
    while Comment.objects.filter(pk__in=ids, checked_at__isnull=True).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("comments were not decided in time")
        time.sleep(0.05)


def start_worker(pool: str = "solo") -> subprocess.Popen:
    log = Path(os.environ["VAR_DIR"]) / f"bench-worker-{pool}.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-{pool}@%h"],
        cwd=ROOT, env=dict(os.environ), stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    return proc


def submit_at_rate(post, *, rate: int, total: int, offset: int) -> list[float]:
    """Save and queue `total` comments at `rate` per second; their sorted latencies (s)."""
    from blog.comments.models import Comment
    from blog.moderation import tasks
    from config import helpers

    submitted = []
    t0 = time.perf_counter()
    for i in range(total):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        [pk] = make_comments(post, 1, offset=offset + i)
        helpers.enqueue(tasks.screen_comment, pk)
        submitted.append(pk)
    wait_decided(submitted)
    rows = Comment.objects.filter(pk__in=submitted).values_list("created_at", "checked_at")
    return sorted((checked - created).total_seconds() for created, checked in rows)


def run() -> dict:
    from django.conf import settings
    from django.db.models import Count

    from blog.comments.models import Comment, DiscussionSettings
    from blog.moderation import classifier as spam
    from blog.moderation import pipeline, tasks
    from config import helpers
    from tests.factories import PostFactory, UserFactory

    post = PostFactory(author=UserFactory(username="bench-author"))
    spam.ensure_seeded()
    DiscussionSettings.load()
    result = {"broker": settings.CELERY_BROKER_URL.split("://")[0], "database": settings.DATABASES["default"]["ENGINE"]}

    # 1. In one process, no broker: the cost of a decision (queries, rules, classifier).
    ids = make_comments(post, 300)
    started = time.perf_counter()
    for pk in ids:
        pipeline.comment_screen(comment_id=pk)
    result["in-process screening, comments/s"] = len(ids) / (time.perf_counter() - started)

    offset = 300
    for pool in ("solo", "prefork"):
        label = "solo: 1 process" if pool == "solo" else f"prefork: {os.cpu_count()} processes"
        worker = start_worker(pool)
        try:
            # 2. One worker through the broker, a backlog of 300.
            ids = make_comments(post, 300, offset=offset)
            started = time.perf_counter()
            for pk in ids:
                helpers.enqueue(tasks.screen_comment, pk)
            wait_decided(ids)
            result[f"[{label}] backlog of 300, comments/s"] = len(ids) / (time.perf_counter() - started)
            # 3. Submissions at 20/s for 10 s: submit-to-decision latency.
            latencies = submit_at_rate(post, rate=20, total=200, offset=offset + 300)
            result[f"[{label}] latency at 20/s, p50 s"] = statistics.median(latencies)
            result[f"[{label}] latency at 20/s, p95 s"] = latencies[int(0.95 * len(latencies)) - 1]
            result[f"[{label}] p95 under 1 s"] = "yes" if latencies[int(0.95 * len(latencies)) - 1] < 1 else "NO"
        finally:
            worker.terminate()
            worker.wait(30)
        offset += 500
    result["machine load (1 min)"] = os.getloadavg()[0]
    counts = Comment.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    result["decisions"] = ", ".join(f"{status}={n}" for status, n in counts)
    return result
