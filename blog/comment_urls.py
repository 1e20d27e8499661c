"""Comment and subscription endpoints, mounted inside blog.urls (names are `blog:...`).
`comments/post/` itself stays in blog.urls as `blog:comment-post`."""

from django.urls import path

from blog import comment_views

urlpatterns = [
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/report/", comment_views.comment_report, name="comment-report"),
    path("comments/follow/", comment_views.follow, name="comment-follow"),
    path("comments/subscriptions/confirm/<str:token>/", comment_views.subscription_confirm,
         name="subscription-confirm"),
    path("comments/subscriptions/unsubscribe/<uuid:token>/", comment_views.subscription_unsubscribe,
         name="subscription-unsubscribe"),
    path("comments/subscriptions/manage/<str:token>/", comment_views.subscription_manage,
         name="subscription-manage"),
]
