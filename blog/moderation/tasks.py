"""Moderation tasks: thin wrappers that take ids and call services.

Reliability (see config.celery.RELIABLE and the CELERY_* settings): tasks are acknowledged
after they run and re-queued if the worker dies; each is safe to run twice because the
services claim their work with a compare-and-set or a row lock.
"""

from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from blog.comments import mail
from blog.comments.models import Comment, DiscussionSettings
from blog.comments.tasks import send_notification
from blog.moderation import akismet, classifier, pipeline
from blog.moderation import mail as moderator_mail
from config import helpers
from config.celery import RELIABLE, LoggedTask

SWEEP_AGAIN = 300  # seconds before the sweep re-queues the same comment again


@shared_task(soft_time_limit=30, time_limit=45, **RELIABLE)
def screen_comment(comment_id: int) -> str | None:
    return pipeline.comment_screen(comment_id=comment_id)


@shared_task(soft_time_limit=20, time_limit=30, **RELIABLE)
def akismet_feedback(comment_id: int, is_spam: bool) -> bool:
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
        if key not in recent and helpers.enqueue(screen_comment, comment_id):
            cache.set(key, 1, SWEEP_AGAIN)
            sent += 1
    for notification_id in mail.requeue_unsent(older_than=max(older_than, 60)):
        helpers.enqueue(send_notification, notification_id)
    return sent


@shared_task(base=LoggedTask, ignore_result=True, soft_time_limit=300, time_limit=330)
def purge_old_spam() -> int:
    days = DiscussionSettings.load().spam_purge_days
    if not days:
        return 0
    deleted, _ = Comment.objects.spam().filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


@shared_task(base=LoggedTask, ignore_result=True)
def send_moderator_digest() -> int:
    return moderator_mail.queue_digest()


@shared_task(base=LoggedTask, ignore_result=True, soft_time_limit=600, time_limit=660)
def retrain_classifier() -> int:
    """Rebuild the spam counts from the seed and every moderator's latest spam/ham decision."""
    decided = (Comment.objects.filter(status__in=[Comment.Status.SPAM, Comment.Status.APPROVED],
                                      events__actor__isnull=False).distinct())
    return classifier.retrain(decisions=((c, c.status == Comment.Status.SPAM) for c in decided.iterator()))
