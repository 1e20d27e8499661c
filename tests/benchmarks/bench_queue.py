"""The moderation queue page against the post page, same run, same database, many comments.

Builds a throwaway test database (never the project's), fills one post with N comments
(a tenth pending, the rest approved, N from BENCH_QUEUE_COMMENTS, default 20,000), then
times GET /moderation/ (50 rows) and GET <post permalink> and reports each median and the
ratio queue / post, plus each page's query count. Target: ratio ≤ 2 and a query count that
does not depend on N.

run() -> dict; `python -m tests.benchmarks.bench_queue` prints it.
"""

import os
import statistics
import time


def _fill(post, n: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from blog.comments.models import Comment

    now = timezone.now()
    batch = []
    for i in range(n):
        status = Comment.Status.PENDING if i % 10 == 0 else Comment.Status.APPROVED
        batch.append(Comment(
            post=post, status=status, checked_at=now, body=f"Comment {i} with some words in it.",
            body_html=f"<p>Comment {i} with some words in it.</p>", author_name=f"Reader {i % 500}",
            author_email=f"reader{i % 500}@example.com", ip=f"10.0.{i % 250}.{i % 200}",
            reasons=[{"code": "first_comment", "text": "First comment"}] if status == Comment.Status.PENDING else [],
            spam_score=(i % 100) / 100, created_at=now - timedelta(seconds=n - i), depth=1,
        ))
        if len(batch) == 2000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)
    # Top-level comments: each its own thread, path = its zero-padded id (as the services do).
    for pk in Comment.objects.filter(post=post).values_list("pk", flat=True).iterator():
        Comment.objects.filter(pk=pk).update(thread_id=pk, path=f"{pk:010d}/")
    post.comment_count = Comment.objects.approved().filter(post=post).count()
    post.save()


def _comments_shown(client, url: str) -> int:
    """How many comments the page actually renders (WordPress's li#comment-<id> or queue rows):
    a post page that shows none makes the ratio meaningless, so the result says so."""
    import re

    html = client.get(url).content.decode()
    return len(set(re.findall(r'(?:id="comment-|data-comment-id=")(\d+)"', html)))


def _median_ms(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm caches and templates
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def run(repeat: int = 15, comments: int | None = None) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")  # as the other benchmarks: no SECRET_KEY or TLS redirect needed
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import User
    from blog.models import Post

    n = comments or int(os.environ.get("BENCH_QUEUE_COMMENTS", "20000"))
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        author = User.objects.create_user("bench-author", "author@example.com", "x", is_staff=True)
        moderator = User.objects.create_user("bench-moderator", "mod@example.com", "x", is_staff=True)
        moderator.groups.add(Group.objects.get(name="Moderators"))
        post = Post.objects.create(title="Benchmark post", slug="benchmark-post", author=author,
                                   status=Post.Status.PUBLISHED, body="A post with many comments.")
        start = time.perf_counter()
        _fill(post, n)
        fill_s = time.perf_counter() - start
        client = Client()
        client.force_login(moderator)
        queue_ms, queue_queries = _median_ms(client, "/moderation/", repeat)
        queue_score_ms, _ = _median_ms(client, "/moderation/?sort=score", repeat)
        post_ms, post_queries = _median_ms(Client(), post.get_absolute_url(), repeat)
        queue_rows = _comments_shown(client, "/moderation/")
        post_comments = _comments_shown(Client(), post.get_absolute_url())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return {
        "comments": n,
        "pending": (n + 9) // 10,
        "fill_seconds": round(fill_s, 1),
        "queue_median_ms": round(queue_ms, 1),
        "queue_by_score_median_ms": round(queue_score_ms, 1),
        "post_median_ms": round(post_ms, 1),
        "queue_to_post_ratio": round(queue_ms / post_ms, 2),
        "queue_queries": queue_queries,
        "post_queries": post_queries,
        "queue_rows_shown": queue_rows,
        "post_comments_shown": post_comments,
        "vendor": connection.vendor,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
