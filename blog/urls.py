"""Reading URLs, WordPress-compatible (DESIGN §7)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from blog import (
    converters,  # noqa: F401  (registers <yyyy:> and <dd:>)
    feeds,
    views,
)
from blog.sitemaps import SITEMAPS

app_name = "blog"
permalink = "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home-page"),
    path("feed/", feeds.PostsRss(), name="feed"),
    path("feed/atom/", feeds.PostsAtom(), name="feed-atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("category/<str:slug>/", views.category, name="category"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("author/<str:username>/", views.author, name="author"),
    path("<yyyy:year>/", views.year_archive, name="year"),
    path("<yyyy:year>/<dd:month>/", views.month_archive, name="month"),
    path(permalink, views.post_detail, name="post"),
    path(permalink + "comment-page-<int:cpage>/", views.post_detail, name="post-comment-page"),
    path("<str:slug>/", views.page_or_legacy, name="page"),
    path("<path:path>", views.legacy_redirect, name="legacy"),
]
