from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import PageFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_scheduled_private_and_future_posts():
    live = PostFactory()
    PostFactory(status=Post.Status.DRAFT)
    PostFactory(status=Post.Status.PRIVATE)
    PostFactory(status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1))
    PostFactory(status=Post.Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1))
    assert list(Post.objects.published()) == [live]


def test_the_permalink_is_wordpress_shaped():
    post = PostFactory(slug="hello", published_at=datetime(2016, 3, 7, 12, tzinfo=UTC))
    assert post.get_absolute_url() == "/2016/03/07/hello/"


def test_a_page_lives_at_its_slug():
    assert PageFactory(slug="about").get_absolute_url() == "/about/"


def test_the_body_is_rendered_and_sanitised_on_save():
    post = PostFactory(body="Hi *there*<script>alert(1)</script><img src=x onerror=alert(1)>")
    assert "<em>there</em>" in post.body_html
    assert "script" not in post.body_html
    assert "onerror" not in post.body_html


def test_an_update_bumps_the_posts_modified_time():
    post = PostFactory(modified_at=timezone.now() - timedelta(days=2))
    later = timezone.now()
    PostUpdateFactory(post=post, published_at=later)
    post.refresh_from_db()
    assert post.modified_at == later


def test_a_post_page_answers_and_a_draft_is_404_to_readers(client):
    post = PostFactory()
    draft = PostFactory(status=Post.Status.DRAFT)
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("url", ["/2099/01/01/no-such-post/", "/2016/02/31/x/", "/2016/13/01/x/", "/nope/"])
def test_unknown_and_impossible_permalinks_answer_404(client, url):
    assert client.get(url).status_code == 404
