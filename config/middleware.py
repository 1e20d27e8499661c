"""Project-wide middleware that imports no app.

RequestSizeLimitMiddleware — request limits that hold before any view (or the CSRF check)
reads the body. Public POSTs are small: a comment is at most 65,525 characters, a report or
a follow a few fields. So every request with a body outside the admin is refused with 413
when it declares more than PUBLIC_REQUEST_MAX_BYTES; only the admin (staff uploading images,
long posts) may send up to DATA_UPLOAD_MAX_MEMORY_SIZE of fields plus files of
IMAGE_MAX_BYTES. Without this, anyone could make the server buffer 30 MB of form fields, or
spool any size of "file" to disk, through the comment form.

PublicPageMiddleware — keeps anonymous pages cacheable by proxies (see its docstring).
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

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


class PublicPageMiddleware:
    """Drop `Cookie` from Vary on a response a view marked `public_page` (blog.page_cache:
    served only to requests without a session cookie, and the same for all of them), so
    proxies and CDNs may cache it. The session and auth middleware add `Vary: Cookie`
    whenever the template merely looked at the (empty) session. Second in MIDDLEWARE,
    right after the page cache's early answer (which stores the response as this leaves
    it): its response phase runs after every other middleware's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "public_page", False) and not response.cookies and response.has_header("Vary"):
            kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
            del response["Vary"]
            if kept:
                patch_vary_headers(response, kept)
        return response
