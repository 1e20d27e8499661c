"""Top-level URLs. WordPress-compatible reading URLs live in blog.urls, mounted at the root
last so that /admin/, /accounts/ and /moderation/ win."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/tools/", include("blog.wxr.urls")),  # WordPress import/export, run by the worker
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("moderation/oneclick/", include("blog.moderation.oneclick_urls")),
    path("moderation/", include("blog.moderation.urls")),
    path("", include("blog.comments.urls")),
    path("", include("blog.urls")),
]
if settings.DEBUG:
    # First: the blog's catch-all legacy pattern would otherwise answer 404 for /media/.
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
