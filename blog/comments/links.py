"""The links in readers' mails: confirm a subscription (a signed, expiring token over the
e-mail address: one mail confirms everything that address asked for), unsubscribe (the
subscription's random UUID: one click, RFC 8058) and manage (a signed token over the
address, so any mail leads there without an account). Every link confirms on GET and acts
on POST, so mail scanners that prefetch links change nothing."""

from django.core import signing
from django.urls import reverse

from blog.comments.models import Subscription
from config.helpers import absolute_url

CONFIRM_SALT = "dispatch.subscription-confirm"
MANAGE_SALT = "dispatch.subscription-manage"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# A manage link is a credential to someone's subscriptions sitting in old mail: it expires;
# the expired page mails a fresh one to the same address (blog.comments.views).
MANAGE_MAX_AGE = 30 * 24 * 3600
# A guest's export/erase link: it proves the address (only its owner receives the mail).
DATA_SALT = "dispatch.guest-data"
DATA_MAX_AGE = 24 * 3600


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
    """The manage-subscriptions page for `email` (signed link, no login needed, valid for
    MANAGE_MAX_AGE)."""
    return absolute_url(reverse("comments:subscription-manage", args=[_email_token(email, MANAGE_SALT)]))


def data_url(email: str) -> str:
    """A guest's page to export or erase what the site holds for `email` (DATA_MAX_AGE)."""
    return absolute_url(reverse("comments:my-data", args=[_email_token(email, DATA_SALT)]))


def unsubscribe_url(subscription: Subscription) -> str:
    """Absolute one-click unsubscribe URL (also used for List-Unsubscribe)."""
    return absolute_url(reverse("comments:subscription-unsubscribe", args=[subscription.token]))


def list_unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    """Headers every notification mail carries (RFC 2369 + RFC 8058 one-click)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
