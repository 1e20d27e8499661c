"""`seed_demo`: the demo a new user sees after `make run`, idempotent, and fast bulk comments."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage

from blog.comments.models import Comment
from blog.demo import STORY_SLUG
from blog.models import Category, Post, PostUpdate, Tag
from media.models import Image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_password(settings, tmp_path):
    settings.DEMO_PASSWORD = "demo-pass-123"
    settings.VAR_DIR = tmp_path


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Post, PostUpdate, Image, Category, Tag, Comment)}


def test_it_prints_the_urls_and_the_three_logins_with_the_password(settings):
    output = seed()
    assert f"{settings.SITE_URL}/" in output
    assert f"{settings.SITE_URL}/admin/" in output
    for name in ("admin", "author", "moderator"):
        assert name in output
    assert "demo-pass-123" in output


def test_the_logins_work_with_the_password(client):
    seed()
    for name in ("admin", "author", "moderator"):
        assert client.login(username=name, password="demo-pass-123"), name


def test_a_password_is_generated_once_when_none_is_set(settings):
    settings.DEMO_PASSWORD = ""
    first = re.search(r"Password: (\S+)", seed())[1]
    second = re.search(r"Password: (\S+)", seed())[1]
    assert first == second
    assert len(first) >= 12


def test_running_it_twice_changes_nothing():
    seed()
    before = counts()
    seed()
    assert counts() == before


def test_the_developing_story_has_quote_list_video_gallery_and_two_updates():
    seed()
    story = Post.objects.get(slug=STORY_SLUG)
    assert story.is_public
    assert "<blockquote>" in story.body_html
    assert story.body_html.count("<li>") >= 3
    assert re.search(r"^https://www\.youtube\.com/watch\?v=\S+$", story.body, re.M)
    ids = [int(i) for i in re.search(r'\[gallery ids="([\d,]+)"\]', story.body)[1].split(",")]
    images = Image.objects.filter(pk__in=ids)
    assert len(images) == 3
    for image in images:
        assert image.caption and image.alt
        assert image.file.name.startswith("blog/images/")
        with PILImage.open(image.file.path) as pil:
            assert pil.format == "JPEG"
            assert pil.size == (image.width, image.height)
    assert story.updates.count() == 2


def test_there_are_posts_across_categories_with_a_sticky_a_scheduled_a_draft_and_about():
    seed()
    posts = Post.objects.posts()
    assert posts.published().count() >= 6
    assert Category.objects.filter(posts__in=posts.published()).distinct().count() >= 3
    assert Tag.objects.filter(posts__in=posts.published()).distinct().count() >= 3
    assert posts.published().filter(sticky=True).exists()
    scheduled = posts.get(status=Post.Status.SCHEDULED)
    assert scheduled.published_at > timezone.now()
    assert posts.filter(status=Post.Status.DRAFT).exists()
    assert Post.objects.pages().published().filter(slug="about").exists()


def test_the_home_page_serves_the_demo(client):
    seed()
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["page_obj"][0].sticky


def queries_to_seed(*args) -> int:
    with CaptureQueriesContext(connection) as ctx:
        seed(*args)
    return len(ctx.captured_queries)


def test_comments_adds_threaded_approved_comments_in_bulk():
    seed()
    story = Post.objects.get(slug=STORY_SLUG)
    few = queries_to_seed("--comments", "10")
    many = queries_to_seed("--comments", "990")
    # Bulk INSERTs: SQLite caps the parameters per statement (~45 rows), PostgreSQL takes 1,000.
    assert many - few <= 980 / 20
    comments = Comment.objects.filter(post=story, author_email__endswith="@example.com")
    assert comments.count() == 1000
    assert set(comments.values_list("status", flat=True)) == {Comment.Status.APPROVED}
    assert comments.filter(parent__isnull=False).exists()
    assert max(comments.values_list("depth", flat=True)) <= 5
    story.refresh_from_db()
    assert story.comment_count == 1000 + 1  # and the demo conversation's one approved comment


def test_the_story_gets_readers_comments_for_the_pipeline_to_decide(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        seed()
    story = Post.objects.get(slug=STORY_SLUG)
    first, *others = story.comments.order_by("pk")
    assert first.status == Comment.Status.APPROVED
    assert first.events.get().actor.username == "moderator"
    assert [(c.status, c.checked_at) for c in others] == [(Comment.Status.PENDING, None)] * 3
    assert len(callbacks) >= 3  # screen_comment queued for each after commit
    seed()
    assert story.comments.count() == 4


def test_comments_run_twice_add_more_without_id_clashes():
    seed("--comments", "20")
    seed("--comments", "20")
    assert Comment.objects.count() == 40 + 4  # and the demo conversation
    story = Post.objects.get(slug=STORY_SLUG)
    Comment.objects.create(post=story, body="A real one", author_name="Ann")  # the sequence moved on
