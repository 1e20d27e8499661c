"""Mail tasks: each takes an id and calls the outbox (blog.comments.mail), which sends a
mail at most once even when a task runs twice (see config.celery.RELIABLE)."""

from celery import shared_task

from blog.comments import mail
from config import helpers
from config.celery import RELIABLE


@shared_task(soft_time_limit=30, time_limit=45, **RELIABLE)
def send_notification(notification_id: int) -> bool:
    return mail.deliver(notification_id)


@shared_task(soft_time_limit=50, time_limit=60, **RELIABLE)
def send_new_post_notifications(post_id: int) -> int:
    """Fan out a new post's recorded mails, one `send_notification` task each (so each
    retries on its own). Running twice queues duplicates that `deliver` turns into no-ops."""
    ids = mail.unsent_for_post(post_id)
    for notification_id in ids:
        helpers.enqueue(send_notification, notification_id)
    return len(ids)


@shared_task(soft_time_limit=50, time_limit=60, **RELIABLE)
def send_update_notifications(update_id: int) -> int:
    """Fan out a dated update's recorded mails, one `send_notification` task each; running
    twice queues duplicates that `deliver` turns into no-ops."""
    ids = mail.unsent_for_update(update_id)
    for notification_id in ids:
        helpers.enqueue(send_notification, notification_id)
    return len(ids)
