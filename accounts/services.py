"""A commenter's own data: export everything we hold, and erase it on request.

The account, its linked providers and e-mail addresses are accounts' own; what the apps
above hold (comments, subscriptions) comes and goes through accounts.signals, answered by
those apps' receivers.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.pictures import picture_delete
from accounts.signals import user_data_erase, user_data_export


def verified_emails(*, user: User) -> frozenset[str]:
    """The addresses `user` has proven to own (lower case): allauth's verified EmailAddress
    rows, made by a provider that verifies addresses or by allauth's mailed link. A typed
    address (User.email or an unverified row) is not one: it may be anybody's."""
    if not getattr(user, "pk", None):
        return frozenset()
    return frozenset(e.lower() for e in EmailAddress.objects.filter(user=user, verified=True)
                     .values_list("email", flat=True) if e)


def export_data(*, user: User) -> dict:
    """The account, linked providers (no tokens), then each app's sections (comments and
    subscriptions from blog.comments), as plain data."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username, "display_name": user.display_name, "email": user.email,
            "website": user.website, "avatar_url": user.avatar_url, "date_joined": user.date_joined.isoformat(),
        },
        "linked_providers": [
            {"provider": account.provider, "uid": account.uid, "date_joined": account.date_joined.isoformat()}
            for account in user.socialaccount_set.all()
        ],
    }
    for _receiver, sections in user_data_export.send(sender=User, user=user, emails=verified_emails(user=user)):
        data.update(sections or {})
    return data


@transaction.atomic
def erase_commenter(*, user: User) -> None:
    """Right to erasure: each app erases what it holds (the comments stay, so threads keep
    their shape, but lose every personal detail; subscriptions go); linked providers and
    e-mail addresses go; the account is closed and cannot sign in again. Only the addresses
    the account has verified reach the apps: what others wrote with an address someone
    merely typed into this account is theirs, not this account's."""
    user_data_erase.send(sender=User, user=user, emails=verified_emails(user=user))
    user.socialaccount_set.all().delete()
    EmailAddress.objects.filter(user=user).delete()
    user.username = f"erased-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    picture = user.avatar_url
    transaction.on_commit(lambda: picture_delete(avatar_url=picture))
    user.display_name = user.avatar_url = user.website = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
