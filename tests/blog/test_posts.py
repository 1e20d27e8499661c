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


# --- visibility -------------------------------------------------------------------------

def test_visible_to_lets_an_author_open_their_own_draft_but_not_anothers(author):
    own = PostFactory(author=author, status=Post.Status.DRAFT)
    other = PostFactory(status=Post.Status.DRAFT)
    visible = set(Post.objects.visible_to(author))
    assert own in visible
    assert other not in visible


def test_a_private_post_is_visible_to_editors_but_not_to_readers(reader):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    private = PostFactory(status=Post.Status.PRIVATE)
    assert private in Post.objects.visible_to(editor)
    assert private not in Post.objects.visible_to(reader)


# --- scheduled publishing ---------------------------------------------------------------

def test_a_scheduled_post_goes_live_when_the_beat_task_runs_after_its_time():
    import time_machine

    from blog.tasks import publish_scheduled_posts

    start = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        post = PostFactory(status=Post.Status.SCHEDULED, published_at=start + timedelta(hours=1))
        assert publish_scheduled_posts() == 0
        assert post not in Post.objects.published()
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        assert publish_scheduled_posts() == 1
        post.refresh_from_db()
        assert post.status == Post.Status.PUBLISHED
        assert post in Post.objects.published()
        assert publish_scheduled_posts() == 0  # nothing left to do: safe to run every minute


def test_a_scheduled_post_is_404_before_its_time_and_served_after(client):
    import time_machine

    from blog import services

    start = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        post = PostFactory(status=Post.Status.SCHEDULED, published_at=start + timedelta(minutes=30))
        assert client.get(post.get_absolute_url()).status_code == 404
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        services.post_publish_due()
        assert client.get(post.get_absolute_url()).status_code == 200


# --- services -----------------------------------------------------------------------------

def test_publishing_a_draft_gives_it_the_current_time():
    from blog import services

    draft = PostFactory(status=Post.Status.DRAFT, published_at=timezone.now() - timedelta(days=7))
    now = timezone.now()
    services.post_publish(post=draft, now=now)
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert draft.published_at == now


def test_publishing_a_published_post_keeps_its_date_and_permalink():
    from blog import services

    post = PostFactory(published_at=datetime(2016, 3, 27, 8, tzinfo=UTC))
    url = post.get_absolute_url()
    services.post_publish(post=post)
    post.refresh_from_db()
    assert post.get_absolute_url() == url


def test_scheduling_needs_a_future_time():
    from blog import services

    post = PostFactory(status=Post.Status.DRAFT, published_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.PostStateError, match="future"):
        services.post_schedule(post=post)
    at = timezone.now() + timedelta(days=1)
    services.post_schedule(post=post, at=at)
    post.refresh_from_db()
    assert (post.status, post.published_at) == (Post.Status.SCHEDULED, at)


def test_unpublishing_takes_a_post_back_to_draft(client):
    from blog import services

    post = PostFactory()
    services.post_unpublish(post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert client.get(post.get_absolute_url()).status_code == 404


def test_updates_are_shown_in_order_of_their_dates():
    post = PostFactory()
    late = PostUpdateFactory(post=post, published_at=timezone.now())
    early = PostUpdateFactory(post=post, published_at=timezone.now() - timedelta(hours=3))
    assert list(post.updates.all()) == [early, late]
