"""Moderator queues at /moderation/."""

from django.urls import path

from blog import moderation_views

app_name = "moderation"
urlpatterns = [
    path("", moderation_views.queue, name="queue"),
]
