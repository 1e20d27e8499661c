"""Writes on images, named <entity>_<action>: keyword-only, atomic, and the worker's part
(renditions) queued only after commit, so a request never waits for Pillow or the broker.

This module sits above media.tasks (it queues them); the tasks call the worker-side
services below it (media.renditions.renditions_make, media.embeds.embed_fetch).
"""

from __future__ import annotations

from django.db import transaction

from config.helpers import enqueue_on_commit
from media.models import Image
from media.renditions import delete_files
from media.tasks import make_renditions
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
