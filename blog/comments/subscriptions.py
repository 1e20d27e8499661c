"""Reader subscriptions: create (double opt-in for guests), confirm, unsubscribe, and who
should hear about an approved comment.

Links in mail: confirming uses a signed, expiring token over the e-mail address (one mail
confirms everything that address asked for); unsubscribing uses the subscription's random
UUID (one click, RFC 8058); the manage page uses a signed token over the address, so any
mail leads there without an account. Every link confirms on GET and acts on POST, so mail
scanners that prefetch links change nothing. The confirmation mail, like every mail, is a
Notification row sent by a Celery task after commit (blog.notifications).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blog.comments.models import Comment, Notification, Subscription
from blog.models import Post
from config.helpers import absolute_url

CONFIRM_SALT = "dispatch.subscription-confirm"
MANAGE_SALT = "dispatch.subscription-manage"
CONFIRM_MAX_AGE = 7 * 24 * 3600
CONFIRM_RESEND_SECONDS = 10 * 60


def _email_token(email: str, salt: str) -> str:
    return signing.dumps(email.strip().lower(), salt=salt, compress=True)


def email_from_token(token: str, *, salt: str, max_age: int | None = None) -> str | None:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None


def confirm_url(email: str) -> str:
    return absolute_url(reverse("comments:subscription-confirm", args=[_email_token(email, CONFIRM_SALT)]))


def manage_url(email: str) -> str:
    """The manage-subscriptions page for `email` (signed link, no login needed)."""
    return absolute_url(reverse("comments:subscription-manage", args=[_email_token(email, MANAGE_SALT)]))


def unsubscribe_url(subscription: Subscription) -> str:
    """Absolute one-click unsubscribe URL (also used for List-Unsubscribe)."""
    return absolute_url(reverse("comments:subscription-unsubscribe", args=[subscription.token]))


def list_unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    """Headers every notification mail carries (RFC 2369 + RFC 8058 one-click)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _verified_for(user, email: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def send_confirmation(email: str, *, now: datetime | None = None) -> Notification | None:
    """Record the double opt-in mail (a Notification, sent by a Celery task after commit,
    like every other mail): one link confirms every pending subscription of `email`. At
    most one per address every CONFIRM_RESEND_SECONDS, so the forms cannot be used to flood
    someone's inbox (the link confirms whatever is pending when it is clicked). The key
    carries the time window, so two requests racing in one window make one row."""
    from blog.comments import mail as notifications

    email = email.strip().lower()
    now = now or timezone.now()
    recent = Notification.objects.filter(kind=notifications.CONFIRM, recipient=email,
                                         created_at__gt=now - timedelta(seconds=CONFIRM_RESEND_SECONDS))
    if not email or recent.exists():
        return None
    window = int(now.timestamp()) // CONFIRM_RESEND_SECONDS
    return notifications.record(kind=notifications.CONFIRM, obj=f"window:{window}", recipient=email)


def confirmation_message(email: str) -> EmailMessage | None:
    """The confirmation mail as it reads when sent: what is pending then (None if nothing)."""
    pending = Subscription.objects.filter(email__iexact=email, confirmed_at__isnull=True,
                                          unsubscribed_at__isnull=True).select_related("post").order_by("pk")
    lines = [f"- {s.get_kind_display()}" + (f": {s.post.title}" if s.post else "") for s in pending]
    if not lines:
        return None
    body = (
        f"Someone (hopefully you) asked {settings.SITE_NAME} to send this address:\n\n" + "\n".join(lines)
        + f"\n\nConfirm here: {confirm_url(email)}\n\n"
        "If you did not ask for this, ignore this message and nothing will be sent.\n"
        f"Your subscriptions: {manage_url(email)}\n"
    )
    return EmailMessage(f"[{settings.SITE_NAME}] Please confirm your subscription", body, to=[email],
                        headers={"Auto-Submitted": "auto-generated"})


@transaction.atomic
def subscription_create(
    *, email: str, kind: str, post: Post | None = None, comment: Comment | None = None, user=None
) -> Subscription:
    """Subscribe `email`; confirmed at once for a signed-in reader whose address is verified,
    otherwise a confirmation mail is recorded and sent by a task after commit. Re-subscribing after an
    unsubscribe asks for confirmation again."""
    email = email.strip()
    if kind == Subscription.Kind.NEW_POSTS:
        post = comment = None
    elif kind == Subscription.Kind.ALL_COMMENTS:
        comment = None
    scope = Subscription.scope_for(kind=kind, post_id=post.pk if post else None,
                                   comment_id=comment.pk if comment else None)
    sub = Subscription.objects.filter(email__iexact=email, scope=scope).first()
    if sub is None:
        sub = Subscription(email=email, kind=kind, post=post, comment=comment)
    if sub.unsubscribed_at is not None:
        sub.unsubscribed_at = None
        sub.confirmed_at = None
    if user is not None and getattr(user, "is_authenticated", False):
        sub.user = user
    if sub.confirmed_at is None and _verified_for(user, email):
        sub.confirmed_at = timezone.now()
    sub.save()
    if sub.confirmed_at is None:
        send_confirmation(email)
    return sub


def subscriptions_confirm(*, email: str) -> int:
    """Confirm every pending subscription of `email`; returns how many."""
    return Subscription.objects.filter(
        email__iexact=email, confirmed_at__isnull=True, unsubscribed_at__isnull=True
    ).update(confirmed_at=timezone.now())


def subscription_unsubscribe(*, subscription: Subscription) -> bool:
    """Idempotent: False if it was already off."""
    return bool(Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True)
                .update(unsubscribed_at=timezone.now()))


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
