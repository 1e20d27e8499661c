"""Commenters' own pages (profile, linked providers, data export) and the social login
endpoints of the comment form. Mounted at /accounts/ after allauth's URLs."""

from django.urls import path, re_path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("comment-login/", views.comment_login, name="comment-login"),
    path("comment-logout/", views.comment_logout, name="comment-logout"),
    path("popup-complete/", views.popup_complete, name="popup-complete"),
    path("identity/", views.identity, name="identity"),
    path("me/", views.profile, name="profile"),
    path("me/export/", views.export, name="export"),
    path("me/erase/", views.erase, name="erase"),
    re_path(r"^avatars/(?P<hex_hash>[0-9a-f]{16})\.svg$", views.identicon, name="identicon"),
]
