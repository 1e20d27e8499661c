"""media.services: images are created, queued for renditions after commit, and deleted
with their files."""

import pytest
from django.core.exceptions import ValidationError

from media import renditions, services
from media.models import Image, Rendition
from tests.media_files import image_bytes, truncated_jpeg, upload


def test_creating_an_image_stores_it_under_the_dated_folder_and_queues_renditions(
        db, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        image = services.image_create(upload=upload(image_bytes((700, 300))), alt="Field")
    assert image.file.name.startswith("blog/images/")
    assert (image.width, image.height) == (700, 300)
    assert queued == [("media.tasks.make_renditions", (image.pk,))]


def test_a_refused_upload_saves_nothing(db):
    with pytest.raises(ValidationError):
        services.image_create(upload=upload(truncated_jpeg()), alt="Broken")
    assert not Image.objects.exists()


def test_deleting_an_image_deletes_its_files(photo, django_capture_on_commit_callbacks):
    made = renditions.renditions_make(image=photo)
    names = [photo.file.name] + [r.file.name for r in made]
    storage = photo.file.storage
    assert all(storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=photo)
    assert not any(storage.exists(n) for n in names)
    assert not Rendition.objects.exists()
