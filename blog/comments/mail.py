"""Composing and sending the outbox's mails (blog.comments.outbox records them), each
exactly once: `deliver` (run by the `send_notification` task) sets `sent_at` once the SMTP
server took the message, under a row lock, so a retried or duplicated task never sends
twice. Rows left unsent (a broker or worker failure after commit) are re-queued by the
sweep. Nothing here runs in a request: mails go out from Celery tasks.

Kinds: about an approved comment (post author, thread subscribers, the commenter), the
double opt-in confirmation, new posts, a story's dated updates, and those a higher layer registers a composer for
(moderators' held-comment mails and digests: blog.moderation.mail). A mail is composed
when it is sent, from the state at that moment: a comment removed, a reader who
unsubscribed or already confirmed meanwhile gets nothing.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from blog.comments import links
from blog.comments.models import Comment, Notification, Subscription
from blog.models import PostUpdate
from config.helpers import absolute_url

logger = logging.getLogger(__name__)

NEW_COMMENT = "new_comment"  # to the post author
SUBSCRIBER = "subscriber"  # to thread subscribers
APPROVED = "approved"  # to the commenter who asked
CONFIRM = "confirm"  # double opt-in, to a guest who subscribed
MANAGE_LINK = "manage_link"  # a fresh manage link, asked for from an expired one
DATA_LINK = "data_link"  # a guest's export/erase link, asked for at /comments/my-data/
NEW_POST = "new_post"  # to "new posts" subscribers
POST_UPDATE = "post_update"  # to a story's followers (and new-post subscribers who asked)
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


def unsent_for_post(post_id: int) -> list[int]:
    """The "new post" mails of a post still to send (the fan-out task queues one task each)."""
    return list(Notification.objects.filter(kind=NEW_POST, post_id=post_id, sent_at__isnull=True)
                .exclude(error__startswith=PERMANENT).order_by("pk").values_list("pk", flat=True))


def update_key_prefix(update_id: int) -> str:
    """The start of every key of one update's mails: "post_update:update:<id>:<recipient>"."""
    return f"{POST_UPDATE}:update:{update_id}:"


def unsent_for_update(update_id: int) -> list[int]:
    """The mails of a dated update still to send (the fan-out task queues one task each);
    found through the post's index, then by key."""
    post_id = PostUpdate.objects.filter(pk=update_id).values_list("post_id", flat=True).first()
    return list(Notification.objects.filter(kind=POST_UPDATE, post_id=post_id, key__startswith=update_key_prefix(update_id),
                                            sent_at__isnull=True)
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
    site = settings.SITE_NAME
    headers: dict[str, str] = {"Auto-Submitted": "auto-generated"}
    if n.kind in COMPOSERS:
        return COMPOSERS[n.kind](n)
    if n.kind == CONFIRM:
        return confirmation_message(n.recipient)
    if n.kind == DATA_LINK:
        return EmailMessage(
            subject=f"[{site}] Your data", to=[n.recipient], headers=headers,
            body=(f"Someone (hopefully you) asked {site} for the data it holds about this address: comments, "
                  "subscriptions and the mails sent to it. This link lets you download it or erase it; it works "
                  f"for 24 hours.\n\nYour data: {links.data_url(n.recipient)}\n\n"
                  "If you did not ask for it, ignore this mail: nothing happens without the link.\n"),
        )
    if n.kind == MANAGE_LINK:
        return EmailMessage(
            subject=f"[{site}] Your subscriptions", to=[n.recipient], headers=headers,
            body=(f"Here is a fresh link to your subscriptions on {site}; it works for 30 days.\n\n"
                  f"Your subscriptions: {links.manage_url(n.recipient)}\n\n"
                  "If you did not ask for it, ignore this mail.\n"),
        )
    if n.kind == NEW_POST:
        return _new_post(n)
    if n.kind == POST_UPDATE:
        return _post_update(n)
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
                f"Your subscriptions: {links.manage_url(n.recipient)}\n")
    elif n.kind == SUBSCRIBER:
        sub = (Subscription.objects.active().filter(email__iexact=n.recipient, post_id=c.post_id)
               .exclude(kind=Subscription.Kind.UPDATES).first())
        if sub is None:
            return None
        subject = f"[{site}] New comment on \"{c.post.title}\""
        body = (f"{c.author_name} wrote:\n\n{quoted}\n\nRead the thread: {link}\n\n"
                f"Stop these e-mails: {links.unsubscribe_url(sub)}\nYour subscriptions: {links.manage_url(sub.email)}\n")
        headers.update(links.list_unsubscribe_headers(sub))
    else:
        return None
    return EmailMessage(subject, body, to=[n.recipient], headers=headers)


def _new_post(n: Notification) -> EmailMessage | None:
    """The new-post mail, with the one-click unsubscribe headers (RFC 8058) and the manage
    link; None if the reader unsubscribed or the post is no longer public."""
    post = n.post
    sub = (Subscription.objects.active().filter(kind=Subscription.Kind.NEW_POSTS, email__iexact=n.recipient)
           .order_by("pk").first())
    if post is None or sub is None or not post.is_public:
        return None
    summary = Truncator(post.excerpt or strip_tags(post.body_html)).words(60).strip()
    body = (f"{post.author.public_name} published \"{post.title}\" "
            f"on {settings.SITE_NAME}:\n\n{summary}\n\nRead it: {absolute_url(post.get_absolute_url())}\n\n"
            f"Stop these e-mails: {links.unsubscribe_url(sub)}\nYour subscriptions: {links.manage_url(sub.email)}\n")
    headers = {"Auto-Submitted": "auto-generated", **links.list_unsubscribe_headers(sub)}
    return EmailMessage(f"[{settings.SITE_NAME}] New post: {post.title}", body, to=[n.recipient], headers=headers)


def update_subscription(post_id: int, email: str) -> Subscription | None:
    """Why `email` hears about the updates of post `post_id`: following that story, or else
    following new posts with their updates; None if neither (any more)."""
    subs = Subscription.objects.active().filter(email__iexact=email)
    return (subs.filter(kind=Subscription.Kind.UPDATES, post_id=post_id).order_by("pk").first()
            or subs.filter(kind=Subscription.Kind.NEW_POSTS, with_updates=True).order_by("pk").first())


def _post_update(n: Notification) -> EmailMessage | None:
    """A story's new dated update: its date and text, the link to it on the post page, the
    one-click unsubscribe of the subscription that asked for it; None if the reader stopped
    following, or the update or its post is gone or no longer public."""
    update_id = n.key.removeprefix(f"{POST_UPDATE}:update:").split(":", 1)[0]
    update = (PostUpdate.objects.select_related("post__author").filter(pk=int(update_id)).first()
              if update_id.isdigit() else None)
    if update is None or not update.post.is_public:
        return None
    sub = update_subscription(update.post_id, n.recipient)
    if sub is None:
        return None
    post = update.post
    when = timezone.localtime(update.published_at)
    text = Truncator(strip_tags(update.body_html)).words(150).strip()
    why = ("you follow this story" if sub.kind == Subscription.Kind.UPDATES
           else "you asked for new posts and their updates")
    body = (f"\"{post.title}\" was updated on {when:%d %B %Y, %H:%M}:\n\n{text}\n\n"
            f"Read it: {absolute_url(post.get_absolute_url())}#update-{update.pk}\n\n"
            f"You get this because {why}.\nStop these e-mails: {links.unsubscribe_url(sub)}\n"
            f"Your subscriptions: {links.manage_url(sub.email)}\n")
    headers = {"Auto-Submitted": "auto-generated", **links.list_unsubscribe_headers(sub)}
    return EmailMessage(f"[{settings.SITE_NAME}] Update: {post.title}", body, to=[n.recipient], headers=headers)


def confirmation_message(email: str) -> EmailMessage | None:
    """The confirmation mail as it reads when sent: what is pending then (None if nothing)."""
    pending = Subscription.objects.filter(email__iexact=email, confirmed_at__isnull=True,
                                          unsubscribed_at__isnull=True).select_related("post").order_by("pk")
    lines = [f"- {s.get_kind_display()}" + (f": {s.post.title}" if s.post else "") for s in pending]
    if not lines:
        return None
    body = (
        f"Someone (hopefully you) asked {settings.SITE_NAME} to send this address:\n\n" + "\n".join(lines)
        + f"\n\nConfirm here: {links.confirm_url(email)}\n\n"
        "If you did not ask for this, ignore this message and nothing will be sent.\n"
        f"Your subscriptions: {links.manage_url(email)}\n"
    )
    return EmailMessage(f"[{settings.SITE_NAME}] Please confirm your subscription", body, to=[email],
                        headers={"Auto-Submitted": "auto-generated"})
