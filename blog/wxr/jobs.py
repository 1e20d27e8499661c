"""Import and export runs from the admin's Tools page (`Transfer` rows): created in the
request, run by the worker (blog.wxr.tasks), progress written on the row for the page
that watches it.

An export writes its progress as it goes (every PROGRESS_EVERY items). An import is one
transaction, so counts written inside it would stay invisible until it ends: the row says
how many items it is importing, then the summary.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from blog.models import Post, Transfer
from blog.wxr.archive import is_archive, open_archive
from blog.wxr.exporter import wxr_export, wxr_export_archive
from blog.wxr.importer import wxr_import
from blog.wxr.parse import WxrError, parse_wxr

PROGRESS_EVERY = 25


@transaction.atomic
def transfer_create(*, kind: str, user, upload=None, with_media: bool = False) -> Transfer:
    """Record an import (of `upload`, a WXR file or an export archive) or an export. The
    caller queues its run after commit (blog.wxr.tasks.run_transfer: the tasks module
    imports this one, not the other way)."""
    job = Transfer(kind=kind, requested_by=user, with_media=with_media and kind == Transfer.Kind.EXPORT)
    if upload is not None:
        job.file.save(Path(upload.name).name, upload, save=False)
    job.save()
    return job


def _progress(job_id: int, *, done: int, total: int | None = None, message: str | None = None) -> None:
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message
    Transfer.objects.filter(pk=job_id).update(**fields)


def _finish(job_id: int, *, state: str, message: str, **fields) -> None:
    Transfer.objects.filter(pk=job_id).update(state=state, message=message, finished_at=timezone.now(), **fields)


def transfer_run(*, job_id: int) -> bool:
    """Run a queued transfer once: claimed with a compare-and-set, so a duplicated task
    does nothing. A failure is recorded on the row with its reason (never raised: running
    it again would not help). True when this call ran it."""
    if not Transfer.objects.filter(pk=job_id, state=Transfer.State.QUEUED).update(state=Transfer.State.RUNNING):
        return False
    job = Transfer.objects.get(pk=job_id)
    try:
        if job.kind == Transfer.Kind.EXPORT:
            _export(job)
        else:
            _import(job)
    except (WxrError, OSError) as exc:
        _finish(job.pk, state=Transfer.State.FAILED, message=f"{exc}")
    except Exception as exc:  # recorded for the operator; the worker's log has the traceback
        _finish(job.pk, state=Transfer.State.FAILED, message=f"Unexpected error: {exc!r}")
        raise
    return True


def _export(job: Transfer) -> None:
    total = Post.objects.count()
    _progress(job.pk, done=0, total=total, message=f"Exporting {total} posts and pages")
    counter = {"n": 0}

    def step() -> None:
        counter["n"] += 1
        if counter["n"] % PROGRESS_EVERY == 0:
            _progress(job.pk, done=counter["n"])

    if job.with_media:
        out = io.BytesIO()
        n = wxr_export_archive(out=out, progress=step)
        content, name = out.getvalue(), f"dispatch-export-{job.pk}.zip"
    else:
        text = io.StringIO()
        n = wxr_export(out=text, progress=step)
        content, name = text.getvalue().encode(), f"dispatch-export-{job.pk}.xml"
    job.file.save(name, ContentFile(content), save=False)
    media = " with the images' files" if job.with_media else ""
    _finish(job.pk, state=Transfer.State.DONE, message=f"Exported {n} posts and pages{media}.",
            done=n, file=job.file.name)


def _import(job: Transfer) -> None:
    with tempfile.TemporaryDirectory(prefix="transfer-") as scratch:
        local = Path(scratch) / "upload"
        with job.file.open("rb") as src, local.open("wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
        uploads = None
        if is_archive(local):
            local, uploads = open_archive(local, Path(scratch) / "archive")
        with local.open("rb") as fh:
            document = parse_wxr(fh)
        total = len(document.items)
        _progress(job.pk, done=0, total=total,
                  message=f"Importing {total} items in one transaction: all of them or, on an error, none")
        stats = wxr_import(document=document, uploads=uploads)
    _finish(job.pk, state=Transfer.State.DONE, message=stats.summary(), done=total)
