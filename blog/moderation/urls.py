"""Moderator queues at /moderation/."""

from django.urls import path

from blog.moderation import views as moderation_views

app_name = "moderation"
urlpatterns = [
    path("", moderation_views.queue, name="queue"),
    path("queue/<str:queue>/", moderation_views.queue, name="queue-named"),
    path("comments/<int:pk>/", moderation_views.detail, name="detail"),
    path("comments/<int:pk>/<str:action>/", moderation_views.act, name="act"),
    path("bulk/", moderation_views.bulk, name="bulk"),
    path("undo/", moderation_views.undo, name="undo"),
    path("author/", moderation_views.author, name="author"),
    path("dashboard/", moderation_views.dashboard, name="dashboard"),
]
