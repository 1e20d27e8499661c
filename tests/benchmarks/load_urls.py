"""The site's URLs plus `POST /_load/trivial/`: a view that does nothing, behind the same
middleware (sessions, CSRF), as the load test's baseline for a POST."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("_load/trivial/", trivial), path("", include("config.urls"))]
handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
