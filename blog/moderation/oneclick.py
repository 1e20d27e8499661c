"""Signed, expiring one-click moderation links for e-mails to moderators.

The token names the comment, the action and the moderator, signed with SECRET_KEY and a
salt of its own, and expires after `MAX_AGE`. The link opens a confirm page (GET never
changes anything: mail scanners follow links); the action happens on POST.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from config.helpers import absolute_url

SALT = "dispatch.oneclick"
MAX_AGE = 7 * 24 * 3600
ACTIONS = ("approve", "spam", "trash")


def make_token(*, comment_id: int, action: str, user_id: int) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.dumps({"c": comment_id, "a": action, "u": user_id}, salt=SALT, compress=True)


def read_token(token: str, *, max_age: int = MAX_AGE) -> dict:
    """{"c": comment_id, "a": action, "u": user_id}; raises signing.BadSignature (or its
    subclass SignatureExpired) for a forged, damaged or expired link."""
    data = signing.loads(token, salt=SALT, max_age=max_age)
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        raise signing.BadSignature("unexpected payload")
    return data


def link(comment, action: str, user) -> str:
    token = make_token(comment_id=comment.pk, action=action, user_id=user.pk)
    return absolute_url(reverse("oneclick:confirm", kwargs={"token": token}))


def links_text(comment, user, *, indent: str = "") -> str:
    """The three links as plain text lines for an e-mail."""
    return "".join(f"{indent}{action.capitalize()}: {link(comment, action, user)}\n" for action in ACTIONS)
