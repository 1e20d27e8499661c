"""The admin's Tools page (`/admin/tools/`): import a WordPress export or an archive
(upload), export the site (download), each run by the worker; a run's page shows its
progress and refreshes itself while it runs (a meta refresh: no script, works without
JavaScript). Only staff with `blog.run_transfers` (superusers have it)."""

from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blog.models import Transfer
from blog.wxr import jobs, tasks
from config import helpers

PERMISSION = "blog.run_transfers"
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="WordPress export (.xml) or Dispatch archive (.zip)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xml", ".zip"):
            raise forms.ValidationError("Choose the .xml file from WordPress's Tools › Export, or a .zip archive.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is too large for an upload; use `manage.py import_wxr`.")
        return upload


class ExportForm(forms.Form):
    with_media = forms.BooleanField(required=False, label="Include the images' files (a .zip archive)")


def _staff(view):
    return admin.site.admin_view(permission_required(PERMISSION, raise_exception=True)(view))


def _context(request, **extra):
    return {**admin.site.each_context(request), "title": "Tools: import and export", **extra}


@require_http_methods(["GET"])
def tools(request):
    return render(request, "blog/tools.html", _context(
        request, import_form=ImportForm(), export_form=ExportForm(), transfers=Transfer.objects.all()[:20]))


@require_POST
def start_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "blog/tools.html", _context(
            request, import_form=form, export_form=ExportForm(), transfers=Transfer.objects.all()[:20]), status=400)
    job = jobs.transfer_create(kind=Transfer.Kind.IMPORT, user=request.user, upload=form.cleaned_data["file"])
    helpers.enqueue_on_commit(tasks.run_transfer, job.pk)
    return redirect("wxr-tools:transfer", pk=job.pk)


@require_POST
def start_export(request):
    form = ExportForm(request.POST)
    form.is_valid()
    job = jobs.transfer_create(kind=Transfer.Kind.EXPORT, user=request.user,
                               with_media=form.cleaned_data.get("with_media", False))
    helpers.enqueue_on_commit(tasks.run_transfer, job.pk)
    return redirect("wxr-tools:transfer", pk=job.pk)


def transfer(request, pk: int):
    job = get_object_or_404(Transfer, pk=pk)
    running = job.state in (Transfer.State.QUEUED, Transfer.State.RUNNING)
    return render(request, "blog/transfer.html", _context(request, transfer=job, running=running))


def download(request, pk: int):
    """The export's file, as an attachment; an import's upload is not offered back."""
    job = get_object_or_404(Transfer, pk=pk, kind=Transfer.Kind.EXPORT, state=Transfer.State.DONE)
    if not job.file:
        raise Http404("No file")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=Path(job.file.name).name)


tools = _staff(tools)
start_import = _staff(start_import)
start_export = _staff(start_export)
transfer = _staff(transfer)
download = _staff(download)
