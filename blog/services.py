"""State changes (writes), named <entity>_<action>: keyword-only, atomic, side effects
queued after commit."""

import datetime

from django.db import transaction
from django.utils import timezone

from blog.models import Post, PostUpdate
from blog.signals import post_published, post_updated


class PostStateError(ValueError):
    """A publishing action that does not apply to this post (the message says why)."""


@transaction.atomic
def post_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish every scheduled post whose time has come; returns how many. New-post
    subscribers hear about each (once, even if two beat runs overlap)."""
    now = now or timezone.now()
    due = list(Post.objects.due(now).select_for_update(skip_locked=True, of=("self",)).select_related("author"))
    published = Post.objects.filter(pk__in=[p.pk for p in due], status=Post.Status.SCHEDULED).update(
        status=Post.Status.PUBLISHED, modified_at=now)
    for post in due:
        post.status, post.modified_at = Post.Status.PUBLISHED, now
        post_published.send(sender=Post, post=post, now=now)
    return published


@transaction.atomic
def post_publish(*, post: Post, now: datetime.datetime | None = None) -> Post:
    """Publish now. A draft or scheduled post takes the current time as its publish time
    (as WordPress does), so it appears at the top of the home page and feeds; an already
    published post keeps its date, so its permalink does not change."""
    now = now or timezone.now()
    if post.status == Post.Status.PUBLISHED and post.published_at <= now:
        return post
    post = _set_state(post, status=Post.Status.PUBLISHED, published_at=now, now=now)
    post_published.send(sender=Post, post=post, now=now)
    return post


@transaction.atomic
def post_save(*, post: Post, changed: bool = True, now: datetime.datetime | None = None) -> Post:
    """Save a post as its author wrote it (the admin form). As WordPress: "published" with a
    future time means scheduled (the beat publishes it on time). A post saved as published
    and public is announced (`post_published`: once per post, whatever the later saves)."""
    now = now or timezone.now()
    if changed:
        post.modified_at = now
    if post.status == Post.Status.PUBLISHED and post.published_at > now:
        post.status = Post.Status.SCHEDULED
    post.save()
    if post.status == Post.Status.PUBLISHED:
        post_published.send(sender=Post, post=post, now=now)
    return post


@transaction.atomic
def post_update_save(*, update: PostUpdate, now: datetime.datetime | None = None) -> PostUpdate:
    """Save a dated update as its author wrote it. A new update on a public post whose time
    has come is news: followers hear about it (`post_updated`, once per update; editing it
    later sends nothing). An update added to a draft is told with the post, when it is
    published."""
    now = now or timezone.now()
    is_new = update.pk is None
    update.save()
    post = update.post
    if is_new and post.is_public and update.published_at <= now:
        post_updated.send(sender=PostUpdate, update=update, now=now)
    return update


@transaction.atomic
def post_schedule(*, post: Post, at: datetime.datetime | None = None,
                  now: datetime.datetime | None = None) -> Post:
    """Schedule for `at` (default: the post's own publish time). The beat task
    (`blog.tasks.publish_scheduled_posts`) publishes it when the time comes; until then
    readers cannot see it."""
    now = now or timezone.now()
    at = at or post.published_at
    if at <= now:
        raise PostStateError(f"“{post}” has a publish time in the past: set a future time to schedule it.")
    return _set_state(post, status=Post.Status.SCHEDULED, published_at=at, now=now)


@transaction.atomic
def post_unpublish(*, post: Post, now: datetime.datetime | None = None) -> Post:
    """Back to draft: the permalink answers 404 to readers again (its author can still
    preview it)."""
    if post.status == Post.Status.DRAFT:
        return post
    return _set_state(post, status=Post.Status.DRAFT, published_at=post.published_at, now=now or timezone.now())


def _set_state(post: Post, *, status: str, published_at: datetime.datetime, now: datetime.datetime) -> Post:
    post.status = status
    post.published_at = published_at
    post.modified_at = now
    post.save(update_fields=["status", "published_at", "modified_at", "body_html"])
    return post
