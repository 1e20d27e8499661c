"""Reads for the moderator queues: which comments a queue holds (scoped to what the viewer
may moderate), filtered, searched and sorted; the queues' counts; the authors' history.

Every function here runs a fixed number of queries whatever the number of comments: counts
by conditional aggregation, history for a whole page by one grouped query.
"""

import ipaddress
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet

from blog.comments.models import Comment, CommentReport
from blog.moderation.models import ModerationEvent

S = Comment.Status

QUEUES = {
    "pending": "Pending",
    "reported": "Reported",
    "spam": "Spam",
    "trash": "Trash",
    "approved": "Approved",
}
SORTS = {"oldest", "newest", "score"}


@dataclass
class QueueFilters:
    """What the moderator asked for, already cleaned (unknown values are dropped)."""

    post: int | None = None
    author: str = ""  # name, e-mail or IP
    provider: str = ""
    reason: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    sort: str = "oldest"
    errors: list[str] = field(default_factory=list)


def queue_base(queue: str, scope: Q) -> QuerySet:
    qs = Comment.objects.filter(scope)
    if queue == "pending":
        # Held for a human, plus those the pipeline has not decided yet (marked in the row).
        return qs.filter(status=S.PENDING)
    if queue == "reported":
        return qs.filter(pk__in=CommentReport.objects.filter(resolved_at__isnull=True).values("comment_id")).exclude(
            status=S.TRASH
        )
    return qs.filter(status={"spam": S.SPAM, "trash": S.TRASH, "approved": S.APPROVED}[queue])


def queue_counts(scope: Q) -> dict[str, int]:
    """Live counts of every queue in two queries."""
    counts = Comment.objects.filter(scope).aggregate(
        pending=Count("pk", filter=Q(status=S.PENDING)),
        unchecked=Count("pk", filter=Q(status=S.PENDING, checked_at__isnull=True)),
        spam=Count("pk", filter=Q(status=S.SPAM)),
        trash=Count("pk", filter=Q(status=S.TRASH)),
        approved=Count("pk", filter=Q(status=S.APPROVED)),
    )
    counts["reported"] = queue_base("reported", scope).count()
    return counts


def _by_author(qs: QuerySet, author: str) -> QuerySet:
    """The queue's author filter: an IP address or an e-mail names a commenter (matched as
    Comment.objects.by_commenter matches them); anything else is part of a name."""
    try:
        return qs.by_commenter(ip=str(ipaddress.ip_address(author)))
    except ValueError:
        pass
    if "@" in author:
        return qs.by_commenter(email=author)
    return qs.filter(author_name__icontains=author)


def queue_comments(*, queue: str, scope: Q, filters: QueueFilters) -> QuerySet:
    """The rows of one queue, with everything a row shows fetched in the same query."""
    qs = queue_base(queue, scope).select_related("post", "parent", "user")
    f = filters
    if f.post:
        qs = qs.filter(post_id=f.post)
    if f.author:
        qs = _by_author(qs, f.author)
    if f.provider:
        qs = qs.filter(provider="") if f.provider == "none" else qs.filter(provider=f.provider)
    if f.reason:
        # JSON text contains `"code": "<reason>"` on both SQLite and PostgreSQL.
        qs = qs.filter(reasons__icontains=f'"code": "{f.reason}"')
    if f.since:
        qs = qs.filter(created_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__date__lte=f.until)
    if f.q:
        qs = qs.filter(
            Q(body__icontains=f.q) | Q(author_name__icontains=f.q) | Q(author_email__icontains=f.q)
            | Q(author_url__icontains=f.q)
        )
    if f.sort == "newest":
        return qs.order_by("-created_at", "-pk")
    if f.sort == "score":
        return qs.order_by(F("spam_score").desc(nulls_last=True), "created_at", "pk")
    return qs.order_by("created_at", "pk")


def with_open_reports(qs: QuerySet) -> QuerySet:
    """Attach each comment's open reader reports as `open_reports` (one extra query per page)."""
    return qs.prefetch_related(Prefetch(
        "reports", queryset=CommentReport.objects.filter(resolved_at__isnull=True).order_by("created_at"),
        to_attr="open_reports",
    ))


def author_key(comment: Comment) -> str:
    """Who wrote it, for history: the e-mail when given, else the IP."""
    return (comment.author_email or "").lower() or (comment.ip or "")


def author_histories(comments, scope: Q | None = None) -> dict[str, dict]:
    """approved / held / spam counts and first seen, per author of `comments`, in at most
    two grouped queries (by e-mail, then by IP for those without one), counted within
    `scope` (an author sees the history on their own posts, not site-wide; None: all)."""
    scope = Q() if scope is None else scope
    emails = {c.author_email.lower() for c in comments if c.author_email}
    ips = {c.ip for c in comments if not c.author_email and c.ip}
    stats = {
        "approved": Count("pk", filter=Q(status=S.APPROVED)),
        "held": Count("pk", filter=Q(status=S.PENDING)),
        "spam": Count("pk", filter=Q(status=S.SPAM)),
        "total": Count("pk"),
        "first_seen": Min("created_at"),
    }
    histories: dict[str, dict] = {}
    if emails:
        from django.db.models.functions import Lower

        # Match the e-mails as written and lower-cased: that uses the (author_email, status)
        # index, where a lookup on LOWER(author_email) would scan every comment.
        written = {c.author_email for c in comments if c.author_email}
        rows = (
            Comment.objects.filter(scope).filter(author_email__in=emails | written).annotate(key=Lower("author_email"))
            .values("key").annotate(**stats).order_by()
        )
        histories.update({r["key"]: r for r in rows})
    if ips:
        rows = Comment.objects.filter(scope).filter(author_email="", ip__in=ips).values("ip").annotate(**stats).order_by()
        histories.update({r["ip"]: r for r in rows})
    return histories


def attach_histories(comments: list[Comment], scope: Q | None = None) -> list[Comment]:
    histories = author_histories(comments, scope)
    for c in comments:
        c.history = histories.get(author_key(c), {})
    return comments


def author_comments(*, scope: Q, email: str = "", ip: str = "", user_id: int | None = None) -> QuerySet:
    """All comments by one commenter (any of account, e-mail, IP), newest first."""
    return (Comment.objects.filter(scope).by_commenter(email=email, ip=ip, user_id=user_id)
            .select_related("post").order_by("-created_at", "-pk"))


def comment_timeline(comment: Comment) -> QuerySet:
    """The audit log of one comment: the pipeline's decision, then each moderator action."""
    return ModerationEvent.objects.filter(comment=comment).select_related("actor").order_by("created_at", "pk")


def reason_codes(scope: Q) -> list[str]:
    """Reason codes seen among held comments, for the filter's choices: one query over the
    distinct reason lists (few: the pipeline has a handful of rules), capped."""
    codes: set[str] = set()
    rows = (
        Comment.objects.filter(scope, status=S.PENDING).exclude(reasons=[])
        .order_by().values_list("reasons", flat=True).distinct()[:100]
    )
    for reasons in rows:
        codes.update(r.get("code", "") for r in reasons if isinstance(r, dict))
    return sorted(c for c in codes if c)
