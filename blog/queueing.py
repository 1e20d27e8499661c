"""Queueing Celery work from the request without ever depending on the broker.

The comment (or image) is already saved; if the broker is down or slow, enqueueing fails
or times out quietly and the periodic sweep picks the work up later.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Send `task` now; False (logged) if the broker could not take it."""
    try:
        task.apply_async(args=args, retry=False)
        return True
    except Exception:  # the broker is an edge we cannot trust: never fail the request on it
        logger.warning("could not enqueue %s%s; the sweep will retry", task.name, args, exc_info=True)
        return False


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, *args))
