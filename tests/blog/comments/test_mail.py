"""Notification e-mails: recorded once, sent once, only for approved comments; one-click
moderation links (confirm on GET, act on POST, signed and expiring)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from blog import services
from blog.comments import links, outbox, tasks
from blog.comments import mail as comment_mail
from blog.comments.models import Comment, DiscussionSettings, Notification, Subscription
from blog.moderation import mail as moderator_mail
from blog.moderation import oneclick, pipeline
from tests.factories import CommentFactory, PageFactory, PostFactory, PostUpdateFactory
from tests.mailbox import manage_link_for

pytestmark = pytest.mark.django_db


def approved_comment(post, **kw) -> Comment:
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    comment = CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", email_proof="browser",
                             status="pending", checked_at=None, form_age=30.0,
                             body="Thanks, that explains the second part.", **kw)
    assert pipeline.comment_screen(comment_id=comment.pk) == "approved"
    return comment


def send_all() -> int:
    return sum(comment_mail.deliver(pk) for pk in Notification.objects.values_list("pk", flat=True))


def test_the_post_author_gets_one_mail_however_often_delivery_runs(post):
    approved_comment(post)
    assert send_all() == 1
    assert send_all() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [post.author.email]
    assert "Thanks, that explains the second part." in mail.outbox[0].body
    assert Notification.objects.get().sent_at is not None


def test_recording_twice_keeps_one_row(post):
    comment = approved_comment(post)
    outbox.on_comment_approved(comment)
    assert Notification.objects.filter(comment=comment).count() == 1


def test_the_commenter_hears_of_approval_when_they_asked(post):
    approved_comment(post, notify_on_approval=True)
    send_all()
    assert sorted(m.subject for m in mail.outbox) == [f"[Dispatch] New comment on \"{post.title}\"",
                                                      "[Dispatch] Your comment was approved"]
    approved = next(m for m in mail.outbox if m.to == ["ann@example.com"])
    assert manage_link_for(approved.body) == "ann@example.com"


def test_the_post_author_is_not_told_about_their_own_comment(post):
    CommentFactory(post=post, user=post.author, author_email=post.author.email, status="approved")
    comment = CommentFactory(post=post, user=post.author, author_email=post.author.email, status="pending",
                             checked_at=None, body="Thanks, that explains the second part.")
    pipeline.comment_screen(comment_id=comment.pk)
    assert not Notification.objects.exists()


def test_subscribers_get_list_unsubscribe_headers_and_the_manage_link(post, monkeypatch):
    sub = Subscription.objects.create(kind="comments", email="sub@example.com", post=post,
                                      confirmed_at=timezone.now())
    monkeypatch.setattr("blog.comments.outbox.subscribers_for_comment", lambda comment: [sub])
    monkeypatch.setattr("blog.comments.links.unsubscribe_url", lambda s: f"https://blog.example/unsub/{s.token}/")
    approved_comment(post)
    send_all()
    to_sub = next(m for m in mail.outbox if m.to == ["sub@example.com"])
    assert to_sub.extra_headers["List-Unsubscribe"] == f"<https://blog.example/unsub/{sub.token}/>"
    assert to_sub.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://blog.example/unsub/{sub.token}/" in to_sub.body
    assert manage_link_for(to_sub.body) == "sub@example.com"


def test_a_comment_removed_before_sending_is_not_announced(post):
    comment = approved_comment(post)
    Comment.objects.filter(pk=comment.pk).update(status="trash")
    send_all()
    assert mail.outbox == []
    assert Notification.objects.get().sent_at is not None


def test_moderators_get_signed_links_for_a_held_comment(post, moderator):
    comment = CommentFactory(post=post, status="pending", checked_at=None, body="First time here.")
    pipeline.comment_screen(comment_id=comment.pk)
    send_all()
    [message] = mail.outbox
    assert message.to == [moderator.email]
    assert "held: first comment from this author" in message.body
    for action in ("Approve", "Spam", "Trash"):
        assert f"{action}: http://" in message.body


def test_a_daily_digest_replaces_immediate_mails(post, moderator):
    ds = DiscussionSettings.load()
    ds.moderator_digest = "daily"
    ds.save()
    for body in ("First time here.", "Also new here."):
        c = CommentFactory(post=post, status="pending", checked_at=None, body=body)
        pipeline.comment_screen(comment_id=c.pk)
    assert not Notification.objects.exists()
    assert moderator_mail.queue_digest() == 1
    assert moderator_mail.queue_digest() == 1  # same day: the same row, not a second mail
    send_all()
    [message] = mail.outbox
    assert "2 comment(s) held" in message.body
    assert message.body.count("Approve: ") == 2


def test_the_confirm_page_changes_nothing_and_the_post_acts(client, post, moderator):
    comment = CommentFactory(post=post, status="pending")
    url = oneclick.link(comment, "spam", moderator).removeprefix("http://127.0.0.1:8000")
    page = client.get(url)
    assert page.status_code == 200
    assert b"Spam this comment?" in page.content
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    done = client.post(url)
    assert b"Done." in done.content
    assert Comment.objects.get(pk=comment.pk).status == "spam"
    assert comment.events.get().actor == moderator


def test_a_forged_or_expired_link_does_nothing(client, post, moderator):
    comment = CommentFactory(post=post, status="pending")
    token = oneclick.make_token(comment_id=comment.pk, action="approve", user_id=moderator.pk, status="pending",
                                version=0)
    assert client.post(f"/moderation/oneclick/{token[:-2]}xx/").status_code == 400
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert client.post(f"/moderation/oneclick/{token}/").status_code == 410
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_a_link_acts_once_and_then_says_it_is_stale(client, post, moderator):
    comment = CommentFactory(post=post, status="pending")
    url = oneclick.link(comment, "approve", moderator).removeprefix("http://127.0.0.1:8000")
    assert b"Done." in client.post(url).content
    Comment.objects.filter(pk=comment.pk).update(status="pending")  # even back in the same status
    again = client.post(url)
    assert again.status_code == 409 and b"stale" in again.content
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_an_old_approve_link_cannot_undo_a_later_spam_decision(client, post, moderator):
    comment = CommentFactory(post=post, status="pending")
    approve = oneclick.link(comment, "approve", moderator).removeprefix("http://127.0.0.1:8000")
    spam = oneclick.link(comment, "spam", moderator).removeprefix("http://127.0.0.1:8000")
    client.post(spam)
    response = client.get(approve)
    assert response.status_code == 409 and b"now spam" in response.content
    assert client.post(approve).status_code == 409
    assert Comment.objects.get(pk=comment.pk).status == "spam"


def test_a_link_stops_working_when_its_moderator_loses_the_permission(client, post, moderator):
    comment = CommentFactory(post=post, status="pending")
    url = oneclick.link(comment, "approve", moderator).removeprefix("http://127.0.0.1:8000")
    moderator.groups.clear()
    assert client.post(url).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_a_failed_send_is_recorded_and_retried_but_a_refused_recipient_is_not(post, monkeypatch):
    import smtplib

    approved_comment(post)
    n = Notification.objects.get()

    def broken(self, *a, **kw):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(ConnectionRefusedError):
        comment_mail.deliver(n.pk)
    n.refresh_from_db()
    assert n.sent_at is None and "smtp down" in n.error
    Notification.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    assert comment_mail.requeue_unsent() == [n.pk]

    def refused(self, *a, **kw):
        raise smtplib.SMTPRecipientsRefused({n.recipient: (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refused)
    assert comment_mail.deliver(n.pk) is False
    assert comment_mail.requeue_unsent() == []


# --- new posts ----------------------------------------------------------------------------

@pytest.fixture
def queued(monkeypatch):
    """Tasks sent to the broker, as (task name, args), instead of sending them."""
    sent = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: sent.append((task.name, args)) or True)
    return sent


@pytest.fixture
def readers(author):
    """Two active new-posts subscribers, plus ones who must never hear: unconfirmed,
    unsubscribed, only following a thread, and the author themself."""
    now = timezone.now()
    post = PostFactory()
    for email, kind, confirmed, gone in [
        ("ann@example.com", "posts", now, None), ("Bob@Example.com", "posts", now, None),
        ("pending@example.com", "posts", None, None), ("gone@example.com", "posts", now, now),
        ("thread@example.com", "comments", now, None), (author.email, "posts", now, None),
    ]:
        Subscription.objects.create(email=email, kind=kind, post=post if kind == "comments" else None,
                                    confirmed_at=confirmed, unsubscribed_at=gone)
    return ["ann@example.com", "bob@example.com"]


def run_fan_out(queued) -> int:
    """What the workers do: the fan-out task, then every send_notification it queued."""
    for args in [args for name, args in queued if name == "blog.comments.tasks.send_new_post_notifications"]:
        tasks.send_new_post_notifications(*args)
    return sum(comment_mail.deliver(*args) for name, args in queued if name == "blog.comments.tasks.send_notification")


def test_publishing_a_post_mails_each_new_posts_subscriber_once_after_commit(
        author, readers, queued, django_capture_on_commit_callbacks):
    draft = PostFactory(author=author, status="draft", title="Bridge reopens", excerpt="Traffic flows again.")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft)
        assert queued == []
    assert queued == [("blog.comments.tasks.send_new_post_notifications", (draft.pk,))]
    assert sorted(Notification.objects.filter(kind="new_post").values_list("recipient", flat=True)) == readers
    assert mail.outbox == []  # nothing is sent in the request
    assert run_fan_out(queued) == 2
    assert run_fan_out(queued) == 0  # a task run twice sends nothing more
    assert sorted(m.to[0] for m in mail.outbox) == readers
    message = mail.outbox[0]
    sub = Subscription.objects.get(email__iexact=message.to[0])
    assert message.subject == "[Dispatch] New post: Bridge reopens"
    assert "Traffic flows again." in message.body and draft.get_absolute_url() in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(sub)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert manage_link_for(message.body) == sub.email.lower()


def test_publishing_twice_records_nothing_more(author, readers, queued):
    draft = PostFactory(author=author, status="draft")
    services.post_publish(post=draft)
    services.post_unpublish(post=draft)
    services.post_publish(post=draft)
    assert outbox.on_post_published(draft) == 0
    assert Notification.objects.filter(kind="new_post").count() == 2


def test_the_beat_announces_posts_whose_time_came_but_not_ones_long_overdue(author, readers, queued):
    now = timezone.now()
    due = PostFactory(author=author, status="scheduled", published_at=now - timedelta(minutes=1))
    stale = PostFactory(author=author, status="scheduled", published_at=now - timedelta(days=3))
    later = PostFactory(author=author, status="scheduled", published_at=now + timedelta(hours=1))
    assert services.post_publish_due(now=now) == 2
    assert services.post_publish_due(now=now) == 0
    assert set(Notification.objects.filter(kind="new_post").values_list("post_id", flat=True)) == {due.pk}
    assert Notification.objects.filter(kind="new_post").count() == 2
    stale.refresh_from_db()
    later.refresh_from_db()
    assert (stale.status, later.status) == ("published", "scheduled")


def test_pages_and_unpublished_posts_are_not_announced(author, readers, queued):
    for post in (PageFactory(author=author), PostFactory(author=author, status="draft"),
                 PostFactory(author=author, published_at=timezone.now() + timedelta(hours=2))):
        assert outbox.on_post_published(post) == 0
    assert not Notification.objects.exists() and queued == []


def test_a_reader_who_unsubscribes_before_the_mail_goes_gets_nothing(
        author, readers, queued, django_capture_on_commit_callbacks):
    draft = PostFactory(author=author, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft)
    Subscription.objects.filter(email="ann@example.com").update(unsubscribed_at=timezone.now())
    assert run_fan_out(queued) == 1
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert Notification.objects.get(recipient="ann@example.com").sent_at is not None


def test_recording_a_new_post_inserts_in_batches_not_one_query_per_reader(
        author, queued, django_assert_max_num_queries):
    for count in (3, 300):
        Subscription.objects.all().delete()
        Subscription.objects.bulk_create([Subscription(email=f"r{i}@example.com", kind="posts", scope="site",
                                                       confirmed_at=timezone.now()) for i in range(count)])
        post = PostFactory(author=author)
        # two reads, then bulk inserts (SQLite's variable limit allows ~120 rows each)
        with django_assert_max_num_queries(3 + count // 100):
            assert outbox.on_post_published(post) == count


# --- a story's dated updates ---------------------------------------------------------------

@pytest.fixture
def followers(author):
    """Who hears about the updates of `story`: a follower of the story, a new-post
    subscriber who asked for updates too; and who must not: a new-post subscriber without
    updates, an unconfirmed follower, a follower of another story, a comment follower, the
    author."""
    now = timezone.now()
    story, other = PostFactory(author=author, title="Flood"), PostFactory(author=author)
    for email, kind, post, confirmed, with_updates in [
        ("ann@example.com", "updates", story, now, False), ("Bob@Example.com", "posts", None, now, True),
        ("posts-only@example.com", "posts", None, now, False), ("pending@example.com", "updates", story, None, False),
        ("elsewhere@example.com", "updates", other, now, False), ("thread@example.com", "comments", story, now, False),
        (author.email, "updates", story, now, False),
    ]:
        Subscription.objects.create(email=email, kind=kind, post=post, confirmed_at=confirmed,
                                    with_updates=with_updates)
    return story


def run_update_fan_out(queued) -> int:
    for args in [args for name, args in queued if name == "blog.comments.tasks.send_update_notifications"]:
        tasks.send_update_notifications(*args)
    return sum(comment_mail.deliver(*args) for name, args in queued if name == "blog.comments.tasks.send_notification")


def add_update(story, body="The river crested at noon.", **kw):
    return services.post_update_save(update=PostUpdateFactory.build(post=story, body=body, **kw))


def test_a_new_update_mails_each_follower_once_after_commit(followers, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update = add_update(followers)
        assert queued == []
    assert queued == [("blog.comments.tasks.send_update_notifications", (update.pk,))]
    assert mail.outbox == []  # nothing is sent in the request
    assert run_update_fan_out(queued) == 2
    assert run_update_fan_out(queued) == 0  # a task run twice sends nothing more
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    by_address = {m.to[0]: m for m in mail.outbox}
    message = by_address["ann@example.com"]
    sub = Subscription.objects.get(email="ann@example.com")
    assert message.subject == "[Dispatch] Update: Flood"
    assert "The river crested at noon." in message.body
    assert f"{followers.get_absolute_url()}#update-{update.pk}" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(sub)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert manage_link_for(message.body) == "ann@example.com"
    new_posts = Subscription.objects.get(email="Bob@Example.com")
    assert by_address["bob@example.com"].extra_headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(new_posts)}>"


def test_two_updates_are_two_mails_per_follower_and_recording_again_adds_none(
        followers, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = add_update(followers), add_update(followers, body="Water is going down.")
    assert outbox.on_post_updated(first) == 0 and outbox.on_post_updated(second) == 0
    assert run_update_fan_out(queued) == 4
    assert sorted((m.to[0], "going down" in m.body) for m in mail.outbox) == [
        ("ann@example.com", False), ("ann@example.com", True), ("bob@example.com", False), ("bob@example.com", True)]


def test_a_reader_with_both_subscriptions_gets_one_mail_per_update(followers, queued):
    Subscription.objects.create(email="ann@example.com", kind="posts", confirmed_at=timezone.now(), with_updates=True)
    add_update(followers)
    assert sorted(Notification.objects.filter(kind="post_update").values_list("recipient", flat=True)) == [
        "ann@example.com", "bob@example.com"]


def test_editing_an_update_or_adding_one_to_a_draft_or_old_or_future_tells_nobody(followers, author, queued):
    update = add_update(followers)
    Notification.objects.all().delete()
    update.body = "Corrected."
    services.post_update_save(update=update)
    draft = PostFactory(author=author, status="draft")
    Subscription.objects.create(email="d@example.com", kind="updates", post=draft, confirmed_at=timezone.now())
    add_update(draft)
    add_update(followers, published_at=timezone.now() + timedelta(hours=1))
    assert outbox.on_post_updated(PostUpdateFactory(post=followers, published_at=timezone.now() - timedelta(days=3))) == 0
    assert not Notification.objects.exists()


def test_a_follower_who_unsubscribes_before_the_mail_goes_gets_nothing(
        followers, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_update(followers)
    Subscription.objects.filter(email="ann@example.com").update(unsubscribed_at=timezone.now())
    Subscription.objects.filter(email="Bob@Example.com").update(with_updates=False)
    assert len(queued) == 1 and run_update_fan_out(queued) == 0
    assert mail.outbox == []
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0  # done with, not retried


def test_a_story_follower_gets_no_comment_mails(followers, queued):
    Subscription.objects.filter(kind="comments").delete()
    comment = approved_comment(followers)
    Notification.objects.create(key=f"subscriber:comment:{comment.pk}:ann@example.com", kind="subscriber",
                                recipient="ann@example.com", comment=comment)
    assert comment_mail.compose(Notification.objects.get(recipient="ann@example.com")) is None
