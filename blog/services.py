"""State changes (writes), named <entity>_<action>: keyword-only, atomic, side effects
queued after commit."""

import datetime

from django.db import transaction
from django.utils import timezone

from blog.models import Post, PostUpdate, Revision
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


def revision_record(*, post: Post, update: PostUpdate | None = None, by=None,
                    now: datetime.datetime | None = None) -> Revision | None:
    """Record the saved text of `post` (title and body) or of its `update` as a revision,
    unless it is the text of the latest one already; returns the new revision, if any."""
    title, body = ("", update.body) if update is not None else (post.title, post.body)
    latest = Revision.objects.filter(post=post, update=update).order_by("-created_at", "-pk").first()
    if latest is not None and (latest.title, latest.body) == (title, body):
        return None
    return Revision.objects.create(post=post, update=update, title=title, body=body, created_at=now or timezone.now(),
                                   created_by=by if getattr(by, "is_authenticated", False) else None)


def _revision_baseline(*, post: Post, update: PostUpdate | None = None) -> None:
    """Before the first revisioned save of a post or update that already exists (made
    before revisions were kept, by an import, or in code), record its stored text, so the
    author's first edit can be undone too."""
    if (update or post).pk is None or Revision.objects.filter(post=post, update=update).exists():
        return
    if update is not None:
        stored = PostUpdate.objects.filter(pk=update.pk).values("body", "published_at").first()
        if stored:
            Revision.objects.create(post=post, update=update, body=stored["body"], created_at=stored["published_at"])
        return
    stored = Post.objects.filter(pk=post.pk).values("title", "body", "modified_at").first()
    if stored:
        Revision.objects.create(post=post, title=stored["title"], body=stored["body"], created_at=stored["modified_at"])


@transaction.atomic
def post_save(*, post: Post, changed: bool = True, now: datetime.datetime | None = None, by=None) -> Post:
    """Save a post as its author wrote it (the admin form). As WordPress: "published" with a
    future time means scheduled (the beat publishes it on time). A post saved as published
    and public is announced (`post_published`: once per post, whatever the later saves).
    A changed title or body is recorded as a revision (by `by`)."""
    now = now or timezone.now()
    if changed:
        post.modified_at = now
    if post.status == Post.Status.PUBLISHED and post.published_at > now:
        post.status = Post.Status.SCHEDULED
    _revision_baseline(post=post)
    post.save()
    revision_record(post=post, by=by, now=now)
    if post.status == Post.Status.PUBLISHED:
        post_published.send(sender=Post, post=post, now=now)
    return post


@transaction.atomic
def post_update_save(*, update: PostUpdate, now: datetime.datetime | None = None, by=None) -> PostUpdate:
    """Save a dated update as its author wrote it. A new update on a public post whose time
    has come is news: followers hear about it (`post_updated`, once per update; editing it
    later sends nothing). An update added to a draft is told with the post, when it is
    published."""
    now = now or timezone.now()
    is_new = update.pk is None
    _revision_baseline(post=update.post, update=update)
    update.save()
    post = update.post
    revision_record(post=post, update=update, by=by, now=now)
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


@transaction.atomic
def revision_restore(*, revision: Revision, by=None, now: datetime.datetime | None = None) -> Revision | None:
    """Put an earlier text back: the post's title and body, or its update's body, as the
    revision has them. Saved like an author's edit, so the restore is itself a revision
    (and can be undone the same way). An update's restore tells nobody: it is not news."""
    now = now or timezone.now()
    if revision.update_id:
        update = revision.update
        update.body = revision.body
        update.save()
        return revision_record(post=revision.post, update=update, by=by, now=now)
    post = revision.post
    post.title, post.body, post.modified_at = revision.title, revision.body, now
    post.save()
    return revision_record(post=post, by=by, now=now)
