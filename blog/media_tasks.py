"""Celery tasks for images and embeds (renditions, oEmbed). Imported by blog.tasks."""

__all__: list[str] = []
