"""The outbox: every mail is first a `Notification` row, recorded in the same transaction
as the decision that causes it and keyed "<kind>:<object>:<recipient>" (unique), so
recording twice records once; its sending is queued after commit (a `send_notification`
task, or one fan-out task for a new post). blog.comments.mail composes and sends each row
once; the sweep re-queues rows left unsent.

Recorded here: mails about an approved comment (post author, thread subscribers, the
commenter who asked), about a new post (new-post subscribers) and about a story's dated
update (its followers, and new-post subscribers who asked for updates too). The double opt-in
confirmation is recorded by blog.comments.subscriptions, moderators' mails by
blog.moderation.mail, both through `record`.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from blog.comments import tasks
from blog.comments.mail import (
    APPROVED,
    NEW_COMMENT,
    NEW_POST,
    NEW_POST_MAX_AGE,
    POST_UPDATE,
    SUBSCRIBER,
    update_key_prefix,
)
from blog.comments.models import Comment, DiscussionSettings, Notification, Subscription
from blog.models import Post, PostUpdate
from config import helpers


def record(*, kind: str, obj: str, recipient: str, comment: Comment | None = None) -> Notification | None:
    """Create the notification row (once per key) and queue its sending after commit."""
    recipient = recipient.strip().lower()
    if not recipient:
        return None
    n, created = Notification.objects.get_or_create(
        key=f"{kind}:{obj}:{recipient}"[:255],
        defaults={"kind": kind, "recipient": recipient, "comment": comment,
                  "post_id": comment.post_id if comment else None},
    )
    if created:
        helpers.enqueue_on_commit(tasks.send_notification, n.pk)
    return n


def on_comment_approved(comment: Comment) -> None:
    """Record the mails an approved comment triggers: post author, thread subscribers, and
    the commenter if they asked. Call inside the approving transaction."""
    ds = DiscussionSettings.load()
    author = comment.post.author
    commenter = (comment.author_email or "").lower()
    obj = f"comment:{comment.pk}"
    if ds.notify_author_on_comment and author.email and comment.user_id != author.pk \
            and author.email.lower() != commenter:
        record(kind=NEW_COMMENT, obj=obj, recipient=author.email, comment=comment)
    for sub in subscribers_for_comment(comment):
        if sub.email.lower() != commenter:
            record(kind=SUBSCRIBER, obj=obj, recipient=sub.email, comment=comment)
    if comment.notify_on_approval and commenter:
        record(kind=APPROVED, obj=obj, recipient=commenter, comment=comment)


def subscribers_for_comment(comment) -> list[Subscription]:
    """Active subscriptions that an approved `comment` should notify (never its author):
    everyone following the post, and whoever asked for replies to one of its ancestors.
    One subscription per address (a follower who also asked for replies gets one mail)."""
    ancestors = [int(part) for part in comment.path.split("/") if part][:-1] if comment.path else []
    if comment.parent_id and comment.parent_id not in ancestors:
        ancestors.append(comment.parent_id)
    subs = Subscription.objects.active().filter(
        Q(kind=Subscription.Kind.ALL_COMMENTS, post_id=comment.post_id)
        | Q(kind=Subscription.Kind.REPLIES, comment_id__in=ancestors)
    ).order_by("pk")
    if comment.author_email:
        subs = subs.exclude(email__iexact=comment.author_email)
    if comment.user_id:
        subs = subs.exclude(user_id=comment.user_id)
    seen, result = set(), []
    for sub in subs:
        if sub.email.lower() not in seen:
            seen.add(sub.email.lower())
            result.append(sub)
    return result


def on_post_published(post: Post, *, now: datetime | None = None) -> int:
    """Record one "new post" mail per active new-posts subscriber (not the post's author);
    returns how many rows are new. Call inside the publishing transaction: the rows are
    one bulk insert (keys (kind, post, recipient) are unique, so publishing twice, or
    saving a published post again, adds nothing) and a single task fans out the sending
    after commit, so the request never waits on a long list. Pages, posts not yet public
    and posts published more than NEW_POST_MAX_AGE ago are not announced."""
    now = now or timezone.now()
    if post.kind != Post.Kind.POST or post.status != Post.Status.PUBLISHED \
            or not now - NEW_POST_MAX_AGE <= post.published_at <= now:
        return 0
    emails = {e.strip().lower() for e in Subscription.objects.active()
              .filter(kind=Subscription.Kind.NEW_POSTS).values_list("email", flat=True)}
    emails.discard((post.author.email or "").strip().lower())
    return _record_for_readers(kind=NEW_POST, prefix=f"{NEW_POST}:post:{post.pk}:", emails=emails, post=post,
                               fan_out=tasks.send_new_post_notifications, fan_out_id=post.pk)


def _record_for_readers(*, kind: str, prefix: str, emails, post: Post, fan_out, fan_out_id: int) -> int:
    """One row per address keyed `<prefix><address>`, in bulk, skipping those recorded
    already (found by the post's index, not by scanning keys); one fan-out task after
    commit if any is new. Returns how many are new."""
    keys = {f"{prefix}{e}"[:255]: e for e in emails}
    existing = set(Notification.objects.filter(kind=kind, post=post).values_list("key", flat=True))
    rows = [Notification(key=k, kind=kind, recipient=e, post=post) for k, e in keys.items() if k not in existing]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if rows:
        helpers.enqueue_on_commit(fan_out, fan_out_id)
    return len(rows)


def update_followers(post: Post) -> set[str]:
    """The addresses that hear about `post`'s updates: its followers ("Follow this story")
    and new-post subscribers who asked for updates too; never the post's author. One
    address is one mail, whichever subscriptions it holds."""
    active = Subscription.objects.active()
    emails = set(active.filter(kind=Subscription.Kind.UPDATES, post=post).values_list("email", flat=True))
    emails |= set(active.filter(kind=Subscription.Kind.NEW_POSTS, with_updates=True).values_list("email", flat=True))
    emails = {e.strip().lower() for e in emails}
    emails.discard((post.author.email or "").strip().lower())
    return emails


def on_post_updated(update: PostUpdate, *, now: datetime | None = None) -> int:
    """Record one mail per follower of the updated story (see `update_followers`); returns
    how many rows are new. Call inside the transaction that saved the update: the rows are
    one bulk insert keyed (update, recipient), so a second call adds nothing, and one task
    fans out the sending after commit. An update whose time has not come, of a post not
    public, or older than NEW_POST_MAX_AGE (an import) is not announced."""
    now = now or timezone.now()
    post = update.post
    if post.kind != Post.Kind.POST or not post.is_public \
            or not now - NEW_POST_MAX_AGE <= update.published_at <= now:
        return 0
    return _record_for_readers(kind=POST_UPDATE, prefix=update_key_prefix(update.pk), emails=update_followers(post),
                               post=post, fan_out=tasks.send_update_notifications, fan_out_id=update.pk)
