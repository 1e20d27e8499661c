"""Publishing tells the comments app about a new post only through blog.signals: if the
receiver were not connected, new-post subscribers would silently hear nothing."""

import pytest
from django.utils import timezone

from blog import services
from blog.comments import receivers
from blog.comments.models import Notification, Subscription
from blog.models import Post, PostUpdate
from blog.signals import post_published, post_updated

pytestmark = pytest.mark.django_db


def test_the_new_post_receiver_is_connected():
    assert receivers.announce_new_post in [entry[1]() for entry in post_published.receivers]


def test_publishing_a_post_records_one_mail_per_new_post_subscriber(post, django_capture_on_commit_callbacks):
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email="fan@example.com",
                                confirmed_at=timezone.now())
    post.status = Post.Status.DRAFT
    post.save()
    with django_capture_on_commit_callbacks(execute=False):
        services.post_publish(post=post)
        services.post_publish(post=post)  # publishing twice announces once
    assert list(Notification.objects.values_list("recipient", flat=True)) == ["fan@example.com"]


def test_the_update_receiver_is_connected():
    assert receivers.announce_update in [entry[1]() for entry in post_updated.receivers]


def test_adding_an_update_to_a_public_post_records_one_mail_per_follower(post, django_capture_on_commit_callbacks):
    Subscription.objects.create(kind=Subscription.Kind.UPDATES, post=post, email="fan@example.com",
                                confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        services.post_update_save(update=PostUpdate(post=post, body="It moved."))
    assert list(Notification.objects.values_list("kind", "recipient")) == [("post_update", "fan@example.com")]
