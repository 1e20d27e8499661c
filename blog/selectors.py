"""Reads: the querysets views and feeds need, each with its related rows prefetched."""

import difflib
from dataclasses import dataclass

from django.db.models import QuerySet

from blog.models import Category, Post, Revision


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


@dataclass
class RevisionView:
    """A revision and what it changed from the one before it: (op, line) pairs, op being
    "+" (added), "-" (removed), " " (unchanged, kept next to a change) or "…" (skipped)."""

    revision: Revision
    diff: list[tuple[str, str]]
    is_current: bool


def line_diff(old: str, new: str, *, context: int = 1) -> list[tuple[str, str]]:
    """A readable line diff of two texts: changed lines, `context` unchanged lines around
    them, "…" for the unchanged runs in between. Pure."""
    ops: list[tuple[str, str]] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("? "):
            continue
        ops.append((line[0] if line[0] in "+-" else " ", line[2:]))
    keep = {i for i, (op, _) in enumerate(ops) if op != " "}
    near = {j for i in keep for j in range(i - context, i + context + 1)}
    out: list[tuple[str, str]] = []
    for i, (op, text) in enumerate(ops):
        if i in near:
            out.append((op, text))
        elif not out or out[-1][0] != "…":
            out.append(("…", ""))
    return out


def post_revisions(post: Post) -> list[tuple[str, list[RevisionView]]]:
    """The post's revisions, then each update's, newest first, each with its diff from the
    one before (one query)."""
    groups: dict[int | None, list[Revision]] = {}
    for rev in Revision.objects.filter(post=post).select_related("created_by", "update").order_by("created_at", "pk"):
        groups.setdefault(rev.update_id, []).append(rev)
    result = []
    for update_id, revs in sorted(groups.items(), key=lambda item: (item[0] is not None, item[0] or 0)):
        views = []
        for i, rev in enumerate(revs):
            before = revs[i - 1] if i else None
            old = f"{before.title}\n\n{before.body}" if before and not update_id else (before.body if before else "")
            new = f"{rev.title}\n\n{rev.body}" if not update_id else rev.body
            views.append(RevisionView(rev, line_diff(old, new), is_current=i == len(revs) - 1))
        label = "The post" if update_id is None else f"Update of {revs[-1].update.published_at:%d %B %Y, %H:%M}"
        result.append((label, list(reversed(views))))
    return result
