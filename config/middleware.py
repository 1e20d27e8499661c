"""Project-wide middleware that imports no app."""

from django.utils.cache import patch_vary_headers


class PublicPageMiddleware:
    """Drop `Cookie` from Vary on a response a view marked `public_page` (blog.page_cache:
    served only to requests without a session cookie, and the same for all of them), so
    proxies and CDNs may cache it. The session and auth middleware add `Vary: Cookie`
    whenever the template merely looked at the (empty) session. First in MIDDLEWARE:
    its response phase runs last."""

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
