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
    path("category/<str:slug>/page/<int:page>/", views.category, name="category-page"),
    path("category/<str:slug>/feed/", feeds.CategoryRss(), name="category-feed"),
    path("category/<str:slug>/feed/atom/", feeds.CategoryAtom(), name="category-feed-atom"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("tag/<str:slug>/page/<int:page>/", views.tag, name="tag-page"),
    path("tag/<str:slug>/feed/", feeds.TagRss(), name="tag-feed"),
    path("tag/<str:slug>/feed/atom/", feeds.TagAtom(), name="tag-feed-atom"),
    path("author/<str:username>/", views.author, name="author"),
    path("author/<str:username>/page/<int:page>/", views.author, name="author-page"),
    path("author/<str:username>/feed/", feeds.AuthorRss(), name="author-feed"),
    path("author/<str:username>/feed/atom/", feeds.AuthorAtom(), name="author-feed-atom"),
    path("<yyyy:year>/", views.year_archive, name="year"),
    path("<yyyy:year>/page/<int:page>/", views.year_archive, name="year-page"),
    path("<yyyy:year>/<dd:month>/", views.month_archive, name="month"),
    path("<yyyy:year>/<dd:month>/page/<int:page>/", views.month_archive, name="month-page"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.day_archive, name="day"),
    path("<yyyy:year>/<dd:month>/<dd:day>/page/<int:page>/", views.day_archive, name="day-page"),
    path(permalink, views.post_detail, name="post"),
    path(permalink + "comment-page-<int:cpage>/", views.post_detail, name="post-comment-page"),
    path("<str:slug>/", views.page_or_legacy, name="page"),
    path("<path:path>", views.legacy_redirect, name="legacy"),
]
