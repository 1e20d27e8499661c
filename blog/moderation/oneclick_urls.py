"""One-click moderation links from e-mails: /moderation/oneclick/<token>/."""

from django.urls import path

from blog.moderation import oneclick_views

app_name = "oneclick"
urlpatterns = [
    path("<str:token>/", oneclick_views.confirm, name="confirm"),
]
