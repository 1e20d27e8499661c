"""Revisions of posts and updates: recorded on each save that changes the text, shown as a
readable line diff, restored as a new revision. (blog.services revision_*, blog.selectors
line_diff / post_revisions, the admin's revisions page.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog import selectors, services
from blog.models import PostUpdate, Revision
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_line_diff_shows_changes_with_a_line_of_context_and_skips_the_rest():
    old = "one\ntwo\nthree\nfour\nfive\nsix"
    new = "one\ntwo\nthree\nFOUR\nfive\nsix"
    assert selectors.line_diff(old, new) == [("…", ""), (" ", "three"), ("-", "four"), ("+", "FOUR"),
                                              (" ", "five"), ("…", "")]
    assert selectors.line_diff("same", "same") == [("…", "")]


def test_each_save_that_changes_the_text_is_a_revision_and_others_are_not(author):
    now = timezone.now()
    post = PostFactory(author=author, title="Flood", body="Water rising.")
    services.post_save(post=post, by=author, now=now)
    services.post_save(post=post, by=author, now=now + timedelta(seconds=1))  # nothing changed
    post.body = "Water rising fast."
    services.post_save(post=post, by=author, now=now + timedelta(seconds=2))
    assert list(Revision.objects.filter(update=None).order_by("created_at").values_list("body", flat=True)) == [
        "Water rising.", "Water rising fast."]
    assert Revision.objects.first().created_by == author


def test_restoring_puts_the_old_text_back_as_a_new_revision_for_posts_and_updates(author):
    now = timezone.now()
    post = PostFactory(author=author, title="Flood", body="First.")
    services.post_save(post=post, now=now)
    first = Revision.objects.get()
    post.title, post.body = "Flood warning", "Second."
    services.post_save(post=post, now=now + timedelta(seconds=1))
    services.revision_restore(revision=first, by=author, now=now + timedelta(seconds=2))
    post.refresh_from_db()
    assert (post.title, post.body, "First." in post.body_html) == ("Flood", "First.", True)
    assert Revision.objects.filter(update=None).count() == 3

    update = services.post_update_save(update=PostUpdate(post=post, body="Crested."), now=now)
    update.body = "Crested at noon."
    services.post_update_save(update=update, now=now + timedelta(seconds=1))
    old = Revision.objects.filter(update=update).order_by("created_at").first()
    services.revision_restore(revision=old, now=now + timedelta(seconds=2))
    update.refresh_from_db()
    assert update.body == "Crested."


def test_the_revisions_page_shows_diffs_and_restores_on_post_only(client, author):
    now = timezone.now()
    post = PostFactory(author=author, title="Flood", body="Water rising.")
    services.post_save(post=post, now=now)
    post.body = "Water rising fast."
    services.post_save(post=post, now=now + timedelta(seconds=1))
    first = Revision.objects.order_by("created_at").first()
    client.force_login(author)
    assert "post-revisions-link" in client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    html = client.get(f"/admin/blog/post/{post.pk}/revisions/").content.decode()
    assert "<del>- Water rising.</del>" in html and "<ins>+ Water rising fast.</ins>" in html
    restore = f"/admin/blog/post/{post.pk}/revisions/{first.pk}/restore/"
    assert client.get(restore).status_code == 405
    assert client.post(restore)["Location"] == f"/admin/blog/post/{post.pk}/change/"
    post.refresh_from_db()
    assert post.body == "Water rising."


def test_another_authors_revisions_are_not_theirs_to_see(client, author):
    post = PostFactory(author=UserFactory(username="other", is_staff=True))
    services.post_save(post=post)
    client.force_login(author)
    assert client.get(f"/admin/blog/post/{post.pk}/revisions/").status_code == 404
    assert client.post(f"/admin/blog/post/{post.pk}/revisions/{Revision.objects.get().pk}/restore/").status_code == 404


def test_the_first_edit_of_a_post_or_update_made_without_revisions_can_be_undone(author):
    post = PostFactory(author=author, body="Imported text.")
    update = PostUpdate.objects.create(post=post, body="Imported update.")
    post.body = "Edited."
    services.post_save(post=post)
    update.body = "Edited update."
    services.post_update_save(update=update)
    assert sorted(Revision.objects.values_list("body", flat=True)) == [
        "Edited update.", "Edited.", "Imported text.", "Imported update."]
