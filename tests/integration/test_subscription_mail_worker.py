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
