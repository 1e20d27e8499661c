"""The Tools page's runs with a real worker process: an export with its images, then that
archive imported into an emptied site, both run by the worker after the request commits."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.models import Post, PostUpdate, Transfer
from blog.wxr import jobs, tasks
from config import helpers
from media.models import Image
from tests.factories import CommentFactory, PostFactory, PostUpdateFactory
from tests.media_files import stored_photo

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def finished(job_id: int) -> bool:
    return Transfer.objects.get(pk=job_id).state in ("done", "failed")


def test_the_worker_exports_with_media_and_imports_the_archive_back(author, start_worker):
    photo = stored_photo(alt="The quay", renditions=False)
    story = PostFactory(author=author, slug="flood", featured_image=photo, body=f'[image id="{photo.pk}"]')
    PostUpdateFactory(post=story, body="The river crested.")
    CommentFactory(post=story, body="Stay safe")
    start_worker()

    export = jobs.transfer_create(kind=Transfer.Kind.EXPORT, user=author, with_media=True)
    helpers.enqueue(tasks.run_transfer, export.pk)
    helpers.enqueue(tasks.run_transfer, export.pk)  # a duplicated task runs nothing twice
    wait_for(lambda: finished(export.pk), what="the export run by the worker")
    export.refresh_from_db()
    assert export.state == "done", export.message
    archive = Path(export.file.path).read_bytes()

    Post.objects.all().delete()
    Image.objects.all().delete()
    upload = SimpleUploadedFile("site.zip", archive, content_type="application/zip")
    imported = jobs.transfer_create(kind=Transfer.Kind.IMPORT, user=author, upload=upload)
    helpers.enqueue(tasks.run_transfer, imported.pk)
    wait_for(lambda: finished(imported.pk), what="the import run by the worker")
    imported.refresh_from_db()
    assert imported.state == "done", imported.message
    story = Post.objects.get(slug="flood")
    assert story.featured_image.alt == "The quay"
    assert [u.body_html.strip() for u in PostUpdate.objects.filter(post=story)] == ["<p>The river crested.</p>"]
    assert story.comments.get().body == "Stay safe"
