"""Moderation hears about comments only through blog.comments.signals: if its receiver
were not connected, comments would stay unchecked forever. These tests fail then."""

import pytest

from blog.comments import services
from blog.comments.signals import comment_edited, comment_submitted
from blog.moderation import receivers
from config import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(helpers, "enqueue", lambda task, *args, **kw: sent.append((task.name, args)) or True)
    return sent


def test_the_screening_receivers_are_connected():
    assert receivers.queue_screening in [entry[1]() for entry in comment_submitted.receivers]
    assert receivers.queue_screening in [entry[1]() for entry in comment_edited.receivers]


def test_a_submitted_comment_is_queued_for_screening_after_commit(post, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = services.comment_submit(post=post, body="A first thought.", author_name="Ann",
                                          author_email="ann@example.com", ip="192.0.2.1")
        assert queued == []  # nothing leaves before the comment is committed
    for callback in callbacks:
        callback()
    assert queued == [("blog.moderation.tasks.screen_comment", (comment.pk,))]


def test_an_edited_comment_is_queued_for_screening_again(post, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_submit(post=post, body="A first thought.", author_name="Ann",
                                          author_email="ann@example.com", ip="192.0.2.1")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_author_edit(comment=comment, body="A second thought.")
    assert queued == [("blog.moderation.tasks.screen_comment", (comment.pk,))] * 2
