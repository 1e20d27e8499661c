"""Comment, comment-feed and subscription endpoints (names are `comments:...`), mounted
at the root before blog.urls (whose catch-all patterns come last)."""

from django.urls import path

from blog import converters  # noqa: F401  (registers <yyyy:> and <dd:>)
from blog.comments import feeds
from blog.comments import views as comment_views

app_name = "comments"
urlpatterns = [
    path("comments/post/", comment_views.post_comment, name="comment-post"),
    path("comments/csrf/", comment_views.csrf_token, name="csrf-token"),
    path("comments/feed/", feeds.CommentsRss(), name="comments-feed"),
    path("comments/feed/atom/", feeds.CommentsAtom(), name="comments-feed-atom"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/feed/", feeds.PostCommentsRss(), name="post-comments-feed"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/feed/atom/", feeds.PostCommentsAtom(),
         name="post-comments-feed-atom"),
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/report/", comment_views.comment_report, name="comment-report"),
    path("comments/follow/", comment_views.follow, name="comment-follow"),
    path("comments/subscriptions/confirm/<str:token>/", comment_views.subscription_confirm,
         name="subscription-confirm"),
    path("comments/subscriptions/unsubscribe/<uuid:token>/", comment_views.subscription_unsubscribe,
         name="subscription-unsubscribe"),
    path("comments/my-data/", comment_views.my_data_request, name="my-data-request"),
    path("comments/my-data/<str:token>/", comment_views.my_data, name="my-data"),
    path("comments/subscriptions/manage/<str:token>/", comment_views.subscription_manage,
         name="subscription-manage"),
]
