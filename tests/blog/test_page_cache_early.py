"""The early answer of the page cache (blog.page_cache.EarlyPageMiddleware): a stored
anonymous post page is served before any other middleware and with no query, with the
headers the whole stack gave it, and never once anything the page shows has changed."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog import page_cache, services
from blog.comments.models import DiscussionSettings
from blog.comments.services import thread_changed
from blog.models import Category, Post, _filtered_ids
from tests.factories import CommentFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settled_at_once(monkeypatch):
    """Every test runs inside a transaction: changes settle at once here (the settling
    itself is tested below)."""
    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", 0)


def stored_early(client, url):
    """GET `url` until the early answer holds it (the first miss learns which post lives
    there, the second stores the page); returns the response served with no query."""
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and len(queries) == 0, [q["sql"] for q in queries]
    return response


def test_a_stored_page_is_served_with_no_query_and_the_headers_of_the_whole_stack(client, post):
    CommentFactory(post=post, body_html="<p>Stored early.</p>")
    thread_changed(post.pk)
    url = post.get_absolute_url()
    rendered = Client().get(url)
    early = stored_early(client, url)
    assert early.content == rendered.content and "Stored early." in early.content.decode()
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "X-Frame-Options",
                   "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Content-Security-Policy"):
        assert early.get(header) == rendered.get(header), header
    assert not early.cookies and "Cookie" not in early.get("Vary", "") and "public" in early["Cache-Control"]


def test_a_current_copy_gets_a_304_from_the_early_answer(client, post):
    url = post.get_absolute_url()
    etag = stored_early(client, url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and not response.content and response["ETag"] == etag
    assert len(queries) == 0


def _approve(post):
    CommentFactory(post=post, body_html="<p>Newly approved.</p>")
    thread_changed(post.pk)
    return "Newly approved."


def _edit(post):
    post = Post.objects.get(pk=post.pk)
    post.title = "A corrected headline"
    post.save()
    return "A corrected headline"


def _update(post):
    PostUpdateFactory(post=post, body="The water has dropped.")
    return "The water has dropped."


def _settings(post):
    discussion = DiscussionSettings.load()
    discussion.require_login = True
    discussion.save()
    return "to post a comment"


def _category(post):
    post.categories.add(Category.objects.create(name="Floods", slug="floods"))
    return "Floods"


def _category_from_its_side(post):
    Category.objects.create(name="Rivers", slug="rivers").posts.add(post)
    return "Rivers"


def _raw_update(post):
    Post.objects.filter(pk=post.pk).update(title="Changed by an UPDATE")
    return "Changed by an UPDATE"


@pytest.mark.parametrize("change", [_approve, _edit, _update, _settings, _category, _category_from_its_side,
                                    _raw_update])
def test_after_any_change_the_next_anonymous_get_shows_it(client, post, change):
    url = post.get_absolute_url()
    before = stored_early(client, url)
    expected = change(post)
    after = client.get(url)
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert expected not in before.content.decode() and expected in after.content.decode()


def test_an_unpublished_or_deleted_post_is_not_served_from_the_early_answer(client, post):
    url = post.get_absolute_url()
    stored_early(client, url)
    services.post_unpublish(post=Post.objects.get(pk=post.pk))  # a save with update_fields
    assert client.get(url).status_code == 404
    services.post_publish(post=Post.objects.get(pk=post.pk))
    stored_early(client, url)
    Post.objects.get(pk=post.pk).delete()
    assert client.get(url).status_code == 404


def test_a_reader_with_a_session_bypasses_the_early_answer(client, post):
    url = post.get_absolute_url()
    stored_early(client, url)
    reader = Client()
    form = {"comment": "Mine, awaiting moderation.", "author": "Grace Guest", "email": "grace@example.com",
            "url": "", "comment_post_ID": post.pk, "comment_parent": 0}
    assert reader.post(reverse("comments:comment-post"), form).status_code == 302
    mine = reader.get(url)
    assert "Your comment is awaiting moderation." in mine.content.decode()
    assert "public" not in mine.get("Cache-Control", "")
    assert "Your comment is awaiting moderation." not in client.get(url).content.decode()


def test_a_query_string_bypasses_the_early_answer(client, post):
    url = post.get_absolute_url()
    stored_early(client, url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{url}?utm_source=feed").status_code == 200
    assert len(queries) > 0


def test_a_change_inside_a_transaction_stores_no_page_until_it_has_surely_committed(client, post, monkeypatch):
    """Readers may render the old row until the commit: nothing is stored under the new
    token for SETTLE_SECONDS (the page is still served, by the view)."""
    url = post.get_absolute_url()
    stored_early(client, url)
    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", 3600)
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(title="Changed in a transaction")
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert "Changed in a transaction" in client.get(url).content.decode()
        assert len(queries) > 0
    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", 0)
    Post.objects.filter(pk=post.pk).update(title="Changed again")
    assert "Changed again" in stored_early(client, url).content.decode()


def test_the_ids_an_update_names_are_read_from_its_filter():
    assert _filtered_ids(Post.objects.filter(pk=7)) == [7]
    assert sorted(_filtered_ids(Post.objects.filter(pk__in=[3, 4], status="published"))) == [3, 4]
    assert _filtered_ids(Post.objects.filter(status="published")) is None
    assert _filtered_ids(Post.objects.filter(pk__in=Post.objects.values("pk"))) is None
    assert _filtered_ids(Post.objects.exclude(pk=7)) is None
