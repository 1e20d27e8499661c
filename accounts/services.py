"""A commenter's own data: export everything we hold, and erase it on request."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from blog.comments.models import Comment, Subscription


def export_data(*, user: User) -> dict:
    """The account, linked providers (no tokens), comments and subscriptions, as plain data."""
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username, "display_name": user.display_name, "email": user.email,
            "website": user.website, "avatar_url": user.avatar_url, "date_joined": user.date_joined.isoformat(),
        },
        "linked_providers": [
            {"provider": account.provider, "uid": account.uid, "date_joined": account.date_joined.isoformat()}
            for account in user.socialaccount_set.all()
        ],
        "comments": [
            {"id": c.pk, "post": c.post.get_absolute_url(), "status": c.status, "created_at": c.created_at.isoformat(),
             "author_name": c.author_name, "author_email": c.author_email, "author_url": c.author_url,
             "body": c.body}
            for c in user.comments.select_related("post").order_by("created_at")
        ],
        "subscriptions": [
            {"kind": s.kind, "email": s.email, "post": s.post.get_absolute_url() if s.post else None,
             "created_at": s.created_at.isoformat(), "confirmed_at": s.confirmed_at and s.confirmed_at.isoformat(),
             "unsubscribed_at": s.unsubscribed_at and s.unsubscribed_at.isoformat()}
            for s in user.subscriptions.select_related("post").order_by("created_at")
        ],
    }


@transaction.atomic
def erase_commenter(*, user: User) -> None:
    """Right to erasure: the comments stay (threads keep their shape) but lose every
    personal detail; subscriptions, linked providers and e-mail addresses go; the account
    is closed and cannot sign in again."""
    emails = {e for e in [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)] if e}
    email_q = Q(pk__in=[])
    for email in emails:
        email_q |= Q(author_email__iexact=email)
    Comment.objects.filter(Q(user=user) | email_q).update(
        user=None, author_name="Anonymous", author_email="", author_url="", avatar_url="", ip=None,
        user_agent="", provider="",
    )
    Subscription.objects.filter(Q(user=user) | Q(email__in=emails)).delete()
    user.socialaccount_set.all().delete()
    EmailAddress.objects.filter(user=user).delete()
    user.username = f"erased-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.display_name = user.avatar_url = user.website = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
