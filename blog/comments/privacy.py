"""A commenter's data in the comments app, for export and erasure (README "Privacy and
identity"). One place answers for both routes: an account (accounts.signals, with the
account's verified addresses; blog.comments.receivers) and a guest who proved the address
by the link we mail (views `my_data`).

Tables holding the address or the account: Comment (author_email, user, ip, user agent),
Subscription (email, user), Notification (recipient), CommentReport (user, ip), and
accounts' CommenterFlag (email, user). Erasure keeps each comment where it is so threads
stay readable, as "Anonymous" with no e-mail, website, avatar, IP or user agent; its text
stays unless ERASE_COMMENT_TEXT is on. Subscriptions and every mail record to the address
go; trust flags go; a ban keeps its row (the site's record of abuse) but an e-mail ban
loses the address and stays on the account or IP it also names, if any, else it goes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.models import CommenterFlag
from blog.comments.models import Comment, CommentReport, Notification, Subscription
from blog.comments.rendering import render_comment_html

ERASED_TEXT = "[This comment was erased at its author's request.]"


def _comments(emails, user) -> Q:
    q = Q(pk__in=[])
    for email in emails:
        q |= Q(author_email__iexact=email)
    if user is not None:
        q |= Q(user=user)
    return q


def _by_email(field: str, emails, user=None) -> Q:
    q = Q(pk__in=[])
    for email in emails:
        q |= Q(**{f"{field}__iexact": email})
    if user is not None:
        q |= Q(user=user)
    return q


def commenter_export(*, emails, user=None) -> dict:
    """Every row the comments app holds for these (proven) addresses or this account."""
    emails = {e.strip().lower() for e in emails if e}
    comments = Comment.objects.filter(_comments(emails, user)).select_related("post").order_by("created_at", "pk")
    return {
        "comments": [
            {"id": c.pk, "post": c.post.get_absolute_url(), "status": c.status, "created_at": c.created_at.isoformat(),
             "author_name": c.author_name, "author_email": c.author_email, "author_url": c.author_url,
             "ip": c.ip, "user_agent": c.user_agent, "body": c.body}
            for c in comments
        ],
        "subscriptions": [
            {"kind": s.kind, "email": s.email, "post": s.post.get_absolute_url() if s.post else None,
             "created_at": s.created_at.isoformat(), "confirmed_at": s.confirmed_at and s.confirmed_at.isoformat(),
             "unsubscribed_at": s.unsubscribed_at and s.unsubscribed_at.isoformat()}
            for s in Subscription.objects.filter(_by_email("email", emails, user)).select_related("post")
            .order_by("created_at", "pk")
        ],
        "notifications": [
            {"kind": n.kind, "recipient": n.recipient, "created_at": n.created_at.isoformat(),
             "sent_at": n.sent_at and n.sent_at.isoformat()}
            for n in Notification.objects.filter(_by_email("recipient", emails)).order_by("created_at", "pk")
        ],
        "reports": [
            {"comment": r.comment_id, "reason": r.reason, "note": r.note, "ip": r.ip,
             "created_at": r.created_at.isoformat()}
            for r in (CommentReport.objects.filter(user=user).order_by("created_at", "pk") if user is not None else [])
        ],
        "flags": [
            {"kind": f.kind, "email": f.email, "ip": f.ip, "reason": f.reason, "created_at": f.created_at.isoformat(),
             "expires_at": f.expires_at and f.expires_at.isoformat()}
            for f in CommenterFlag.objects.filter(_by_email("email", emails, user)).order_by("created_at", "pk")
        ],
    }


@transaction.atomic
def commenter_erase(*, emails, user=None) -> None:
    """Erase what the comments app holds for these (proven) addresses or this account."""
    emails = {e.strip().lower() for e in emails if e}
    # By id: after the first update the rows no longer carry the address they matched by.
    theirs = Comment.objects.filter(pk__in=list(Comment.objects.filter(_comments(emails, user))
                                                .values_list("pk", flat=True)))
    theirs.update(user=None, author_name="Anonymous", author_email="", author_url="", avatar_url="", ip=None,
                  user_agent="", provider="", email_proof="typed")
    if settings.ERASE_COMMENT_TEXT:
        theirs.update(body=ERASED_TEXT, body_html=render_comment_html(ERASED_TEXT))
    Subscription.objects.filter(_by_email("email", emails, user)).delete()
    Notification.objects.filter(_by_email("recipient", emails)).delete()
    if user is not None:
        CommentReport.objects.filter(user=user).update(user=None, ip=None)
    flags = CommenterFlag.objects.filter(_by_email("email", emails, user))
    flags.filter(kind=CommenterFlag.Kind.TRUST).delete()
    bans = flags.filter(kind=CommenterFlag.Kind.BAN)
    bans.filter(user__isnull=True, ip__isnull=True).delete()
    bans.update(email="")
