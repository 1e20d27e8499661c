"""Commenters' own pages (profile, linked providers, data export)."""

app_name = "accounts"
urlpatterns: list = []
