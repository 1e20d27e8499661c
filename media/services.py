"""Writes on images and embeds, named <entity>_<action>: keyword-only, atomic, and the
worker's part (renditions, oEmbed fetches) queued only after commit, so a request never
waits for Pillow, a provider or the broker.

This module sits above media.tasks (it queues them); the tasks call the worker-side
services below it (media.renditions.renditions_make, media.embeds.embed_fetch).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from config.helpers import enqueue_on_commit
from media.embeds import find_embed
from media.models import Embed, Image
from media.renditions import delete_files
from media.tasks import fetch_embed, make_renditions
from media.validation import validate_image_file


def image_create(*, upload, alt: str, caption: str = "", credit: str = "", uploaded_by=None) -> Image:
    """Validate, store and queue renditions for a new image (atomic; renditions after commit)."""
    clean = validate_image_file(upload)
    with transaction.atomic():
        image = Image(alt=alt, caption=caption, credit=credit, uploaded_by=uploaded_by)
        image.file.save(clean.content.name, clean.content, save=False)
        image.save()
        renditions_queue(image=image)
    return image


def renditions_queue(*, image: Image) -> None:
    """Make renditions in the worker once the image row is committed."""
    enqueue_on_commit(make_renditions, image.pk)


def image_delete(*, image: Image) -> None:
    """Delete the image row, then its original and rendition files once the delete commits."""
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: delete_files(storage, names))


def embeds_ensure(*, urls: Iterable[str]) -> int:
    """Give each embeddable URL among `urls` its Embed row and queue its oEmbed fetch after
    commit; returns how many rows were missing. Called when a post or an update is saved
    (Post.save, PostUpdate.save), never while rendering. One query when every row exists;
    no row for a provider without oEmbed (Facebook), whose facade needs the URL alone.

    Safe to run twice: a row that exists is left alone and queued no more. Two saves racing
    on the same new URL may queue two fetches; embed_fetch skips an embed already fetched."""
    infos = {}
    for url in urls:
        info = find_embed(url)
        if info is not None and info.oembed:
            infos[info.url_hash] = info
    if not infos:
        return 0
    existing = set(Embed.objects.filter(url_hash__in=infos).values_list("url_hash", flat=True))
    missing = [info for digest, info in infos.items() if digest not in existing]
    if not missing:
        return 0
    Embed.objects.bulk_create([Embed(url_hash=info.url_hash, url=info.url, provider=info.provider)
                               for info in missing], ignore_conflicts=True)
    for info in missing:
        enqueue_on_commit(fetch_embed, info.url_hash)
    return len(missing)
