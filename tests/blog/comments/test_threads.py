"""Thread reading: the one-pass render of the ordered rows, paging by top-level comments, the depth cap and the
cached HTML that thread_changed invalidates."""

import datetime
import re
import zoneinfo
from types import SimpleNamespace

import pytest

from blog.comments import threads
from blog.comments.models import Comment, DiscussionSettings
from blog.comments.services import thread_changed
from blog.models import Post
from tests.factories import CommentFactory


def row(pk, parent=None):
    """A thread row as threads.thread_rows reads it (Row's column order)."""
    return (pk, parent, "approved", f"<p>Body {pk}</p>", f"Reader {pk}", "", "", "", None, None,
            "2026-01-02 03:04:05.123456", False)


def context(depth_cap=5):
    return threads.RenderContext(post=SimpleNamespace(author_id=None), depth_cap=depth_cap, avatars=False,
                                 own_ids=frozenset(), edit_ids=frozenset(), reply_base="/2026/01/02/a-post/")


def structure(html):
    return re.sub(r"<article .*?</article>", "", html)


def test_threads_nest_replies_in_one_pass_and_drop_orphans_with_their_replies():
    rows = [row(1), row(2, 1), row(3, 2), row(7, 1), row(4), row(5, 99), row(6, 5)]  # by path
    html = threads.render_threads(rows, context(), [1, 4])
    assert structure(html) == (
        '<li id="comment-1" class="comment depth-1"><ol class="children">'
        '<li id="comment-2" class="comment depth-2"><ol class="children">'
        '<li id="comment-3" class="comment depth-3"></li></ol></li>'
        '<li id="comment-7" class="comment depth-2"></li></ol></li>'
        '<li id="comment-4" class="comment depth-1"></li>'
    )
    assert structure(threads.render_threads(rows, context(), [4, 1])).startswith('<li id="comment-4"')


def test_threads_render_from_one_pass_over_the_rows():
    reads = []

    def stream(n):
        yield row(1)
        for i in range(2, n + 1):
            reads.append(i)
            yield row(i, i - 1 if i % 5 else 1)

    html = threads.render_threads(stream(10_000), context(depth_cap=3), [1])
    assert len(reads) == 9_999 and html.count("<li ") == 10_000 and html.count("</li>") == 10_000
    assert html.count('<ol class="children">') == html.count("</ol>")


def test_a_stored_utc_timestamp_and_a_datetime_in_another_zone_read_alike():
    utc = threads._when("2026-01-02 03:04:05.123456", context())
    assert utc == ('<time datetime="2026-01-02T03:04:05.123456+00:00" title="Friday 2 January 2026, 03:04:05 UTC">'
                   "2 January 2026 at 03:04</time>")
    paris = context()
    paris.tz, paris.utc = zoneinfo.ZoneInfo("Europe/Paris"), False
    assert threads._when(datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), paris) == (
        '<time datetime="2026-01-02T04:04:05+01:00" title="Friday 2 January 2026, 04:04:05 CET">'
        "2 January 2026 at 04:04</time>")
    assert threads._when("2026-01-02 03:04:05", paris).startswith('<time datetime="2026-01-02T04:04:05+01:00"')


@pytest.mark.parametrize(
    ("top_level", "size", "pages"), [(0, 50, 1), (50, 50, 1), (51, 50, 2), (120, 50, 3), (120, 0, 1)]
)
def test_page_count_is_by_top_level_comments(top_level, size, pages):
    assert threads.page_count(top_level, size) == pages


def test_page_slice_and_page_of_agree():
    ids = list(range(1, 8))
    assert threads.page_slice(ids, page=2, page_size=3) == [4, 5, 6]
    assert threads.page_slice(ids, page=3, page_size=3) == [7]
    assert threads.page_of(ids, 5, page_size=3) == 2
    assert threads.page_of(ids, 5, page_size=0) == 1


@pytest.mark.django_db
def test_replies_below_the_depth_cap_follow_their_ancestor_at_the_last_level(post):
    discussion = DiscussionSettings.load()
    discussion.thread_depth = 2
    discussion.save()
    a = CommentFactory(post=post)
    b = CommentFactory(post=post, parent=a)
    c = CommentFactory(post=post, parent=b)
    d = CommentFactory(post=post, parent=c)
    post.refresh_from_db()
    html = threads.thread_page(post, page=None).html
    assert f'id="comment-{a.pk}" class="comment depth-1' in html
    for deep in (b, c, d):
        assert f'id="comment-{deep.pk}" class="comment depth-2' in html
    assert html.count('<ol class="children">') == 1
    assert html.index(f"comment-{b.pk}") < html.index(f"comment-{c.pk}") < html.index(f"comment-{d.pk}")


@pytest.mark.django_db
def test_newest_first_reverses_top_level_comments_but_not_replies(post):
    discussion = DiscussionSettings.load()
    discussion.order = DiscussionSettings.Order.NEWEST
    discussion.save()
    first, second = CommentFactory(post=post), CommentFactory(post=post)
    r1, r2 = CommentFactory(post=post, parent=first), CommentFactory(post=post, parent=first)
    html = threads.thread_page(post, page=None).html
    order = [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', html)]
    assert order == [second.pk, first.pk, r1.pk, r2.pk]


@pytest.mark.django_db
def test_the_rendered_thread_is_cached_until_thread_changed(post, django_assert_num_queries):
    first = CommentFactory(post=post)
    post = Post.objects.get(pk=post.pk)
    DiscussionSettings.load()
    threads.thread_page(post, page=None)
    with django_assert_num_queries(1):  # top-level ids only; the HTML comes from the cache
        cached = threads.thread_page(post, page=None).html
    assert f"comment-{first.pk}" in cached
    second = CommentFactory(post=post)
    assert f"comment-{second.pk}" not in threads.thread_page(post, page=None).html  # stale until told
    thread_changed(post.pk)
    post = Post.objects.get(pk=post.pk)
    assert f"comment-{second.pk}" in threads.thread_page(post, page=None).html


@pytest.mark.django_db
def test_a_commenters_picture_stored_after_the_comment_shows_in_the_same_number_of_queries(
        post, reader, django_assert_num_queries, django_assert_max_num_queries):
    for _ in range(3):
        CommentFactory(post=post, user=reader, avatar_url="")
    CommentFactory(post=post, author_name="Guest", author_email="guest@example.com")
    threads.thread_page(Post.objects.get(pk=post.pk), page=None)  # settings and URL patterns loaded
    thread_changed(post.pk)
    fresh = Post.objects.get(pk=post.pk)
    with django_assert_max_num_queries(20) as before:
        html = threads.thread_page(fresh, page=None).html
    assert "/media/avatars/" not in html and html.count("/accounts/avatars/") == 4
    reader.avatar_url = "/media/avatars/0123abcd.webp"  # stored by accounts.tasks.store_picture
    reader.save()
    thread_changed(post.pk)
    fresh = Post.objects.get(pk=post.pk)
    with django_assert_num_queries(len(before.captured_queries)):
        html = threads.thread_page(fresh, page=None).html
    assert html.count('src="/media/avatars/0123abcd.webp"') == 3 and html.count("/accounts/avatars/") == 1


@pytest.mark.django_db
def test_a_providers_own_picture_url_is_never_shown(post, reader):
    reader.avatar_url = "https://lh3.googleusercontent.com/a/reader"  # stored before pictures were fetched
    reader.save()
    CommentFactory(post=post, user=reader, avatar_url="https://lh3.googleusercontent.com/a/reader")
    html = threads.thread_page(Post.objects.get(pk=post.pk), page=None).html
    assert "googleusercontent" not in html and "/accounts/avatars/" in html


@pytest.mark.django_db
def test_a_comment_shows_author_link_badge_avatar_and_exact_time(post, author):
    c = CommentFactory(post=post, user=author, author_url="https://author.example", author_name="The Author")
    html = threads.thread_page(Post.objects.get(pk=post.pk), page=None).html
    assert '<a class="url" href="https://author.example" rel="external nofollow ugc">The Author</a>' in html
    assert "bypostauthor" in html and "post-author-badge" in html
    assert re.search(r'<img class="avatar" src="/accounts/avatars/[0-9a-f]{16}\.svg"', html)
    assert re.search(r'<time datetime="[^"]+" title="[A-Z][a-z]+day \d+ [A-Z][a-z]+ \d{4}, \d\d:\d\d:\d\d', html)
    assert c.author_email not in html


@pytest.mark.django_db
def test_hidden_comments_and_their_replies_are_not_shown(post):
    spam = CommentFactory(post=post, status=Comment.Status.SPAM)
    reply = CommentFactory(post=post, parent=spam)
    html = threads.thread_page(Post.objects.get(pk=post.pk), page=None).html
    assert f"comment-{spam.pk}" not in html and f"comment-{reply.pk}" not in html
