"""Subscription mail with a real worker process and a real SMTP server: the double opt-in
mail and the new-post announcement leave from Celery, each exactly once per recipient,
however often their tasks are queued."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from blog import services
from blog.comments import subscriptions, tasks
from blog.comments.models import Notification, Subscription
from blog.models import PostUpdate
from config import helpers
from tests.factories import PostFactory

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def all_sent(kind: str) -> bool:
    rows = Notification.objects.filter(kind=kind)
    return rows.exists() and not rows.filter(sent_at__isnull=True).exists()


def test_the_worker_sends_the_confirmation_mail_once(post, smtp, start_worker):
    sink, _ = smtp
    start_worker()
    # One transaction, so the mail is composed after both exist (a worker faster than the
    # second request would list only the first; its link confirms both all the same).
    with transaction.atomic():
        subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
        subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    wait_for(lambda: all_sent("confirm"), what="the confirmation mail sent")
    helpers.enqueue(tasks.send_notification, Notification.objects.get(kind="confirm").pk)
    time.sleep(1.5)
    assert sink.recipients() == ["gus@example.com"]
    assert b"New posts" in sink.messages[0].content


def test_a_published_post_reaches_every_subscriber_once_from_the_worker(author, smtp, start_worker):
    sink, _ = smtp
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        Subscription.objects.create(email=email, kind="posts", confirmed_at=timezone.now())
    draft = PostFactory(author=author, status="draft", title="Bridge reopens")
    start_worker()
    with transaction.atomic():
        services.post_publish(post=draft)
    wait_for(lambda: all_sent("new_post"), what="every new-post mail sent")
    helpers.enqueue(tasks.send_new_post_notifications, draft.pk)  # a duplicated fan-out
    services.post_publish(post=draft)  # and publishing again
    time.sleep(1.5)
    assert sink.recipients() == ["ann@example.com", "bob@example.com", "cy@example.com"]
    assert all(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in m.content for m in sink.messages)


def test_two_updates_reach_every_follower_twice_and_none_twice_from_the_worker(author, smtp, start_worker):
    """The figure the issue asks for: mails per follower per update = 1."""
    sink, _ = smtp
    story = PostFactory(author=author, title="Flood")
    Subscription.objects.create(email="ann@example.com", kind="updates", post=story, confirmed_at=timezone.now())
    Subscription.objects.create(email="bob@example.com", kind="posts", with_updates=True, confirmed_at=timezone.now())
    Subscription.objects.create(email="cy@example.com", kind="posts", confirmed_at=timezone.now())  # posts only
    start_worker()
    first = services.post_update_save(update=PostUpdate(post=story, body="The river crested."))
    second = services.post_update_save(update=PostUpdate(post=story, body="The water is going down."))
    wait_for(lambda: Notification.objects.filter(kind="post_update").count() == 4 and all_sent("post_update"),
             what="every update mail sent")
    for update in (first, second):  # a duplicated fan-out, and recording again
        helpers.enqueue(tasks.send_update_notifications, update.pk)
        services.post_update_save(update=update)
    time.sleep(1.5)
    assert sink.recipients() == ["ann@example.com", "ann@example.com", "bob@example.com", "bob@example.com"]
    bodies = {(m.rcpt_tos[0], b"crested" in m.content) for m in sink.messages}
    assert bodies == {("ann@example.com", True), ("ann@example.com", False),
                      ("bob@example.com", True), ("bob@example.com", False)}
    assert all(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in m.content for m in sink.messages)
