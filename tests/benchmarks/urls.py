"""The site's URLs plus a trivial view (/bench/hello/), the yardstick of bench_post_page, and
the same trivial view answering N bytes (/bench/bytes/N/): what sending a page of that
weight costs this server, whatever produced it."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def sized(request, size: int):
    return HttpResponse(b"x" * min(size, 10_000_000), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/hello/", hello), path("bench/bytes/<int:size>/", sized), *site_urlpatterns]
