"""Celery tasks: thin wrappers that take ids and call services.

Reliability (see also the CELERY_* settings): tasks are acknowledged after they run
(`acks_late`) and re-queued if the worker dies (`reject_on_worker_lost`); each is safe to
run twice because the services claim their work with a compare-and-set or a row lock.
Transient database errors retry with exponential backoff; failures are logged with the ids.
"""

import logging

from celery import Task, shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from blog import notifications, pipeline, queueing, services, spam
from blog.media_tasks import *  # noqa: F403  (image renditions, oEmbed fetches)

logger = logging.getLogger(__name__)
SWEEP_AGAIN = 300  # seconds before the sweep re-queues the same comment again
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class LoggedTask(Task):
    """Logs a final failure with the task's arguments (the comment or notification id)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("task %s failed for %s %s: %r", self.name, args, kwargs, exc)

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        logger.warning("task %s retrying for %s: %r", self.name, args, exc)


RELIABLE = {
    "base": LoggedTask,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(ignore_result=True)
def publish_scheduled_posts() -> int:
    return services.post_publish_due()


@shared_task(soft_time_limit=30, time_limit=45, **RELIABLE)
def screen_comment(comment_id: int) -> str | None:
    return pipeline.comment_screen(comment_id=comment_id)


@shared_task(soft_time_limit=30, time_limit=45, **RELIABLE)
def send_notification(notification_id: int) -> bool:
    return notifications.deliver(notification_id)


@shared_task(soft_time_limit=50, time_limit=60, **RELIABLE)
def send_new_post_notifications(post_id: int) -> int:
    """Fan out a new post's recorded mails, one `send_notification` task each (so each
    retries on its own). Running twice queues duplicates that `deliver` turns into no-ops."""
    ids = notifications.unsent_for_post(post_id)
    for notification_id in ids:
        queueing.enqueue(send_notification, notification_id)
    return len(ids)


@shared_task(soft_time_limit=20, time_limit=30, **RELIABLE)
def akismet_feedback(comment_id: int, is_spam: bool) -> bool:
    from blog import akismet
    from blog.models import Comment

    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    return bool(comment) and akismet.submit(comment, is_spam=is_spam)


@shared_task(base=LoggedTask, ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_unchecked_comments(older_than: float = 30) -> int:
    """Re-queue comments left unchecked (the broker was down when they were saved, or a
    worker died) and notifications left unsent. Duplicates are harmless (idempotent)."""
    ids = pipeline.unchecked_older_than(older_than)
    # While workers are down, re-queue each comment at most every SWEEP_AGAIN seconds, so a
    # long outage does not pile up one duplicate per comment per minute.
    recent = cache.get_many([f"dispatch:swept:{pk}" for pk in ids])
    sent = 0
    for comment_id in ids:
        key = f"dispatch:swept:{comment_id}"
        if key not in recent and queueing.enqueue(screen_comment, comment_id):
            cache.set(key, 1, SWEEP_AGAIN)
            sent += 1
    for notification_id in notifications.requeue_unsent(older_than=max(older_than, 60)):
        queueing.enqueue(send_notification, notification_id)
    return sent


@shared_task(base=LoggedTask, ignore_result=True, soft_time_limit=300, time_limit=330)
def purge_old_spam() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from blog.models import Comment, DiscussionSettings

    days = DiscussionSettings.load().spam_purge_days
    if not days:
        return 0
    deleted, _ = Comment.objects.spam().filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


@shared_task(base=LoggedTask, ignore_result=True)
def send_moderator_digest() -> int:
    return notifications.queue_digest()


@shared_task(base=LoggedTask, ignore_result=True, soft_time_limit=600, time_limit=660)
def retrain_classifier() -> int:
    """Rebuild the spam counts from the seed and every moderator's latest spam/ham decision."""
    from blog.models import Comment

    decided = (Comment.objects.filter(status__in=[Comment.Status.SPAM, Comment.Status.APPROVED],
                                      events__actor__isnull=False).distinct())
    return spam.retrain(decisions=((c, c.status == Comment.Status.SPAM) for c in decided.iterator()))
