"""Request limits that hold before any view (or the CSRF check) reads the body.

Public POSTs are small: a comment is at most 65,525 characters, a report or a follow a few
fields. So every request with a body outside the admin is refused with 413 when it declares
more than PUBLIC_REQUEST_MAX_BYTES; only the admin (staff uploading images, long posts) may
send up to DATA_UPLOAD_MAX_MEMORY_SIZE of fields plus files of IMAGE_MAX_BYTES. Without
this, anyone could make the server buffer 30 MB of form fields, or spool any size of
"file" to disk, through the comment form.
"""

from django.conf import settings
from django.http import HttpResponse

ADMIN_PREFIX = "/admin/"


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(ADMIN_PREFIX):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > settings.PUBLIC_REQUEST_MAX_BYTES:
                return HttpResponse("Request too large.", status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
