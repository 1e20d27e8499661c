"""Authoring in the admin: who may edit what, the publishing actions, the live preview."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from blog.models import Post
from media.models import Embed
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/blog/post/"
ADD = "/admin/blog/post/add/"
PREVIEW = "/admin/blog/post/preview/"
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def form_data(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "title": "Bridge reopens", "slug": "bridge-reopens", "body": "The bridge is *open*.", "excerpt": "",
        "status": Post.Status.PUBLISHED, "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"), "kind": Post.Kind.POST, "comment_status": "default",
        "updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0", "updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def response_count(response) -> int:
    return response.context["cl"].result_count


def test_an_author_sees_only_their_own_posts_in_the_list(client, author):
    PostFactory(author=author, title="Mine")
    PostFactory(title="Someone else's")
    client.force_login(author)
    response = client.get(CHANGELIST)
    assert [p.title for p in response.context["cl"].result_list] == ["Mine"]


def test_an_editor_sees_every_post(client, editor, author):
    PostFactory(author=author)
    PostFactory()
    client.force_login(editor)
    assert response_count(client.get(CHANGELIST)) == 2


def test_an_author_cannot_open_or_change_another_authors_post(client, author):
    other = PostFactory(title="Not yours")
    client.force_login(author)
    url = f"/admin/blog/post/{other.pk}/change/"
    assert client.get(url).status_code == 302  # "does not exist" for them
    client.post(url, form_data(title="Hijacked", slug=other.slug, author=author.pk))
    other.refresh_from_db()
    assert other.title == "Not yours"


def test_an_author_edits_their_own_post_and_its_modified_time_moves(client, author):
    post = PostFactory(author=author, modified_at=timezone.now() - timedelta(days=3))
    client.force_login(author)
    url = f"/admin/blog/post/{post.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(title="Better title", slug=post.slug))
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    assert post.title == "Better title"
    assert post.modified_at > timezone.now() - timedelta(minutes=1)


def test_a_new_post_is_written_by_the_current_user_even_if_the_form_says_otherwise(client, author):
    someone = UserFactory(username="someone")
    client.force_login(author)
    response = client.post(ADD, form_data(author=someone.pk))
    assert response.status_code == 302
    assert Post.objects.get(slug="bridge-reopens").author == author


def test_an_editor_may_write_in_another_authors_name_and_defaults_to_themself(client, editor, author):
    client.force_login(editor)
    assert client.get(ADD).context["adminform"].form.initial["author"] == editor.pk
    client.post(ADD, form_data(author=author.pk))
    assert Post.objects.get(slug="bridge-reopens").author == author


def test_an_author_adds_a_post_with_a_dated_update(client, author):
    client.force_login(author)
    when = timezone.localtime() - timedelta(hours=1)
    response = client.post(ADD, form_data(**{
        "updates-TOTAL_FORMS": "1", "updates-0-published_at_0": when.strftime("%Y-%m-%d"),
        "updates-0-published_at_1": when.strftime("%H:%M:%S"), "updates-0-body": "Traffic is moving.",
    }))
    assert response.status_code == 302
    post = Post.objects.get(slug="bridge-reopens")
    assert [u.body for u in post.updates.all()] == ["Traffic is moving."]


def test_the_publish_schedule_and_unpublish_actions(client, author):
    draft = PostFactory(author=author, status=Post.Status.DRAFT)
    future = PostFactory(author=author, status=Post.Status.DRAFT, published_at=timezone.now() + timedelta(days=1))
    live = PostFactory(author=author)
    client.force_login(author)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    client.post(CHANGELIST, {"action": "schedule", "_selected_action": [future.pk]})
    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]})
    statuses = {p.pk: p.status for p in Post.objects.all()}
    assert statuses == {draft.pk: "published", future.pk: "scheduled", live.pk: "draft"}


def test_scheduling_a_post_in_the_past_explains_why_not(client, author):
    post = PostFactory(author=author, status=Post.Status.DRAFT, published_at=timezone.now() - timedelta(days=1))
    client.force_login(author)
    response = client.post(CHANGELIST, {"action": "schedule", "_selected_action": [post.pk]}, follow=True)
    assert "set a future time" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_the_list_links_a_preview_of_a_draft(client, author):
    draft = PostFactory(author=author, status=Post.Status.DRAFT)
    client.force_login(author)
    html = client.get(CHANGELIST).content.decode()
    assert f'href="{draft.get_absolute_url()}" class="post-preview-link">Preview</a>' in html


def test_the_preview_renders_markdown_sanitised(client, author):
    client.force_login(author)
    response = client.post(PREVIEW, {"body": "# Hi\n\n*there*<script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<em>there</em>" in html
    assert "<script" not in html


def test_the_preview_renders_an_embed_without_writing_a_row_or_queueing_a_fetch(
        client, author, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(PREVIEW, {"body": f"Watch:\n\n{VIDEO}"})
    assert "embed-facade" in response.json()["html"] and "Watch on YouTube" in response.json()["html"]
    assert not Embed.objects.exists() and not callbacks and queued == []


def test_saving_a_post_with_a_video_url_creates_its_embed_and_queues_the_fetch(
        client, author, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, form_data(body=f"Watch:\n\n{VIDEO}"))
    assert response.status_code == 302
    embed = Embed.objects.get()
    assert embed.url == VIDEO and embed.fetched_at is None
    assert queued == [("media.tasks.fetch_embed", (embed.url_hash,))]


def test_the_preview_needs_post_csrf_and_staff(client, author, reader):
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302  # to the admin login
    client.force_login(reader)
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302
    client.force_login(author)
    assert client.get(PREVIEW).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    assert strict.post(PREVIEW, {"body": "x"}).status_code == 403


def test_the_change_form_loads_the_preview_script_with_its_endpoint(client, author):
    client.force_login(author)
    html = client.get(ADD).content.decode()
    assert "blog/admin-preview.js" in html
    assert f'data-preview-url="{PREVIEW}"' in html


def test_the_change_form_autosaves_the_body_after_the_preview_script(client, author):
    client.force_login(author)
    html = client.get(ADD).content.decode()
    assert 'data-autosave="body"' in html
    assert html.index("blog/admin-preview.js") < html.index("blog/admin-autosave.js")


def test_an_author_cannot_add_discussion_settings(client, author, admin_user):
    client.force_login(author)
    assert client.get("/admin/comments/discussionsettings/add/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/admin/comments/discussionsettings/add/").status_code == 200


def test_publishing_with_a_future_date_schedules_the_post(client, author):
    client.force_login(author)
    later = timezone.localtime() + timedelta(days=2)
    client.post(ADD, form_data(published_at_0=later.strftime("%Y-%m-%d"), published_at_1=later.strftime("%H:%M:%S")))
    post = Post.objects.get(slug="bridge-reopens")
    assert post.status == Post.Status.SCHEDULED
    assert post not in Post.objects.published()


def test_the_post_list_makes_a_constant_number_of_queries(client, editor, django_assert_max_num_queries):
    for _ in range(20):
        PostFactory(author=UserFactory())
    client.force_login(editor)
    with django_assert_max_num_queries(16):
        assert client.get(CHANGELIST).status_code == 200


def test_a_post_saved_as_published_is_announced_once_but_a_backdated_one_is_not(client, author):
    from blog.comments.models import Notification, Subscription

    Subscription.objects.create(email="fan@example.com", kind="posts", confirmed_at=timezone.now())
    client.force_login(author)
    client.post(ADD, form_data())
    post = Post.objects.get(slug="bridge-reopens")
    client.post(f"{CHANGELIST}{post.pk}/change/", form_data(title="Bridge reopens at last"))
    assert list(Notification.objects.values_list("kind", "post", "recipient")) == [
        ("new_post", post.pk, "fan@example.com")]
    old = timezone.localtime() - timedelta(days=5)
    client.post(ADD, form_data(slug="old-news", published_at_0=old.strftime("%Y-%m-%d"),
                               published_at_1=old.strftime("%H:%M:%S")))
    assert Post.objects.get(slug="old-news").is_public
    assert Notification.objects.count() == 1


def test_an_update_added_in_the_admin_tells_the_storys_followers_once(client, author):
    from blog.comments.models import Notification, Subscription

    post = PostFactory(author=author, slug="flood")
    Subscription.objects.create(email="fan@example.com", kind="updates", post=post, confirmed_at=timezone.now())
    client.force_login(author)
    when = timezone.localtime() - timedelta(minutes=5)
    update_form = {"updates-TOTAL_FORMS": "1", "updates-0-published_at_0": when.strftime("%Y-%m-%d"),
                   "updates-0-published_at_1": when.strftime("%H:%M:%S"), "updates-0-body": "Water rising."}
    change = f"{CHANGELIST}{post.pk}/change/"
    assert client.post(change, form_data(slug="flood", **update_form)).status_code == 302
    [update] = post.updates.all()
    assert list(Notification.objects.values_list("kind", "recipient")) == [("post_update", "fan@example.com")]
    edited = {**update_form, "updates-INITIAL_FORMS": "1", "updates-0-id": str(update.pk), "updates-0-post": str(post.pk),
              "updates-0-body": "Water rising fast."}
    assert client.post(change, form_data(slug="flood", **edited)).status_code == 302
    assert post.updates.get().body == "Water rising fast."
    assert Notification.objects.count() == 1  # an edit is not news again
    deleted = {**edited, "updates-0-DELETE": "on"}
    assert client.post(change, form_data(slug="flood", **deleted)).status_code == 302
    assert not post.updates.exists()


# --- images from the editor ----------------------------------------------------------------

IMAGES = "/admin/blog/post/images/"
UPLOAD = "/admin/blog/post/images/upload/"


def test_an_author_uploads_an_image_from_the_editor_through_the_pillow_pipeline(client, author):
    from media.models import Image
    from tests.media_files import image_bytes, upload

    client.force_login(author)
    response = client.post(UPLOAD, {"file": upload(image_bytes((640, 480))), "alt": "The quay", "caption": "At dawn"})
    assert response.status_code == 201
    image = Image.objects.get(pk=response.json()["id"])
    assert (image.alt, image.caption, image.width, image.uploaded_by) == ("The quay", "At dawn", 640, author)
    assert client.get(UPLOAD).status_code == 405


def test_an_upload_without_alt_text_or_not_an_image_is_refused_with_a_reason(client, author):
    from media.models import Image
    from tests.media_files import image_bytes, truncated_jpeg, upload

    client.force_login(author)
    no_alt = client.post(UPLOAD, {"file": upload(image_bytes()), "alt": "  "})
    assert no_alt.status_code == 400 and "alt text" in no_alt.json()["error"]
    broken = client.post(UPLOAD, {"file": upload(truncated_jpeg()), "alt": "Broken"})
    assert broken.status_code == 400 and broken.json()["error"]
    assert not Image.objects.exists()


def test_the_picker_lists_the_newest_images_and_searches_alt_and_caption(client, author, reader):
    from tests.media_files import stored_photo

    quay = stored_photo(alt="The quay", renditions=False)
    stored_photo(alt="A bridge", caption="Over the quay at night", renditions=False)
    stored_photo(alt="Crowd", renditions=False)
    client.force_login(author)
    assert len(client.get(IMAGES).json()["images"]) == 3
    found = client.get(IMAGES, {"q": "quay"}).json()["images"]
    assert sorted(i["alt"] for i in found) == ["A bridge", "The quay"]
    assert next(i for i in found if i["id"] == quay.pk)["url"] == quay.file.url
    client.force_login(reader)
    assert client.get(IMAGES).status_code == 302  # not staff: to the admin login
