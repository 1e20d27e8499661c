"""Writes on comments from readers: submit, edit, report, and `thread_changed`, which every
change to a visible thread (approve, edit, remove — here or in the pipeline and the
moderator queues) must call so cached threads and counts follow.

Services are keyword-only and atomic; they raise `CommentRejected` (a message for the
reader plus the HTTP status WordPress uses) and queue their side effects after commit.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments import tree
from blog.comments.models import Comment, CommentReport, DiscussionSettings
from blog.comments.rendering import render_comment_html
from blog.comments.signals import comment_edited, comment_submitted
from blog.models import Post
from config.helpers import rate_limited

FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."
DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you've already said that!"
CLOSED_MESSAGE = "Sorry, comments are closed for this item."
BANNED_MESSAGE = "Sorry, you are not allowed to post comments here."
LOGIN_MESSAGE = "Sorry, you must be logged in to comment."
PARENT_MESSAGE = "Sorry, you cannot reply to that comment."
REPORT_LIMIT_MESSAGE = "You have sent several reports in a short time; please try again later."

REPORTS_PER_HOUR = 5


class CommentRejected(Exception):
    """A comment (or report) the site refuses, with the reader-facing message and status."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- Pure rules ----------------------------------------------------------------------------


def comments_open(*, post: Post, discussion: DiscussionSettings, now: datetime.datetime) -> bool:
    """Open if the post says so (or follows an open site default) and is inside the
    close-after-days window."""
    if post.kind != Post.Kind.POST:
        return False
    if post.comment_status == Post.CommentStatus.CLOSED:
        return False
    if post.comment_status == Post.CommentStatus.DEFAULT and not discussion.comments_open_by_default:
        return False
    days = discussion.close_after_days
    return not (days and post.published_at < now - datetime.timedelta(days=days))


def within_edit_window(*, comment: Comment, now: datetime.datetime, window_seconds: int) -> bool:
    return now - comment.created_at <= datetime.timedelta(seconds=window_seconds)


# --- Services ------------------------------------------------------------------------------


def _check_flood(*, ip: str | None, email: str, now: datetime.datetime) -> None:
    interval = settings.COMMENT_FLOOD_INTERVAL
    if not interval:
        return
    recent = Comment.objects.by_commenter(email=email, ip=ip)
    if recent.filter(created_at__gt=now - datetime.timedelta(seconds=interval)).exists():
        raise CommentRejected(FLOOD_MESSAGE, status=429)


def _check_duplicate(*, post: Post, parent: Comment | None, body: str, email: str, name: str, user) -> None:
    mine = Comment.objects.by_commenter(email=email, user_id=getattr(user, "pk", None))
    if not email:  # a guest who gave no e-mail is known by the name typed
        mine |= Comment.objects.filter(author_name=name)
    same = mine.filter(post=post, parent=parent, body=body).exclude(status=Comment.Status.TRASH)
    if same.exists():
        raise CommentRejected(DUPLICATE_MESSAGE, status=409)


def _check_banned(*, email: str, user, ip: str | None) -> None:
    flags = CommenterFlag.objects.filter(kind=CommenterFlag.Kind.BAN).active()
    if flags.matching(email=email, user_id=getattr(user, "pk", None), ip=ip).exists():
        raise CommentRejected(BANNED_MESSAGE, status=403)


def _check_parent(*, post: Post, parent: Comment | None) -> None:
    if parent is not None and (parent.post_id != post.pk or parent.status != Comment.Status.APPROVED):
        raise CommentRejected(PARENT_MESSAGE, status=400)


@transaction.atomic
def comment_submit(
    *,
    post: Post,
    body: str,
    author_name: str,
    author_email: str,
    author_url: str = "",
    user=None,
    parent: Comment | None = None,
    ip: str | None = None,
    user_agent: str = "",
    form_age: float | None = None,
    provider: str = "",
    avatar_url: str = "",
    notify_on_approval: bool = False,
    email_proof: str = "typed",
    now: datetime.datetime | None = None,
) -> Comment:
    """Save a reader's comment as pending (unchecked) and send `comment_submitted` (the
    moderation app queues its screening after commit).

    `email_proof` says what proves the author owns `author_email` (blog.comments.identity).
    Refuses (CommentRejected) closed posts, anonymous comments where login is required,
    bad parents, banned commenters, duplicates (409) and floods (429), in WordPress's order.
    Replies deeper than the thread depth are kept at the deepest level on display."""
    now = now or timezone.now()
    discussion = DiscussionSettings.load()
    if not comments_open(post=post, discussion=discussion, now=now):
        raise CommentRejected(CLOSED_MESSAGE, status=403)
    if discussion.require_login and user is None:
        raise CommentRejected(LOGIN_MESSAGE, status=403)
    _check_parent(post=post, parent=parent)
    parent = tree.attach_point(parent)
    _check_banned(email=author_email, user=user, ip=ip)
    _check_duplicate(post=post, parent=parent, body=body, email=author_email, name=author_name, user=user)
    _check_flood(ip=ip, email=author_email, now=now)

    comment = Comment.objects.create(
        post=post, parent=parent, body=body, body_html=render_comment_html(body),
        author_name=author_name, author_email=author_email, author_url=author_url, user=user,
        provider=provider, avatar_url=avatar_url, ip=ip, user_agent=user_agent[:255], form_age=form_age,
        notify_on_approval=notify_on_approval, email_proof=email_proof, created_at=now, status=Comment.Status.PENDING, checked_at=None,
    )
    tree.place(comment, parent)
    Comment.objects.filter(pk=comment.pk).update(depth=comment.depth, thread_id=comment.thread_id, path=comment.path)
    comment_submitted.send(sender=Comment, comment=comment)
    return comment


@transaction.atomic
def comment_author_edit(*, comment: Comment, body: str, now: datetime.datetime | None = None) -> Comment:
    """Replace the text of a comment inside the edit window (the caller checks ownership).
    The edit is re-rendered and goes back through the pipeline: pending and unchecked again,
    so an approved comment cannot be turned into spam after approval."""
    now = now or timezone.now()
    window = DiscussionSettings.load().edit_window_seconds
    if not within_edit_window(comment=comment, now=now, window_seconds=window):
        raise CommentRejected("Sorry, the time to edit this comment has passed.", status=403)
    if comment.status == Comment.Status.TRASH:
        raise CommentRejected("Sorry, this comment can no longer be edited.", status=403)
    if comment.status == Comment.Status.SPAM:
        # Its author sees it as awaiting moderation, so the edit is taken as for a held
        # comment (a spammer learns nothing); it stays in spam for a moderator to judge.
        comment.body, comment.body_html, comment.edited_at = body, render_comment_html(body), now
        comment.save(update_fields=["body", "body_html", "edited_at"])
        return comment
    was_visible = comment.status == Comment.Status.APPROVED
    comment.body = body
    comment.body_html = render_comment_html(body)
    comment.edited_at = now
    comment.status = Comment.Status.PENDING
    comment.checked_at = None
    comment.save(update_fields=["body", "body_html", "edited_at", "status", "checked_at"])
    if was_visible:
        thread_changed(comment.post_id)
    comment_edited.send(sender=Comment, comment=comment)
    return comment


def comment_report(*, comment: Comment, reason: str, note: str = "", user=None, ip: str | None = None) -> CommentReport:
    """Record a reader's report for the Reported queue. At most REPORTS_PER_HOUR per reader
    (account or IP), and one per reader and comment (a repeat returns the first)."""
    who = f"u{user.pk}" if user is not None else f"ip{ip}"
    existing = CommentReport.objects.filter(comment=comment, resolved_at__isnull=True)
    existing = existing.filter(user=user) if user is not None else existing.filter(ip=ip, user__isnull=True)
    if (first := existing.first()) is not None:
        return first
    if rate_limited(f"reports:{who}", limit=REPORTS_PER_HOUR, period=3600):
        raise CommentRejected(REPORT_LIMIT_MESSAGE, status=429)
    return CommentReport.objects.create(comment=comment, reason=reason, note=note[:500], user=user, ip=ip)


def thread_changed(post_id: int) -> None:
    """Call after anything that changes which comments a post shows (approve, unapprove,
    edit, spam, trash, restore, delete): bumps Post.comments_version, which is part of the
    rendered thread's cache key, and recomputes Post.comment_count (approved comments)."""
    approved = Comment.objects.approved().filter(post_id=post_id).values("post_id")
    count = Subquery(approved.annotate(n=Count("pk")).values("n")[:1])
    Post.objects.filter(pk=post_id).update(
        comments_version=F("comments_version") + 1,
        comment_count=Coalesce(count, 0),
    )
