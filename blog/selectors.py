"""Reads: the querysets views and feeds need, each with its related rows prefetched."""

from django.db.models import QuerySet

from blog.models import Post


def public_posts() -> QuerySet[Post]:
    """Published posts (not pages), newest first, with what a list shows."""
    return (
        Post.objects.posts()
        .published()
        .select_related("author", "featured_image")
        .prefetch_related("categories", "tags")
        .order_by("-published_at")
    )


def home_posts() -> QuerySet[Post]:
    """The home page: sticky posts first, then newest first."""
    return public_posts().order_by("-sticky", "-published_at")
