"""Signed, expiring one-click moderation links for e-mails to moderators.

The token names the comment, the action and the moderator, signed with SECRET_KEY and a
salt of its own, and expires after `MAX_AGE`. The link opens a confirm page (GET never
changes anything: mail scanners follow links); the action happens on POST.

A link also carries the state it was made for: the comment's status and its last audit
event. Any decision since (this link's, a sibling link's, a moderator's in the queue)
writes an event, so the link is then stale: it says so and does nothing. That makes each
link single-use, and an old "approve" can never undo a later "spam".
"""

from __future__ import annotations

from django.core import signing
from django.db.models import Max
from django.urls import reverse

from blog.moderation.models import ModerationEvent
from config.helpers import absolute_url

SALT = "dispatch.oneclick"
MAX_AGE = 7 * 24 * 3600
ACTIONS = ("approve", "spam", "trash")


def state_version(comment_id: int) -> int:
    """The id of the comment's last audit event (0: none): it changes with every decision."""
    return ModerationEvent.objects.filter(comment_id=comment_id).aggregate(v=Max("pk"))["v"] or 0


def make_token(*, comment_id: int, action: str, user_id: int, status: str, version: int) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.dumps({"c": comment_id, "a": action, "u": user_id, "s": status, "v": version},
                         salt=SALT, compress=True)


def read_token(token: str, *, max_age: int = MAX_AGE) -> dict:
    """{"c": comment_id, "a": action, "u": user_id, "s": status, "v": version}; raises
    signing.BadSignature (or its subclass SignatureExpired) for a forged, damaged or expired
    link, or one made before links carried their state."""
    data = signing.loads(token, salt=SALT, max_age=max_age)
    if not isinstance(data, dict) or data.get("a") not in ACTIONS or "s" not in data or "v" not in data:
        raise signing.BadSignature("unexpected payload")
    return data


def is_stale(data: dict, comment) -> bool:
    """Has the comment moved since the link was made (or been acted on through it)?"""
    return comment.status != data["s"] or state_version(comment.pk) != data["v"]


def link(comment, action: str, user) -> str:
    token = make_token(comment_id=comment.pk, action=action, user_id=user.pk, status=comment.status,
                       version=state_version(comment.pk))
    return absolute_url(reverse("oneclick:confirm", kwargs={"token": token}))


def links_text(comment, user, *, indent: str = "") -> str:
    """The three links as plain text lines for an e-mail."""
    return "".join(f"{indent}{action.capitalize()}: {link(comment, action, user)}\n" for action in ACTIONS)
