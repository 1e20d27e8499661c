"""The Celery app: `celery -A config worker` / `celery -A config beat`.

DJANGO_SETTINGS_MODULE is set before Celery() is created so that the app's Task class is
DjangoTask, which gives every task `delay_on_commit()`. `RELIABLE` holds the options of
every task that must not lose work.
"""

import logging
import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)
app = Celery("dispatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class LoggedTask(Task):
    """Logs a final failure with the task's arguments (the comment or notification id)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("task %s failed for %s %s: %r", self.name, args, kwargs, exc)

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        logger.warning("task %s retrying for %s: %r", self.name, args, exc)


# Transient errors a reliable task retries with backoff (a database restart, a dropped connection).
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

# The options of every task that must not lose work: acknowledged after it runs
# (`acks_late`), re-queued if the worker dies (`reject_on_worker_lost`), transient errors
# retried with exponential backoff. Each such task is safe to run twice (the services claim
# their work with a compare-and-set or a row lock).
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
