"""Moderators' mails: a held comment at once, or a daily digest, each with signed one-click
links. Recorded in and sent by the comments outbox (blog.comments.mail), which calls the
composers registered here for the kinds HELD and DIGEST."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from blog.comments.mail import register_composer
from blog.comments.models import Comment, DiscussionSettings, Notification
from blog.comments.outbox import record
from blog.moderation import oneclick

HELD = "held"  # to moderators, at once
DIGEST = "digest"  # to moderators, daily


def moderators():
    """Active users with an e-mail who may moderate comments."""
    perm = Permission.objects.filter(codename="moderate_comment", content_type__app_label="comments").first()
    q = Q(is_superuser=True)
    if perm:
        q |= Q(user_permissions=perm) | Q(groups__permissions=perm)
    return get_user_model().objects.filter(q, is_active=True).exclude(email="").distinct().order_by("pk")


def on_comment_held(comment: Comment) -> None:
    """Record the mail to every moderator about a held comment (unless they get digests)."""
    ds = DiscussionSettings.load()
    if not ds.notify_moderators_on_hold or ds.moderator_digest != DiscussionSettings.DigestMode.IMMEDIATE:
        return
    for user in moderators():
        record(kind=HELD, obj=f"comment:{comment.pk}", recipient=user.email, comment=comment)


def queue_digest(*, now=None) -> int:
    """Record today's digest for every moderator if anything was held in the last day."""
    ds = DiscussionSettings.load()
    if not ds.notify_moderators_on_hold or ds.moderator_digest != DiscussionSettings.DigestMode.DAILY:
        return 0
    now = now or timezone.now()
    if not Comment.objects.awaiting_review().filter(checked_at__gte=now - timedelta(days=1)).exists():
        return 0
    with transaction.atomic():
        made = [record(kind=DIGEST, obj=f"day:{now.date().isoformat()}", recipient=u.email) for u in moderators()]
    return sum(1 for n in made if n)


@register_composer(HELD)
def _held(n: Notification) -> EmailMessage | None:
    c = n.comment
    site = settings.SITE_NAME
    if c is None or c.status != Comment.Status.PENDING:
        return None
    user = moderators().filter(email__iexact=n.recipient).first()
    if user is None:
        return None
    quoted = "\n".join(f"> {line}" for line in c.body.splitlines()) or ">"
    subject = f"[{site}] Please moderate: \"{c.post.title}\""
    body = (f"A comment by {c.author_name} <{c.author_email}> is held:\n"
            + "".join(f"  - {r.get('text', '')}\n" for r in c.reasons)
            + f"\n{quoted}\n\n" + oneclick.links_text(c, user))
    return EmailMessage(subject, body, to=[n.recipient], headers={"Auto-Submitted": "auto-generated"})


@register_composer(DIGEST)
def _digest(n: Notification) -> EmailMessage | None:
    user = moderators().filter(email__iexact=n.recipient).first()
    held = list(Comment.objects.awaiting_review().filter(checked_at__gte=n.created_at - timedelta(days=1))
                .select_related("post").order_by("checked_at")[:100])
    if user is None or not held:
        return None
    parts = [f"{len(held)} comment(s) held for moderation on {settings.SITE_NAME}:\n"]
    for c in held:
        reasons = "; ".join(r.get("text", "") for r in c.reasons)
        parts.append(f"\n* {c.author_name} on \"{c.post.title}\" ({reasons})\n  {c.body[:200]}\n"
                     + oneclick.links_text(c, user, indent="  "))
    return EmailMessage(f"[{settings.SITE_NAME}] {len(held)} comment(s) to moderate", "".join(parts),
                        to=[n.recipient], headers={"Auto-Submitted": "auto-generated"})


