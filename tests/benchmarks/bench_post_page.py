"""The post page with 100 and 1,000 approved comments (tests/benchmarks/shapes.py), served
in this process through the whole middleware stack by Django's test client: uncached (every
cache cleared before each GET: the full render), thread cached, page cached, and a trivial
view for scale. Sequential GETs; figures are the mean per GET and its inverse.

Returns the Dispatch rows of the side-by-side table (bench_side_by_side reuses `measure`)."""

import statistics
import time

from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from tests.benchmarks import shapes

GETS = 50


def seed_post(count: int, *, prefix: str = "bench"):
    """A published post carrying the shaped comments (bulk-created, parents first)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    from blog.comments import tree
    from blog.comments.models import Comment
    from blog.comments.rendering import render_comment_html
    from blog.models import Post

    author, _ = get_user_model().objects.get_or_create(username="bench-author")
    post = Post.objects.create(
        title=f"A post with {count} comments", slug=f"{prefix}-{count}", author=author,
        status=Post.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=2),
        body="<p>The river rose above its banks overnight.</p>" * 5,
    )
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = timezone.now() - timedelta(days=1)
    made: list[Comment] = []
    for shaped in shapes.comments(count):
        parent = made[shaped.parent] if shaped.parent is not None else None
        c = Comment(
            pk=last + shaped.i + 1, post=post, status=Comment.Status.APPROVED, checked_at=start,
            body=shaped.body, body_html=render_comment_html(shaped.body), author_name=shaped.name,
            author_email=shaped.email, created_at=start + timedelta(seconds=shaped.i),
        )
        tree.place(c, parent)
        made.append(c)
    Comment.objects.bulk_create(made, batch_size=1000)
    Post.objects.filter(pk=post.pk).update(comment_count=count)
    post.refresh_from_db()
    return post


def discussion_all_on_one_page():
    from blog.comments.models import DiscussionSettings

    discussion = DiscussionSettings.load()
    discussion.page_size = 0  # the full render: every comment on one page
    discussion.save()


class _Client:
    """GETs through Django's WSGI handler as a server calls it (the test client would add
    its own instrumentation: template signals, context copies)."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def get(self, url: str):
        environ = self.factory._base_environ(PATH_INFO=url, REQUEST_METHOD="GET", QUERY_STRING="")
        status = []
        body = b"".join(self.handler(environ, lambda s, headers, *a: status.append((s, headers))))
        return int(status[0][0].split()[0]), dict(status[0][1]), body


def measure(url: str, *, gets: int = GETS, clear: bool = False) -> dict:
    """Mean ms per sequential GET of `url`, req/s, bytes and queries of one GET."""
    client = _Client()
    client.get(url)  # warm: imports, template loading
    if clear:
        cache.clear()
    connection.queries_log.clear()  # a full log (DEBUG keeps 9,000) would count nothing
    with CaptureQueriesContext(connection) as queries:
        code, headers, body = client.get(url)
    assert code == 200, (url, code)
    times = []
    for _ in range(gets):
        if clear:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    mean = statistics.fmean(times)
    return {"ms": mean * 1000, "req_s": 1 / mean, "bytes": len(body), "queries": len(queries),
            "cookies": "set" if "Set-Cookie" in headers else "none"}


def run() -> dict:
    with override_settings(ROOT_URLCONF="tests.benchmarks.urls"):
        return _run()


def _run() -> dict:
    discussion_all_on_one_page()
    rows = {}
    for count in (100, 1000):
        post = seed_post(count)
        url = post.get_absolute_url()
        rows[f"{count} uncached"] = measure(url, clear=True)
        rows[f"{count} cached"] = measure(url)
    small, big = rows["100 uncached"], rows["1000 uncached"]
    slope_us = (big["ms"] - small["ms"]) / 900 * 1000
    rows["trivial view"] = measure("/bench/hello/")
    out = {}
    for name, row in rows.items():
        out[name] = (f"{row['ms']:.1f} ms · {row['req_s']:.0f} req/s · {row['bytes'] / 1e6:.2f} MB · "
                     f"{row['queries']} queries · cookie {row['cookies']}")
    out["per comment (slope)"] = f"{slope_us:.1f} µs"
    out["cached / trivial"] = f"{rows['1000 cached']['req_s'] / rows['trivial view']['req_s']:.0%}"
    return out
