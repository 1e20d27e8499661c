"""E-mail notifications, each sent exactly once.

Every mail is first a `Notification` row keyed "<kind>:<object>:<recipient>" (unique), made
with get_or_create in the same transaction as the decision that causes it; the
`send_notification` task is queued after commit and `deliver` sets `sent_at` once the SMTP
server took the message, under a row lock, so a retried or duplicated task never sends
twice. Rows left unsent (a broker or worker failure after commit) are re-queued by the
sweep. Nothing here runs in a request: mails go out from Celery tasks.

Kinds: about an approved comment (post author, thread subscribers, the commenter), about
a held one (moderators, at once or as a daily digest: composed by blog.moderation.mail), the double opt-in confirmation
(blog.subscriptions), and new posts (one bulk insert when a post goes public, sent by a
fan-out task). A mail is composed when it is sent, from the state at that moment: a
comment removed, a reader who unsubscribed or already confirmed meanwhile gets nothing.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from blog.comments.models import Comment, DiscussionSettings, Notification, Subscription
from blog.models import Post
from config.helpers import absolute_url

logger = logging.getLogger(__name__)

NEW_COMMENT = "new_comment"  # to the post author
SUBSCRIBER = "subscriber"  # to thread subscribers
APPROVED = "approved"  # to the commenter who asked
CONFIRM = "confirm"  # double opt-in, to a guest who subscribed
NEW_POST = "new_post"  # to "new posts" subscribers
PERMANENT = "permanent: "
# A post whose publish time is older than this is not announced: an import, a backdated
# post, or a scheduled one the beat missed for days is not news any more.
NEW_POST_MAX_AGE = timedelta(days=2)

# Mail kinds composed by a higher layer (moderators' mails, blog.moderation.mail):
# kind -> compose(notification) -> EmailMessage | None, registered at import time by
# `register_composer`. The outbox records, sends and retries them like its own.
COMPOSERS: dict = {}


def register_composer(kind: str):
    """Decorator: compose notifications of `kind` with the decorated function."""
    def decorate(fn):
        COMPOSERS[kind] = fn
        return fn
    return decorate


def record(*, kind: str, obj: str, recipient: str, comment: Comment | None = None) -> Notification | None:
    """Create the notification row (once per key) and queue its sending after commit."""
    from blog.comments import tasks
    from config import helpers

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
    from blog.comments.subscriptions import subscribers_for_comment

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


def on_post_published(post: Post, *, now: datetime | None = None) -> int:
    """Record one "new post" mail per active new-posts subscriber (not the post's author);
    returns how many rows are new. Call inside the publishing transaction: the rows are
    one bulk insert (keys (kind, post, recipient) are unique, so publishing twice, or
    saving a published post again, adds nothing) and a single task fans out the sending
    after commit, so the request never waits on a long list. Pages, posts not yet public
    and posts published more than NEW_POST_MAX_AGE ago are not announced."""
    from blog.comments import tasks
    from config import helpers

    now = now or timezone.now()
    if post.kind != Post.Kind.POST or post.status != Post.Status.PUBLISHED \
            or not now - NEW_POST_MAX_AGE <= post.published_at <= now:
        return 0
    emails = {e.strip().lower() for e in Subscription.objects.active()
              .filter(kind=Subscription.Kind.NEW_POSTS).values_list("email", flat=True)}
    emails.discard((post.author.email or "").strip().lower())
    keys = {f"{NEW_POST}:post:{post.pk}:{e}"[:255]: e for e in emails}
    existing = set(Notification.objects.filter(kind=NEW_POST, post=post).values_list("key", flat=True))
    rows = [Notification(key=k, kind=NEW_POST, recipient=e, post=post) for k, e in keys.items() if k not in existing]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if rows:
        helpers.enqueue_on_commit(tasks.send_new_post_notifications, post.pk)
    return len(rows)


def unsent_for_post(post_id: int) -> list[int]:
    """The "new post" mails of a post still to send (the fan-out task queues one task each)."""
    return list(Notification.objects.filter(kind=NEW_POST, post_id=post_id, sent_at__isnull=True)
                .exclude(error__startswith=PERMANENT).order_by("pk").values_list("pk", flat=True))


def requeue_unsent(*, older_than: float = 60) -> list[int]:
    """Unsent notifications from the last day whose task seems lost (for the sweep)."""
    now = timezone.now()
    return list(Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - timedelta(seconds=older_than),
                                            created_at__gt=now - timedelta(days=1))
                .exclude(error__startswith=PERMANENT).values_list("pk", flat=True)[:500])


def deliver(notification_id: int) -> bool:
    """Send one notification if it has not been sent. True when this call sent it.
    The row lock (PostgreSQL) or the immediate write transaction (SQLite) makes concurrent
    duplicates wait, then see `sent_at` and return. A failure is recorded on the row and
    raised (the task retries); a refusal the server says is permanent is not retried."""
    try:
        return _deliver(notification_id)
    except smtplib.SMTPRecipientsRefused as exc:
        _failed(notification_id, f"{PERMANENT}{exc!r}")
        logger.warning("notification %s refused for good: %r", notification_id, exc)
        return False
    except Exception as exc:
        _failed(notification_id, repr(exc))
        raise


def _failed(notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(error=error[:500])


def _deliver(notification_id: int) -> bool:
    with transaction.atomic():
        n = (Notification.objects.select_for_update(of=("self",)).select_related("comment__post__author")
             .filter(pk=notification_id, sent_at__isnull=True).first())
        if n is None:
            return False
        message = compose(n)
        if message is not None:
            message.send()
        n.sent_at = timezone.now()
        n.error = "" if message is not None else "nothing to send (unsubscribed or gone)"
        n.save(update_fields=["sent_at", "error"])
        return message is not None


def compose(n: Notification) -> EmailMessage | None:
    """The e-mail for a notification row, or None when it no longer applies."""
    from blog.comments.subscriptions import list_unsubscribe_headers, manage_url, unsubscribe_url

    site = settings.SITE_NAME
    headers: dict[str, str] = {"Auto-Submitted": "auto-generated"}
    if n.kind in COMPOSERS:
        return COMPOSERS[n.kind](n)
    if n.kind == CONFIRM:
        from blog.comments.subscriptions import confirmation_message

        return confirmation_message(n.recipient)
    if n.kind == NEW_POST:
        return _new_post(n)
    c = n.comment
    if c is None or c.status != Comment.Status.APPROVED:
        return None  # only approved comments are ever announced
    link = absolute_url(c.get_absolute_url())
    quoted = "\n".join(f"> {line}" for line in c.body.splitlines()) or ">"
    if n.kind == NEW_COMMENT:
        subject = f"[{site}] New comment on \"{c.post.title}\""
        body = f"{c.author_name} commented on your post \"{c.post.title}\":\n\n{quoted}\n\nSee it: {link}\n"
    elif n.kind == APPROVED:
        subject = f"[{site}] Your comment was approved"
        body = (f"Your comment on \"{c.post.title}\" is now published:\n\n{quoted}\n\n{link}\n\n"
                f"Your subscriptions: {manage_url(n.recipient)}\n")
    elif n.kind == SUBSCRIBER:
        sub = Subscription.objects.active().filter(email__iexact=n.recipient, post_id=c.post_id).first()
        if sub is None:
            return None
        subject = f"[{site}] New comment on \"{c.post.title}\""
        body = (f"{c.author_name} wrote:\n\n{quoted}\n\nRead the thread: {link}\n\n"
                f"Stop these e-mails: {unsubscribe_url(sub)}\nYour subscriptions: {manage_url(sub.email)}\n")
        headers.update(list_unsubscribe_headers(sub))
    else:
        return None
    return EmailMessage(subject, body, to=[n.recipient], headers=headers)


def _new_post(n: Notification) -> EmailMessage | None:
    """The new-post mail, with the one-click unsubscribe headers (RFC 8058) and the manage
    link; None if the reader unsubscribed or the post is no longer public."""
    from django.utils.html import strip_tags
    from django.utils.text import Truncator

    from blog.comments.subscriptions import list_unsubscribe_headers, manage_url, unsubscribe_url

    post = n.post
    sub = (Subscription.objects.active().filter(kind=Subscription.Kind.NEW_POSTS, email__iexact=n.recipient)
           .order_by("pk").first())
    if post is None or sub is None or not post.is_public:
        return None
    summary = Truncator(post.excerpt or strip_tags(post.body_html)).words(60).strip()
    body = (f"{post.author.public_name} published \"{post.title}\" "
            f"on {settings.SITE_NAME}:\n\n{summary}\n\nRead it: {absolute_url(post.get_absolute_url())}\n\n"
            f"Stop these e-mails: {unsubscribe_url(sub)}\nYour subscriptions: {manage_url(sub.email)}\n")
    headers = {"Auto-Submitted": "auto-generated", **list_unsubscribe_headers(sub)}
    return EmailMessage(f"[{settings.SITE_NAME}] New post: {post.title}", body, to=[n.recipient], headers=headers)
