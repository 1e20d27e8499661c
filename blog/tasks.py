"""Celery tasks: thin wrappers that take ids and call services."""

from celery import shared_task

from blog import services


@shared_task(ignore_result=True)
def publish_scheduled_posts() -> int:
    return services.post_publish_due()
