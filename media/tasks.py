"""Celery tasks for images and embeds (renditions, oEmbed), found by autodiscovery and
queued after commit by media.services.

Thin: each takes an id, re-fetches, and calls a worker-side service below it
(media.renditions.renditions_make, media.embeds.embed_fetch); both are safe to run twice.
"""

import requests
from celery import shared_task

from media.embeds import embed_fetch
from media.models import Image
from media.renditions import renditions_make
from media.signals import renditions_ready

__all__ = ["fetch_embed", "make_renditions"]


@shared_task(ignore_result=True, acks_late=True)
def make_renditions(image_id: int) -> int:
    """Renditions of one image; then `renditions_ready`, so the bodies that show it are
    rendered again (blog receives it)."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:  # deleted before the worker got to it
        return 0
    made = renditions_make(image=image)
    renditions_ready.send(sender=Image, images=[image])
    return len(made)


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(requests.RequestException,),
    retry_backoff=30, retry_backoff_max=3600, retry_jitter=True, max_retries=6,
)
def fetch_embed(url_hash: str) -> str:
    """oEmbed metadata for one cached embed; network errors retry with backoff."""
    return embed_fetch(url_hash=url_hash)
