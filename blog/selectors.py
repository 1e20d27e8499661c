"""Reads: the querysets views and feeds need, each with its related rows prefetched."""

from django.db.models import QuerySet

from blog.models import Category, Post


def public_posts() -> QuerySet[Post]:
    """Published posts (not pages), newest first, with what a list shows (the featured
    image's renditions too: one query for the thumbnails of a whole page)."""
    return (
        Post.objects.posts()
        .published()
        .select_related("author", "featured_image")
        .prefetch_related("categories", "tags", "featured_image__renditions")
        .order_by("-published_at")
    )


def home_posts() -> QuerySet[Post]:
    """The home page: sticky posts first, then newest first."""
    return public_posts().order_by("-sticky", "-published_at")


def category_posts(category: Category) -> QuerySet[Post]:
    """A category's posts, its subcategories' included (as WordPress's archive and feed)."""
    return public_posts().filter(categories__in=category_with_descendants(category)).distinct()


def category_with_descendants(category: Category) -> list[int]:
    """The ids of `category` and every category below it (one query; trees are small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category.pk]
    while stack:
        pk = stack.pop()
        if pk in found:  # a cycle made in the admin must not loop forever
            continue
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found
