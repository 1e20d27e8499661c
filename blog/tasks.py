"""Celery tasks: thin wrappers that take ids and call services."""

from celery import shared_task

from blog import pipeline, services
from blog.media_tasks import *  # noqa: F403  (image renditions, oEmbed fetches)


@shared_task(ignore_result=True)
def publish_scheduled_posts() -> int:
    return services.post_publish_due()


@shared_task(ignore_result=True, acks_late=True)
def screen_comment(comment_id: int) -> str | None:
    return pipeline.comment_screen(comment_id=comment_id)
