"""The admin's Tools page: who may use it, starting runs (queued after commit), watching
their progress, downloading an export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.models import Transfer
from blog.wxr import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: sent.append((task.name, args)) or True)
    return sent


def test_only_staff_with_the_permission_open_the_tools(client, author, admin_user):
    assert client.get("/admin/tools/").status_code == 302  # to the admin login
    client.force_login(author)  # staff, but no permission
    assert client.get("/admin/tools/").status_code == 403
    client.force_login(admin_user)
    html = client.get("/admin/tools/").content.decode()
    assert 'id="wxr-import"' in html and 'id="wxr-export"' in html
    assert "/admin/tools/" in client.get("/admin/").content.decode()


def test_an_export_is_queued_after_commit_and_its_page_refreshes_until_done(
        client, admin_user, queued, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/tools/export/", {"with_media": ""})
    job = Transfer.objects.get()
    assert response["Location"] == f"/admin/tools/{job.pk}/"
    assert queued == [("blog.wxr.tasks.run_transfer", (job.pk,))]
    page = client.get(f"/admin/tools/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "Waiting for the worker" in page
    Transfer.objects.filter(pk=job.pk).update(state="running", done=30, total=120, message="Exporting 120 posts")
    page = client.get(f"/admin/tools/{job.pk}/").content.decode()
    assert '<progress max="120" value="30">' in page and "30 of 120 (25%)" in page
    Transfer.objects.filter(pk=job.pk).update(state="queued")
    jobs.transfer_run(job_id=job.pk)
    page = client.get(f"/admin/tools/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page and 'id="transfer-download"' in page
    download = client.get(f"/admin/tools/{job.pk}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"<wp:wxr_version>1.2</wp:wxr_version>" in b"".join(download.streaming_content)


def test_an_import_upload_is_queued_and_a_wrong_file_is_refused(client, admin_user, queued,
                                                                django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    bad = client.post("/admin/tools/import/", {"file": SimpleUploadedFile("photo.jpg", b"x")})
    assert bad.status_code == 400 and "Choose the .xml file" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/tools/import/", {"file": SimpleUploadedFile("export.xml", b"<rss/>")})
    job = Transfer.objects.get()
    assert (job.kind, job.state) == ("import", "queued") and job.file.read() == b"<rss/>"
    assert queued == [("blog.wxr.tasks.run_transfer", (job.pk,))]


def test_an_import_offers_no_download_and_runs_of_others_are_not_a_way_in(client, admin_user, author):
    job = jobs.transfer_create(kind=Transfer.Kind.IMPORT, user=admin_user,
                               upload=SimpleUploadedFile("export.xml", b"<rss/>"))
    client.force_login(admin_user)
    assert client.get(f"/admin/tools/{job.pk}/download/").status_code == 404
    client.force_login(author)
    assert client.get(f"/admin/tools/{job.pk}/").status_code == 403
