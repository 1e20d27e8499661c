"""Import and export runs of the Tools page, as the worker runs them: claimed once, their
progress and outcome on the row, their files private."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from blog.models import Post, Transfer
from blog.wxr import jobs, parse_wxr
from tests.factories import CommentFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


def test_an_export_run_writes_a_private_file_and_says_how_many(author):
    for _ in range(3):
        PostUpdateFactory(post=PostFactory(author=author))
    job = jobs.transfer_create(kind=Transfer.Kind.EXPORT, user=author)
    assert jobs.transfer_run(job_id=job.pk) is True
    assert jobs.transfer_run(job_id=job.pk) is False  # a duplicated task does nothing
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.message) == ("done", 3, 3, "Exported 3 posts and pages.")
    assert job.finished_at is not None
    path = Path(job.file.path)
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))  # never served from /media/
    doc = parse_wxr(path)
    assert len([i for i in doc.items if i.post_type == "post"]) == 3


def test_an_export_with_media_is_a_zip(author):
    job = jobs.transfer_create(kind=Transfer.Kind.EXPORT, user=author, with_media=True)
    jobs.transfer_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.file.name.endswith(".zip") and "with the images' files" in job.message


def test_an_import_run_imports_the_uploaded_file_and_reports(author, tmp_path):
    CommentFactory(post=PostFactory(author=author, slug="story", title="Story"))
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    Post.objects.all().delete()
    upload = SimpleUploadedFile("export.xml", out.getvalue().encode(), content_type="text/xml")
    job = jobs.transfer_create(kind=Transfer.Kind.IMPORT, user=author, upload=upload)
    assert jobs.transfer_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.state == "done" and "1 posts (1 new)" in job.message and "1 comments (1 new)" in job.message
    assert Post.objects.get(slug="story").comments.count() == 1


def test_a_file_that_is_not_an_export_fails_with_its_reason(author):
    upload = SimpleUploadedFile("export.xml", b"<html>not wxr</html>", content_type="text/xml")
    job = jobs.transfer_create(kind=Transfer.Kind.IMPORT, user=author, upload=upload)
    jobs.transfer_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.message and job.finished_at is not None
