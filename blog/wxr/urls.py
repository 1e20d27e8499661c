"""The admin's Tools page, mounted at /admin/tools/ before the admin (config.urls)."""

from django.urls import path

from blog.wxr import views

app_name = "wxr-tools"
urlpatterns = [
    path("", views.tools, name="tools"),
    path("import/", views.start_import, name="import"),
    path("export/", views.start_export, name="export"),
    path("<int:pk>/", views.transfer, name="transfer"),
    path("<int:pk>/download/", views.download, name="download"),
]
