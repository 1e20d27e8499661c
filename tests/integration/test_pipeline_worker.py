"""The pipeline with a real worker process: decisions arrive, nothing is lost when the broker
or the worker fails, nothing is decided or mailed twice."""

import time
from datetime import timedelta

import pytest
from celery import Celery
from django.db import transaction
from django.utils import timezone

from blog.comments.models import Comment, Notification
from blog.comments.tasks import send_notification
from blog.moderation import pipeline, tasks
from blog.moderation.models import ModerationEvent
from config import helpers
from tests.factories import CommentFactory

from .conftest import free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def submit(post, **kw) -> Comment:
    """What the submission view does: save pending/unchecked, queue the screening on commit."""
    kw.setdefault("body", "Thanks, that explains the second part.")
    with transaction.atomic():
        comment = CommentFactory(post=post, status="pending", checked_at=None, form_age=30.0, **kw)
        helpers.enqueue_on_commit(tasks.screen_comment, comment.pk)
    return comment


def decided(*comments) -> bool:
    return not Comment.objects.filter(pk__in=[c.pk for c in comments], checked_at__isnull=True).exists()


def all_sent() -> bool:
    return Notification.objects.exists() and not Notification.objects.filter(sent_at__isnull=True).exists()


def dead_broker_task():
    """screen_comment as the web process sees it while the broker is unreachable."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    app = Celery("dead", broker=url, set_as_current=False)
    app.conf.broker_connection_timeout = 1
    # CELERY_BROKER_URL in the environment overrides broker_url in every app; the write URL wins.
    app.conf.broker_write_url = url

    @app.task(name="blog.moderation.tasks.screen_comment")
    def screen_comment(comment_id):  # never runs: only its name reaches a broker
        return None

    return screen_comment


def test_a_real_worker_decides_and_mails_each_recipient_exactly_once(post, moderator, smtp, start_worker):
    sink, _ = smtp
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    returning = submit(post, author_name="Ann", author_email="ann@example.com", email_proof="browser",
                       notify_on_approval=True)
    newcomer = submit(post, author_email="new@example.com")
    start_worker()
    wait_for(lambda: decided(returning, newcomer), what="both comments decided")
    assert Comment.objects.get(pk=returning.pk).status == "approved"
    assert Comment.objects.get(pk=newcomer.pk).status == "pending"
    wait_for(all_sent, what="every notification sent")
    # A retried screening and duplicated sends change nothing.
    for comment in (returning, newcomer):
        helpers.enqueue(tasks.screen_comment, comment.pk)
    for pk in Notification.objects.values_list("pk", flat=True):
        helpers.enqueue(send_notification, pk)
    time.sleep(2)
    assert sink.recipients() == sorted([post.author.email, "ann@example.com", moderator.email])
    assert ModerationEvent.objects.filter(actor=None).count() == 2


def test_comments_saved_while_the_broker_is_down_are_decided_when_it_returns(post, start_worker):
    start_worker()
    dead = dead_broker_task()
    comments = [CommentFactory(post=post, status="pending", checked_at=None, body=f"Nice garden {i}.")
                for i in range(3)]
    started = time.monotonic()
    assert not any(helpers.enqueue(dead, c.pk) for c in comments)
    assert time.monotonic() - started < 3 * 2.5  # each bounded by the enqueue timeout
    time.sleep(1)
    assert not decided(*comments)
    # The broker is back: the periodic sweep re-queues what was left unchecked.
    assert tasks.sweep_unchecked_comments.apply(kwargs={"older_than": 0}).get() == 3
    wait_for(lambda: decided(*comments), what="the swept comments decided")
    assert ModerationEvent.objects.filter(actor=None).count() == 3


def test_comments_queued_while_no_worker_runs_are_decided_when_one_starts(post, start_worker):
    comments = [submit(post, body=f"Nice garden {i}.") for i in range(3)]
    time.sleep(0.5)
    assert not decided(*comments)
    start_worker()
    wait_for(lambda: decided(*comments), what="the queued comments decided")


def test_a_worker_killed_mid_task_leaves_the_comment_to_be_decided_exactly_once(
        post, moderator, smtp, start_worker, slow_akismet):
    sink, _ = smtp
    akismet_env = {"AKISMET_API_KEY": "test-key", "AKISMET_ENDPOINT": slow_akismet.url}
    first = start_worker(**akismet_env)
    comment = submit(post)
    assert slow_akismet.hit.wait(30), "the worker never reached the Akismet check"
    first.kill()  # SIGKILL while the task waits on Akismet: nothing committed, no ack
    assert not decided(comment)
    slow_akismet.release.set()
    start_worker(**akismet_env)
    tasks.sweep_unchecked_comments.apply(kwargs={"older_than": 0})
    wait_for(lambda: decided(comment), what="the comment decided after the crash")
    helpers.enqueue(tasks.screen_comment, comment.pk)  # and once more for good measure
    wait_for(all_sent, what="the moderator mail sent")
    time.sleep(1.5)
    assert ModerationEvent.objects.filter(comment=comment, actor=None).count() == 1
    assert sink.recipients() == [moderator.email]


def test_a_notification_whose_task_was_lost_is_sent_by_the_sweep(post, smtp, start_worker, monkeypatch):
    sink, _ = smtp
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    comment = CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", email_proof="browser",
                             status="pending", checked_at=None,
                             body="Thanks, that explains the second part.")
    with monkeypatch.context() as m:  # decided while the broker refuses the send task
        m.setattr(helpers, "enqueue", lambda task, *args, **kw: False)
        assert pipeline.comment_screen(comment_id=comment.pk) == "approved"
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    start_worker()
    tasks.sweep_unchecked_comments.apply(kwargs={"older_than": 0})
    wait_for(all_sent, what="the lost notification sent by the sweep")
    time.sleep(1)
    assert sink.recipients() == [post.author.email]
