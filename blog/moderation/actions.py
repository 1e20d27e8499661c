"""Moderator actions on comments: approve, unapprove, spam, trash, restore, edit, reply, ban,
trust and undo.

Every action follows the same steps (as Wagtail's actions do): check permission → change
state with a compare-and-set (`filter(pk=, status=expected).update(...)`, so two moderators
clicking at once produce one decision and one audit event) → write a ModerationEvent →
queue side effects after commit (thread cache, notifications, classifier training).
Acting on a comment that has already moved or gone returns a plain message, never an error.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import CommenterFlag
from blog.comments import outbox, tree
from blog.comments.models import Comment, CommentReport
from blog.comments.rendering import render_comment_html
from blog.comments.services import thread_changed
from blog.moderation import akismet, tasks
from blog.moderation import classifier as spam
from blog.moderation.models import ModerationEvent
from config import helpers

S = Comment.Status

# action -> (statuses it may start from, status it leads to). None: the status is unchanged.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "approve": (frozenset({S.PENDING, S.SPAM, S.TRASH}), S.APPROVED),
    "unapprove": (frozenset({S.APPROVED}), S.PENDING),
    "spam": (frozenset({S.PENDING, S.APPROVED, S.TRASH}), S.SPAM),
    "trash": (frozenset({S.PENDING, S.APPROVED, S.SPAM}), S.TRASH),
    "restore": (frozenset({S.SPAM, S.TRASH}), None),  # back to where it came from
}
STATUS_ACTIONS = frozenset(TRANSITIONS)
ALL_ACTIONS = STATUS_ACTIONS | {"edit", "reply", "ban", "trust"}
BULK_ACTIONS = STATUS_ACTIONS
UNDOABLE = STATUS_ACTIONS | {"edit", "reply", "ban", "trust"}
FLAG_FIELDS = ("id", "kind", "user_id", "email", "ip", "reason", "expires_at", "created_at", "created_by_id")


@dataclass(frozen=True)
class Outcome:
    """What happened, in words a moderator can read, plus what the page needs to update."""

    ok: bool
    message: str
    comment_id: int | None = None
    status: str | None = None
    event_id: int | None = None
    results: list["Outcome"] = field(default_factory=list)  # per comment, when one undo covered a batch


# --- permissions ---------------------------------------------------------------------------

def moderation_scope(user) -> Q | None:
    """Which comments `user` may moderate: all (moderators), those on their own posts
    (staff authors), or none (None)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if user.has_perm("comments.moderate_comment"):
        return Q()
    if user.is_staff and user.has_perm("blog.change_post"):
        return Q(post__author_id=user.pk)
    return None


def is_site_moderator(user) -> bool:
    """Moderators (and superusers) act site-wide: only they may ban or trust a commenter
    (a flag applies on every post), and see site-wide flags and histories."""
    return moderation_scope(user) == Q()


def can_moderate(user, comment: Comment) -> bool:
    scope = moderation_scope(user)
    if scope is None:
        return False
    if scope == Q():
        return True
    return comment.post.author_id == user.pk


# --- side effects (after commit) -----------------------------------------------------------

def _after_status_change(comment: Comment, *, from_status: str, to_status: str) -> None:
    """After commit: refresh the thread, notify, and teach the classifier (and Akismet, when
    configured) what the moderator decided: spam is spam; leaving spam, or approving a held
    comment, is ham."""
    if S.APPROVED in (from_status, to_status):
        thread_changed(comment.post_id)
    if to_status == S.APPROVED:
        outbox.on_comment_approved(comment)
    if from_status == S.SPAM and _taught_as_spam(comment):
        spam.learn(comment, is_spam=True, undo=True)  # take the moderator's earlier spam lesson back
    if to_status == S.SPAM:
        spam.learn(comment, is_spam=True)
    elif from_status == S.SPAM or (from_status == S.PENDING and to_status == S.APPROVED):
        spam.learn(comment, is_spam=False)
    if akismet.enabled() and S.SPAM in (from_status, to_status):
        helpers.enqueue(tasks.akismet_feedback, comment.pk, to_status == S.SPAM)


def _taught_as_spam(comment: Comment) -> bool:
    """Did a moderator (not the pipeline, which teaches nothing) send it to spam last time?"""
    last = (ModerationEvent.objects.filter(comment=comment, to_status=S.SPAM, undone_at__isnull=True)
            .exclude(action="undo").order_by("-created_at", "-pk").values_list("actor_id", flat=True).first())
    return last is not None


# --- status changes ------------------------------------------------------------------------

def _moved_message(comment_id: int) -> Outcome:
    current = Comment.objects.filter(pk=comment_id).values_list("status", flat=True).first()
    if current is None:
        return Outcome(False, "That comment no longer exists.", comment_id)
    label = S(current).label.lower()
    return Outcome(False, f"That comment was already moved: it is now {label}.", comment_id, current)


def _restore_target(comment: Comment) -> str:
    """Where a spammed or trashed comment came from, per the audit log; pending if unknown."""
    last = (
        ModerationEvent.objects.filter(comment=comment, to_status=comment.status, undone_at__isnull=True)
        .exclude(from_status__in=["", S.SPAM, S.TRASH])
        .order_by("-created_at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    return last or S.PENDING


def _set_status(*, comment: Comment, actor, action: str, to_status: str, expected: str,
                reasons: list | None = None) -> Outcome:
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, status=expected).update(status=to_status)
        if not changed:
            return _moved_message(comment.pk)
        event = ModerationEvent.objects.create(
            comment=comment, actor=actor, action=action, from_status=expected, to_status=to_status,
            reasons=reasons or [],
        )
        if to_status != S.PENDING:
            CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=timezone.now())
        comment.status = to_status
        transaction.on_commit(lambda: _after_status_change(comment, from_status=expected, to_status=to_status))
    verb = {"approve": "Approved", "unapprove": "Unapproved", "spam": "Marked as spam", "trash": "Moved to trash",
            "restore": "Restored"}.get(action, action)
    return Outcome(True, f"{verb}.", comment.pk, to_status, event.pk)


def comment_moderate(*, comment_id: int, actor, action: str, expected: str | None = None,
                     batch: str | None = None) -> Outcome:
    """Apply a status action. `expected` is the status the moderator saw; if the comment has
    moved since, nothing happens and the outcome says where it went. `batch` ties the events
    of one bulk action together so that one undo reverses all of them."""
    if action not in STATUS_ACTIONS:
        return Outcome(False, "Unknown action.", comment_id)
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None:
        return Outcome(False, "That comment no longer exists.", comment_id)
    if not can_moderate(actor, comment):
        raise PermissionError("not allowed to moderate this comment")
    if expected and expected != comment.status:
        return _moved_message(comment_id)
    sources, target = TRANSITIONS[action]
    if comment.status not in sources:
        return Outcome(False, f"It is already {S(comment.status).label.lower()}.", comment.pk, comment.status)
    target = target or _restore_target(comment)
    return _set_status(comment=comment, actor=actor, action=action, to_status=target, expected=comment.status,
                       reasons=[{"code": "batch", "text": batch}] if batch else None)


def comments_moderate(*, comment_ids: list[int], actor, action: str) -> list[Outcome]:
    """The bulk form of comment_moderate: each comment decided on its own (one may have moved)."""
    outcomes = []
    batch = uuid.uuid4().hex
    for pk in comment_ids:
        try:
            outcomes.append(comment_moderate(comment_id=pk, actor=actor, action=action, batch=batch))
        except PermissionError:
            outcomes.append(Outcome(False, "Not yours to moderate.", pk))
    return outcomes


# --- edit, reply ---------------------------------------------------------------------------

def _own(comment_id: int, actor) -> Comment | Outcome:
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None:
        return Outcome(False, "That comment no longer exists.", comment_id)
    if not can_moderate(actor, comment):
        raise PermissionError("not allowed to moderate this comment")
    return comment


def _own_with_text(comment_id: int, actor, body: str, *, empty: str) -> tuple[Comment | Outcome, str]:
    body = (body or "").strip()
    if not body:
        return Outcome(False, empty, comment_id), body
    return _own(comment_id, actor), body


def comment_moderator_edit(*, comment_id: int, actor, body: str) -> Outcome:
    """Replace the text; the previous text is kept in the audit event so undo can restore it."""
    comment, body = _own_with_text(comment_id, actor, body, empty="The comment text cannot be empty.")
    if isinstance(comment, Outcome):
        return comment
    with transaction.atomic():
        old = comment.body
        changed = Comment.objects.filter(pk=comment.pk, body=old).update(
            body=body, body_html=render_comment_html(body), edited_at=timezone.now()
        )
        if not changed:
            return Outcome(False, "Someone else edited it meanwhile; reload to see their text.", comment.pk)
        event = ModerationEvent.objects.create(
            comment=comment, actor=actor, action="edit", from_status=comment.status, to_status=comment.status,
            reasons=[{"code": "previous_body", "text": old}],
        )
        if comment.status == S.APPROVED:
            transaction.on_commit(lambda: thread_changed(comment.post_id))
    return Outcome(True, "Edited.", comment.pk, comment.status, event.pk)


def comment_reply(*, comment_id: int, actor, body: str) -> Outcome:
    """Approve and reply: a held comment is approved, and the moderator's reply is posted
    under it, approved at once. The outcome's event is the reply's: undoing it removes the
    reply and, if this action approved the comment, returns the comment to pending."""
    comment, body = _own_with_text(comment_id, actor, body, empty="Write a reply first.")
    if isinstance(comment, Outcome):
        return comment
    if comment.status in (S.SPAM, S.TRASH):
        return Outcome(False, f"Restore it before replying: it is {S(comment.status).label.lower()}.",
                       comment.pk, comment.status)
    reasons = []
    with transaction.atomic():
        if comment.status == S.PENDING:
            approved = _set_status(comment=comment, actor=actor, action="approve", to_status=S.APPROVED,
                                   expected=S.PENDING)
            if not approved.ok:
                return approved
            # Undoing the reply also takes back this approval: one action, one undo.
            reasons = [{"code": "approved_parent", "text": str(approved.event_id)}]
        reply = Comment.objects.create(
            post=comment.post, parent=comment, status=S.APPROVED, checked_at=timezone.now(),
            body=body, body_html=render_comment_html(body), author_name=actor.public_name,
            author_email=actor.email, author_url=getattr(actor, "website", ""), user=actor,
            avatar_url=getattr(actor, "avatar_url", ""),
        )
        tree.place(reply, comment)
        Comment.objects.filter(pk=reply.pk).update(parent=reply.parent, depth=reply.depth,
                                                   thread_id=reply.thread_id, path=reply.path)
        event = ModerationEvent.objects.create(comment=reply, actor=actor, action="reply", to_status=S.APPROVED,
                                               reasons=reasons)
        transaction.on_commit(lambda: _after_status_change(reply, from_status="", to_status=S.APPROVED))
    return Outcome(True, "Approved and replied.", comment.pk, S.APPROVED, event.pk)


# --- ban, trust ----------------------------------------------------------------------------

def commenter_flag(*, comment_id: int, actor, kind: str, reason: str = "",
                   expires_at: datetime | None = None) -> Outcome:
    """Ban (future comments refused) or trust (they skip the queue) the comment's author,
    matched by account when there is one, else by e-mail, else by IP."""
    if kind not in CommenterFlag.Kind.values:
        return Outcome(False, "Unknown action.", comment_id)
    if not is_site_moderator(actor):  # a flag is site-wide: beyond an author's own posts
        raise PermissionError("only moderators may ban or trust commenters")
    comment = _own(comment_id, actor)
    if isinstance(comment, Outcome):
        return comment
    if not (comment.user_id or comment.author_email or comment.ip):
        return Outcome(False, "This comment carries no account, e-mail or IP to flag.", comment.pk)
    if expires_at is not None and expires_at <= timezone.now():
        return Outcome(False, "The expiry must be in the future.", comment.pk)
    target = {"user_id": comment.user_id} if comment.user_id else (
        {"email": comment.author_email} if comment.author_email else {"ip": comment.ip})
    with transaction.atomic():
        # One standing decision per commenter: a ban replaces a trust and vice versa. What it
        # replaced is kept in the event, so that undo can put it back.
        replaced = list(CommenterFlag.objects.filter(**target).values(*FLAG_FIELDS))
        CommenterFlag.objects.filter(**target).delete()
        flag = CommenterFlag.objects.create(kind=kind, reason=reason[:500], expires_at=expires_at,
                                            created_by=actor, **target)
        event = ModerationEvent.objects.create(
            comment=comment, actor=actor, action=kind, from_status=comment.status, to_status=comment.status,
            reasons=[{"code": "flag", "text": str(flag.pk)}]
            + ([{"code": "reason", "text": reason}] if reason else [])
            + [{"code": "replaced", "text": _flag_dump(r)} for r in replaced],
        )
    label = "Banned" if kind == CommenterFlag.Kind.BAN else "Trusted"
    return Outcome(True, f"{label} {comment.author_name}.", comment.pk, comment.status, event.pk)


def _flag_dump(values: dict) -> str:
    """A replaced flag as JSON, id kept (an earlier event may name it) and datetimes at full
    precision (DjangoJSONEncoder drops microseconds)."""
    return json.dumps({k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()})


def _flag_load(text: str) -> dict:
    values = json.loads(text)
    for key in ("expires_at", "created_at"):
        values[key] = parse_datetime(values[key]) if values.get(key) else None
    return values


# --- undo ----------------------------------------------------------------------------------

def last_undoable_event(*, actor) -> ModerationEvent | None:
    return (
        ModerationEvent.objects.filter(actor=actor, undone_at__isnull=True, action__in=UNDOABLE)
        .order_by("-created_at", "-pk")
        .first()
    )


def _reason(event: ModerationEvent, code: str) -> str | None:
    return next((r.get("text") for r in event.reasons if isinstance(r, dict) and r.get("code") == code), None)


def moderation_undo(*, actor, event_id: int | None = None) -> Outcome:
    """Undo one of the actor's own actions (the latest when no id is given); a bulk action is
    undone as a whole. Each event is claimed with a compare-and-set on `undone_at`, so a
    double undo does nothing twice."""
    if event_id is None:
        event = last_undoable_event(actor=actor)
    else:
        event = ModerationEvent.objects.filter(pk=event_id, actor=actor, action__in=UNDOABLE).first()
    if event is None:
        return Outcome(False, "Nothing to undo.")
    batch = _reason(event, "batch")
    if not batch:
        return _undo_one(event, actor)
    siblings = ModerationEvent.objects.filter(
        actor=actor, undone_at__isnull=True, action=event.action, reasons__icontains=f'"{batch}"'
    ).select_related("comment")
    results = [_undo_one(e, actor) for e in siblings]
    done = sum(r.ok for r in results)
    return Outcome(done > 0, f"Undone: {event.action} on {done} comment{'s' if done != 1 else ''}.",
                   event.comment_id, results=results)


def _undo_one(event: ModerationEvent, actor) -> Outcome:
    comment = event.comment
    if not can_moderate(actor, comment):
        raise PermissionError("not allowed to moderate this comment")
    with transaction.atomic():
        if not ModerationEvent.objects.filter(pk=event.pk, undone_at__isnull=True).update(undone_at=timezone.now()):
            return Outcome(False, "That action was already undone.", comment.pk)
        outcome = _reverse(event, comment, actor)
        if not outcome.ok:
            transaction.set_rollback(True)
    return outcome


def _reverse(event: ModerationEvent, comment: Comment, actor) -> Outcome:
    if event.action in STATUS_ACTIONS:
        outcome = _set_status(comment=comment, actor=actor, action="undo", to_status=event.from_status,
                              expected=event.to_status, reasons=[{"code": "undo", "text": str(event.pk)}])
        return Outcome(outcome.ok, f"Undone: {event.action}." if outcome.ok else outcome.message,
                       comment.pk, outcome.status, outcome.event_id)
    if event.action == "edit":
        old = _reason(event, "previous_body") or comment.body
        Comment.objects.filter(pk=comment.pk).update(body=old, body_html=render_comment_html(old))
    elif event.action == "reply":
        outcome = _set_status(comment=comment, actor=actor, action="undo", to_status=S.TRASH,
                              expected=S.APPROVED, reasons=[{"code": "undo", "text": str(event.pk)}])
        approval = _reason(event, "approved_parent")
        if outcome.ok and approval and approval.isdigit():
            first = ModerationEvent.objects.filter(pk=int(approval), undone_at__isnull=True).select_related(
                "comment").first()
            if first is not None:
                _undo_one(first, actor)
        return outcome
    elif event.action in CommenterFlag.Kind.values:
        flag_id = _reason(event, "flag")
        if flag_id and flag_id.isdigit():
            CommenterFlag.objects.filter(pk=int(flag_id)).delete()
        for r in event.reasons:
            if isinstance(r, dict) and r.get("code") == "replaced":
                CommenterFlag.objects.create(**_flag_load(r["text"]))
    undo = ModerationEvent.objects.create(
        comment=comment, actor=actor, action="undo", from_status=comment.status, to_status=comment.status,
        reasons=[{"code": "undo", "text": str(event.pk)}],
    )
    if event.action == "edit" and comment.status == S.APPROVED:
        transaction.on_commit(lambda: thread_changed(comment.post_id))
    return Outcome(True, f"Undone: {event.action}.", comment.pk, comment.status, undo.pk)
