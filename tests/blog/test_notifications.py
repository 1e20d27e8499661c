"""Notification e-mails: recorded once, sent once, only for approved comments; one-click
moderation links (confirm on GET, act on POST, signed and expiring)."""

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from blog import notifications, oneclick, pipeline
from blog.models import Comment, DiscussionSettings, Notification, Subscription
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def approved_comment(post, **kw) -> Comment:
    CommentFactory(post=post, author_email="ann@example.com", status="approved")
    comment = CommentFactory(post=post, author_email="ann@example.com", status="pending", checked_at=None,
                             form_age=30.0, body="Lovely post about gardening.", **kw)
    assert pipeline.comment_screen(comment_id=comment.pk) == "approved"
    return comment


def send_all() -> int:
    return sum(notifications.deliver(pk) for pk in Notification.objects.values_list("pk", flat=True))


def test_the_post_author_gets_one_mail_however_often_delivery_runs(post):
    approved_comment(post)
    assert send_all() == 1
    assert send_all() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [post.author.email]
    assert "Lovely post about gardening." in mail.outbox[0].body
    assert Notification.objects.get().sent_at is not None


def test_recording_twice_keeps_one_row(post):
    comment = approved_comment(post)
    notifications.on_comment_approved(comment)
    assert Notification.objects.filter(comment=comment).count() == 1


def test_the_commenter_hears_of_approval_when_they_asked(post):
    approved_comment(post, notify_on_approval=True)
    send_all()
    assert sorted(m.subject for m in mail.outbox) == [f"[Dispatch] New comment on \"{post.title}\"",
                                                      "[Dispatch] Your comment was approved"]


def test_the_post_author_is_not_told_about_their_own_comment(post):
    CommentFactory(post=post, user=post.author, author_email=post.author.email, status="approved")
    comment = CommentFactory(post=post, user=post.author, author_email=post.author.email, status="pending",
                             checked_at=None, body="Lovely post about gardening.")
    pipeline.comment_screen(comment_id=comment.pk)
    assert not Notification.objects.exists()


def test_subscribers_get_list_unsubscribe_headers(post, monkeypatch):
    sub = Subscription.objects.create(kind="comments", email="sub@example.com", post=post,
                                      confirmed_at=timezone.now())
    monkeypatch.setattr("blog.subscriptions.subscribers_for_comment", lambda comment: [sub])
    monkeypatch.setattr("blog.subscriptions.unsubscribe_url", lambda s: f"https://blog.example/unsub/{s.token}/")
    approved_comment(post)
    send_all()
    to_sub = next(m for m in mail.outbox if m.to == ["sub@example.com"])
    assert to_sub.extra_headers["List-Unsubscribe"] == f"<https://blog.example/unsub/{sub.token}/>"
    assert to_sub.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


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
    assert notifications.queue_digest() == 1
    assert notifications.queue_digest() == 1  # same day: the same row, not a second mail
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
    token = oneclick.make_token(comment_id=comment.pk, action="approve", user_id=moderator.pk)
    assert client.post(f"/moderation/oneclick/{token[:-2]}xx/").status_code == 400
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert client.post(f"/moderation/oneclick/{token}/").status_code == 410
    assert Comment.objects.get(pk=comment.pk).status == "pending"


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
        notifications.deliver(n.pk)
    n.refresh_from_db()
    assert n.sent_at is None and "smtp down" in n.error
    Notification.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    assert notifications.requeue_unsent() == [n.pk]

    def refused(self, *a, **kw):
        raise smtplib.SMTPRecipientsRefused({n.recipient: (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refused)
    assert notifications.deliver(n.pk) is False
    assert notifications.requeue_unsent() == []
