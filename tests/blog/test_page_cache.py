"""Whole-page cache for anonymous readers (blog.page_cache): no cookie and no Vary: Cookie
on an anonymous GET, the page stored under the post's page version, 304s, bypassed by a
session, and the comment form still protected and still working without JavaScript."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.comments.models import Comment, DiscussionSettings
from blog.comments.services import thread_changed
from blog.models import Post
from tests.factories import CommentFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


def comment_data(post, **overrides):
    return {"comment": "The bridge on Mill Street is closed again.", "author": "Grace Guest",
            "email": "grace@example.com", "url": "", "comment_post_ID": post.pk, "comment_parent": 0, **overrides}


def test_an_anonymous_post_page_sets_no_cookie_and_any_proxy_may_cache_it(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    assert "public" in response["Cache-Control"] and "s-maxage=" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken" value=""' in html and 'data-csrf-url="/comments/csrf/"' in html


def test_the_second_anonymous_get_is_served_from_the_cache_with_one_query(post):
    CommentFactory.create_batch(5, post=post)
    thread_changed(post.pk)
    client = Client()
    first = client.get(post.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(post.get_absolute_url())
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert len(queries) == 1  # the post itself: its page version is part of the key


def test_a_reader_whose_copy_is_current_gets_a_304(client, post):
    etag = client.get(post.get_absolute_url())["ETag"]
    response = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and not response.content


@pytest.mark.parametrize("change", ["approval", "edit", "update", "settings"])
def test_every_change_the_page_shows_gives_a_new_page(client, post, change):
    url = post.get_absolute_url()
    before = client.get(url)
    if change == "approval":
        CommentFactory(post=post, body_html="<p>Newly approved.</p>")
        thread_changed(post.pk)
        expected = "Newly approved."
    elif change == "edit":
        post = Post.objects.get(pk=post.pk)
        post.title = "A corrected headline"
        post.save()
        expected = "A corrected headline"
    elif change == "update":
        PostUpdateFactory(post=post, body="The water has dropped.")
        expected = "The water has dropped."
    else:
        discussion = DiscussionSettings.load()
        discussion.require_login = True
        discussion.save()
        expected = "to post a comment"
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert expected not in before.content.decode() and expected in after.content.decode()


def test_an_edit_never_writes_back_a_stale_page_version(post):
    stale = Post.objects.get(pk=post.pk)
    thread_changed(post.pk)
    bumped = Post.objects.get(pk=post.pk).comments_version
    stale.title = "Edited from an old copy"
    stale.save()
    assert Post.objects.get(pk=post.pk).comments_version == bumped + 1


def test_a_reader_with_a_pending_comment_of_their_own_bypasses_the_cache(post):
    reader, other = Client(), Client()
    assert other.get(post.get_absolute_url()).status_code == 200  # cached now
    assert reader.post(reverse("comments:comment-post"), comment_data(post)).status_code == 302
    mine = reader.get(post.get_absolute_url())
    assert "Your comment is awaiting moderation." in mine.content.decode()
    assert "public" not in mine.get("Cache-Control", "")
    assert "Your comment is awaiting moderation." not in other.get(post.get_absolute_url()).content.decode()


def test_without_javascript_a_guest_posts_from_the_cached_page_with_no_token(post):
    browser = Client(enforce_csrf_checks=True)
    assert not browser.get(post.get_absolute_url()).cookies
    response = browser.post(reverse("comments:comment-post"), comment_data(post))
    assert response.status_code == 302 and Comment.objects.filter(post=post).count() == 1


def test_a_post_from_another_site_is_refused(post):
    response = Client(enforce_csrf_checks=True).post(
        reverse("comments:comment-post"), comment_data(post), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and not Comment.objects.exists()


def test_a_post_that_carries_a_session_needs_the_token(post):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["sessionid"] = "a-session"
    assert browser.post(reverse("comments:comment-post"), comment_data(post)).status_code == 403
    token = browser.get(reverse("comments:csrf-token")).json()["token"]
    response = browser.post(reverse("comments:comment-post"), comment_data(post, csrfmiddlewaretoken=token))
    assert response.status_code == 302 and Comment.objects.count() == 1


def test_the_token_endpoint_sets_the_csrf_cookie_and_is_never_cached(client):
    response = client.get(reverse("comments:csrf-token"))
    assert response.json()["token"] and "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_search_or_a_reply_link_is_never_served_from_the_cache(client, post):
    comment = CommentFactory(post=post)
    thread_changed(post.pk)
    response = client.get(f"{post.get_absolute_url()}?replytocom={comment.pk}")
    assert "public" not in response.get("Cache-Control", "") and f"Reply to {comment.author_name}" in \
        response.content.decode()


def test_archives_are_cached_for_anonymous_readers_and_change_with_a_new_post(client, author):
    PostFactory(title="First story", author=author)
    first = client.get("/")
    assert not first.cookies and "public" in first["Cache-Control"]
    PostFactory(title="Second story", author=author)
    assert "Second story" in client.get("/").content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_a_post_page_renders_in_a_constant_number_of_queries_whatever_the_comments(client, post, count):
    """The full render (a session bypasses the page cache, the thread cache is cleared):
    at most 10 queries for 3 comments as for 60."""
    from django.core.cache import cache

    parents = CommentFactory.create_batch(count // 3, post=post)
    for parent in parents:
        CommentFactory(post=post, parent=CommentFactory(post=post, parent=parent))
    thread_changed(post.pk)
    client.cookies["sessionid"] = "a-session"
    client.get(post.get_absolute_url())
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        html = client.get(post.get_absolute_url()).content.decode()
    assert html.count('class="comment depth-') == count
    assert len(queries) <= 10


def test_new_renditions_of_a_featured_image_give_a_new_page(client):
    from media.models import Image
    from media.signals import renditions_ready
    from tests.media_files import stored_photo

    post = PostFactory(featured_image=stored_photo())
    before = Post.objects.get(pk=post.pk).comments_version
    renditions_ready.send(sender=Image, images=[post.featured_image])
    assert Post.objects.get(pk=post.pk).comments_version == before + 1


def test_an_update_whose_body_is_rendered_again_gives_a_new_page(post):
    from blog.models import PostUpdate
    from blog.receivers import bodies_rerender

    update = PostUpdateFactory(post=post, body="Before the embed https://www.youtube.com/watch?v=aqz-KE-bpKQ")
    PostUpdate.objects.filter(pk=update.pk).update(body_html="<p>stale</p>")
    before = Post.objects.get(pk=post.pk).comments_version
    assert bodies_rerender(needles=["aqz-KE-bpKQ"]) >= 1
    assert Post.objects.get(pk=post.pk).comments_version == before + 1
