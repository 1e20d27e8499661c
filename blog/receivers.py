"""What the blog does when media sends a signal (connected on import, from BlogConfig.ready):
render again the stored HTML of the posts and dated updates whose bodies show the images
or the embed that changed (media.signals documents the signals). And what the page cache
hears of a post saved, deleted or re-categorised (blog.page_cache; its UPDATEs tell it
through PostQuerySet.update)."""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from blog import page_cache
from blog.models import Post, PostUpdate
from blog.rendering import render_bodies
from media.embeds import find_embed
from media.models import Embed, Image
from media.shortcodes import IMAGE_SHORTCODES, image_numbers
from media.signals import embed_fetched, renditions_ready

BATCH = 200  # bodies read, rendered and written per round trip


@receiver(post_save, sender=Post, dispatch_uid="blog.page_of_saved_post")
@receiver(post_delete, sender=Post, dispatch_uid="blog.page_of_deleted_post")
def page_of_post_changed(sender, instance, **kwargs) -> None:
    page_cache.pages_changed([instance.pk])


@receiver(m2m_changed, sender=Post.categories.through, dispatch_uid="blog.page_of_categorised_post")
@receiver(m2m_changed, sender=Post.tags.through, dispatch_uid="blog.page_of_tagged_post")
def page_of_post_terms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Categories or tags added to or removed from posts (from either side): the posts'
    pages show them, so a new page version (which tells the page cache too)."""
    if action.startswith("post_"):
        posts = Post.objects.all() if reverse and pk_set is None else Post.objects.filter(
            pk__in=list(pk_set) if reverse else [instance.pk])
        posts.update(comments_version=F("comments_version") + 1)


@receiver(renditions_ready, sender=Image, dispatch_uid="blog.rerender_bodies_showing_images")
def rerender_bodies_showing_images(sender, images, **kwargs) -> int:
    """Bodies whose shortcodes show one of `images` (by pk, or by wp_id for imported ones)."""
    wanted = {image.pk for image in images} | {image.wp_id for image in images if image.wp_id}
    if not wanted:
        return 0
    # A featured image's new renditions change the page, not the body: a new page version.
    Post.objects.filter(featured_image__in=[image.pk for image in images]).update(
        comments_version=F("comments_version") + 1)
    return bodies_rerender(needles=[f"[{name}" for name in IMAGE_SHORTCODES],
                           only=lambda body: bool(image_numbers(body) & wanted))


@receiver(embed_fetched, sender=Embed, dispatch_uid="blog.rerender_bodies_showing_embed")
def rerender_bodies_showing_embed(sender, embed, **kwargs) -> int:
    """Bodies that hold the embed's provider key (its video id, in any of its URL forms)."""
    info = find_embed(embed.url)
    return bodies_rerender(needles=[info.key]) if info else 0


def bodies_rerender(*, needles: Iterable[str], only: Callable[[str], bool] | None = None) -> int:
    """Render again the posts and updates whose source contains one of `needles` (and
    passes `only(body)`, if given); returns how many changed.

    Only `body_html` changes (no modified time bump: nothing the author wrote changed), and
    only where the new HTML differs, so a second run writes nothing. Read, rendered and
    written in batches of BATCH: a read, render_bodies' constant few and one bulk UPDATE
    per batch, never a query per post."""
    needles = [n for n in needles if n]
    if not needles:
        return 0
    matching = reduce(or_, (Q(body__contains=n) for n in needles))
    changed = 0
    for model in (Post, PostUpdate):
        last = 0
        while True:
            rows = list(model.objects.filter(matching, pk__gt=last).order_by("pk")
                        .values_list("pk", "body", "body_html")[:BATCH])
            if not rows:
                break
            last = rows[-1][0]
            rows = [row for row in rows if only is None or only(row[1])]
            htmls = render_bodies([body for _, body, _ in rows])
            stale = [model(pk=pk, body_html=new) for (pk, _, old), new in zip(rows, htmls, strict=True) if new != old]
            model.objects.bulk_update(stale, ["body_html"])
            if stale:  # what the post page shows changed: a new page version (blog.page_cache)
                post_ids = [row.pk for row in stale] if model is Post else PostUpdate.objects.filter(
                    pk__in=[row.pk for row in stale]).values("post_id")
                Post.objects.filter(pk__in=post_ids).update(comments_version=F("comments_version") + 1)
            changed += len(stale)
    return changed
