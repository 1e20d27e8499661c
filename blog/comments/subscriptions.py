"""Reader subscriptions: create (double opt-in for guests), confirm, unsubscribe. The
confirmation mail, like every mail, is a Notification row recorded in the outbox and sent
by a Celery task after commit; its links are made by blog.comments.links.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.services import verified_emails
from blog.comments.mail import CONFIRM, DATA_LINK, MANAGE_LINK
from blog.comments.models import Comment, Notification, Subscription
from blog.comments.outbox import record
from blog.models import Post

CONFIRM_RESEND_SECONDS = 10 * 60


def _verified_for(user, email: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return email.strip().lower() in verified_emails(user=user)


def send_confirmation(email: str, *, now: datetime | None = None) -> Notification | None:
    """Record the double opt-in mail (a Notification, sent by a Celery task after commit,
    like every other mail): one link confirms every pending subscription of `email`. At
    most one per address every CONFIRM_RESEND_SECONDS, so the forms cannot be used to flood
    someone's inbox (the link confirms whatever is pending when it is clicked). The key
    carries the time window, so two requests racing in one window make one row."""
    email = email.strip().lower()
    now = now or timezone.now()
    recent = Notification.objects.filter(kind=CONFIRM, recipient=email,
                                         created_at__gt=now - timedelta(seconds=CONFIRM_RESEND_SECONDS))
    if not email or recent.exists():
        return None
    window = int(now.timestamp()) // CONFIRM_RESEND_SECONDS
    return record(kind=CONFIRM, obj=f"window:{window}", recipient=email)


def send_manage_link(email: str, *, now: datetime | None = None) -> Notification | None:
    """Record a mail with a fresh manage link to `email` (asked for from an expired link):
    at most one per address and day, keyed so a repeated request makes no second mail."""
    now = now or timezone.now()
    return record(kind=MANAGE_LINK, obj=f"day:{now.date().isoformat()}", recipient=email)


def send_data_link(email: str, *, now: datetime | None = None) -> Notification | None:
    """Record a mail with a guest's export/erase link to `email`: at most one per address
    and hour (the key carries the hour), so the form cannot flood an inbox."""
    now = now or timezone.now()
    return record(kind=DATA_LINK, obj=f"hour:{int(now.timestamp()) // 3600}", recipient=email)


@transaction.atomic
def subscription_create(
    *, email: str, kind: str, post: Post | None = None, comment: Comment | None = None, user=None,
    with_updates: bool | None = None,
) -> Subscription:
    """Subscribe `email`; an existing subscription of `email` becomes the account's only if
    the address is one `user` has verified. Confirmed at once for a signed-in reader whose address is verified,
    otherwise a confirmation mail is recorded and sent by a task after commit. Re-subscribing after an
    unsubscribe asks for confirmation again. `with_updates` (new posts only; None keeps the
    current choice) adds every post's dated updates."""
    email = email.strip()
    if kind == Subscription.Kind.NEW_POSTS:
        post = comment = None
    elif kind in (Subscription.Kind.ALL_COMMENTS, Subscription.Kind.UPDATES):
        comment = None
    scope = Subscription.scope_for(kind=kind, post_id=post.pk if post else None,
                                   comment_id=comment.pk if comment else None)
    sub = Subscription.objects.filter(email__iexact=email, scope=scope).first()
    if sub is None:
        sub = Subscription(email=email, kind=kind, post=post, comment=comment)
    if sub.unsubscribed_at is not None:
        sub.unsubscribed_at = None
        sub.confirmed_at = None
    # A row is the account's when it creates it, or when the address is one the account has
    # verified: typing someone else's address must not claim their subscription.
    if user is not None and getattr(user, "is_authenticated", False) and (sub.pk is None or _verified_for(user, email)):
        sub.user = user
    if with_updates is not None and kind == Subscription.Kind.NEW_POSTS:
        sub.with_updates = with_updates
    if sub.confirmed_at is None and _verified_for(user, email):
        sub.confirmed_at = timezone.now()
    sub.save()
    if sub.confirmed_at is None:
        send_confirmation(email)
    return sub


def subscriptions_confirm(*, email: str, tokens=None) -> int:
    """Confirm the pending subscriptions of `email` named by `tokens` (the confirm page
    passes those it showed; None: all pending); returns how many."""
    pending = Subscription.objects.filter(email__iexact=email, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
    if tokens is not None:
        pending = pending.filter(token__in=list(tokens))
    return pending.update(confirmed_at=timezone.now())


def subscription_unsubscribe(*, subscription: Subscription) -> bool:
    """Idempotent: False if it was already off."""
    return bool(Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True)
                .update(unsubscribed_at=timezone.now()))




def subscription_set_updates(*, subscription: Subscription, with_updates: bool) -> None:
    """A new-post subscriber's choice: also hear about every post's dated updates, or not."""
    Subscription.objects.filter(pk=subscription.pk, kind=Subscription.Kind.NEW_POSTS).update(
        with_updates=with_updates)
