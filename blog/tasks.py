"""Publishing tasks (run by beat): thin wrappers that call blog.services."""

from celery import shared_task

from blog import services


@shared_task(ignore_result=True)
def publish_scheduled_posts() -> int:
    return services.post_publish_due()
