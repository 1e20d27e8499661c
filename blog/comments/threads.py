"""Reading a post's comment thread: which comments a viewer sees, paging by top-level
comments, and the thread's HTML, built in one pass over one ordered query.

The HTML is built in Python with f-strings and html.escape (a template include per comment costs
~0.1 ms each — too much for a thousand comments) and cached under
(post, comments_version, page, order), so `comment_services.thread_changed` invalidates
every cached copy, in every process, with one UPDATE. A viewer who has a pending comment
of their own on the post gets an uncached render that also shows it.
"""

import datetime
import math
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.avatars import avatar_for
from blog.comments.models import Comment, DiscussionSettings
from blog.models import Post

CACHE_SECONDS = 60 * 60


@dataclass
class ThreadPage:
    html: SafeString
    number: int
    count: int  # pages
    top_level: int  # top-level comments visible to this viewer


# What the viewer's own comment shows as "awaiting moderation": held or sent to spam alike.
AWAITING_STATUSES = (Comment.Status.PENDING, Comment.Status.SPAM)
APPROVED = Comment.Status.APPROVED.value


def visible(post: Post, own_ids: frozenset[int] = frozenset()) -> Q:
    """Approved comments, plus the viewer's own comments that still await moderation. Their
    own comments in Spam show exactly as held ones do: a reader judged wrongly is not left
    wondering, and a spammer learns nothing from the page."""
    q = Q(post=post, status=Comment.Status.APPROVED)
    if own_ids:
        q |= Q(post=post, status__in=AWAITING_STATUSES, pk__in=own_ids)
    return q


def page_count(top_level: int, page_size: int) -> int:
    return max(1, math.ceil(top_level / page_size)) if page_size else 1


def default_page(*, pages: int, discussion: DiscussionSettings) -> int:
    return pages if discussion.default_page == "last" else 1


def page_slice(thread_ids: list[int], *, page: int, page_size: int) -> list[int]:
    """The top-level ids on `page` (1-based); `thread_ids` already in display order."""
    if not page_size:
        return thread_ids
    return thread_ids[(page - 1) * page_size: page * page_size]


def page_of(thread_ids: list[int], thread_id: int, *, page_size: int) -> int:
    """The page on which the thread `thread_id` is shown (1 if unknown)."""
    if not page_size or thread_id not in thread_ids:
        return 1
    return thread_ids.index(thread_id) // page_size + 1


def ordered_thread_ids(post: Post, *, own_ids: frozenset[int], order: str) -> list[int]:
    qs = Comment.objects.filter(visible(post, own_ids), parent__isnull=True)
    ordering = ("-created_at", "-pk") if order == DiscussionSettings.Order.NEWEST else ("created_at", "pk")
    return list(qs.order_by(*ordering).values_list("pk", flat=True))


def comment_page_url(post: Post, page: int, *, pages: int, discussion: DiscussionSettings) -> str:
    """The permalink itself for the default page, `comment-page-N/` for the others."""
    base = post.get_absolute_url()
    if page == default_page(pages=pages, discussion=discussion):
        return base
    return f"{base}comment-page-{page}/"


def comment_url(comment: Comment, *, own_ids: frozenset[int] = frozenset()) -> str:
    """Where `#comment-ID` lives: the right comment page of the post, plus the fragment."""
    discussion = DiscussionSettings.load()
    thread_ids = ordered_thread_ids(comment.post, own_ids=own_ids, order=discussion.order)
    pages = page_count(len(thread_ids), discussion.page_size)
    page = page_of(thread_ids, comment.thread_id or comment.pk, page_size=discussion.page_size)
    return comment_page_url(comment.post, page, pages=pages, discussion=discussion) + f"#comment-{comment.pk}"


# --- HTML ----------------------------------------------------------------------------------
#
# The per-comment HTML is one f-string over plain values, with html.escape on every value
# that came from a reader: a template include per comment costs ~0.1 ms, Django's
# format_html ~5× an f-string, a thousand times per page. Only body_html goes in unescaped:
# it was sanitised with nh3 when the comment was saved (comment_services.render_comment_html).
# What repeats is built once per render: the author block per distinct author, the URL
# patterns, the level classes.


class Row(NamedTuple):
    """The columns a thread shows, in the order `thread_rows` selects them (the rows
    themselves are plain tuples, read by position: cheaper than a named attribute)."""

    pk: int
    parent_id: int | None
    status: str
    body_html: str
    author_name: str
    author_email: str
    author_url: str
    avatar_url: str
    user_id: int | None
    user_avatar_url: str | None  # the account's current picture (a LEFT JOIN, same query)
    created_at: str | datetime.datetime  # SQLite: the stored text, parsed once in _when
    edited: bool


def thread_rows(post: Post, *, own_ids: frozenset[int], thread_ids: list[int] | None) -> list[tuple]:
    """The visible comments of `post` in the threads `thread_ids` (None: every thread),
    ordered by path (parents first, each thread whole), as plain tuples in Row's order.

    One raw query: the ORM's per-row work (model-free values_list still runs a converter
    per datetime, and its `IN` lookup takes about a millisecond to compile for hundreds of
    ids) was half of an uncached 1,000-comment render. On SQLite the timestamp is read as its stored
    text (no parse in the driver), parsed only by _when."""
    c = {f.name: f.column for f in Comment._meta.concrete_fields}
    account = Comment._meta.get_field("user").related_model._meta
    q = connection.ops.quote_name
    table, users = q(Comment._meta.db_table), q(account.db_table)
    pk, user_pk, user_picture = q(Comment._meta.pk.column), q(account.pk.column), q(account.get_field("avatar_url").column)
    created = f"CAST(c.{q(c['created_at'])} AS TEXT)" if connection.vendor == "sqlite" else f"c.{q(c['created_at'])}"
    params: list = [post.pk, APPROVED]
    own_sql = ""
    if own_ids:
        own_sql = (f" OR (c.{q(c['status'])} IN (%s, %s) AND c.{pk} IN ({', '.join(['%s'] * len(own_ids))}))")
        params += [*(s.value for s in AWAITING_STATUSES), *sorted(own_ids)]
    if thread_ids is None:
        threads_sql = f"c.{q(c['thread_id'])} IS NOT NULL"
    elif thread_ids:
        threads_sql = f"c.{q(c['thread_id'])} IN ({', '.join(['%s'] * len(thread_ids))})"
        params += thread_ids
    else:
        return []
    sql = (
        f"SELECT c.{pk}, c.{q(c['parent'])}, c.{q(c['status'])}, "  # noqa: S608 - identifiers from the model, values bound
        f"c.{q(c['body_html'])}, "
        f"c.{q(c['author_name'])}, c.{q(c['author_email'])}, c.{q(c['author_url'])}, c.{q(c['avatar_url'])}, "
        f"c.{q(c['user'])}, u.{user_picture}, {created}, c.{q(c['edited_at'])} IS NOT NULL "
        f"FROM {table} c LEFT OUTER JOIN {users} u ON u.{user_pk} = c.{q(c['user'])} "
        f"WHERE c.{q(c['post'])} = %s AND (c.{q(c['status'])} = %s{own_sql}) AND {threads_sql} "
        f"ORDER BY c.{q(c['path'])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class RenderContext:
    post: Post
    depth_cap: int
    avatars: bool
    own_ids: frozenset[int]
    edit_ids: frozenset[int]
    reply_base: str
    tz: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)
    authors: dict = field(default_factory=dict)  # _author_parts, memoised per render
    days: dict = field(default_factory=dict)  # _when's date parts, memoised per render
    reply_href: str = ""
    utc: bool = False  # the site's zone is UTC: SQLite's stored text is shown as it is
    # URL patterns resolved once per render, not once per comment (split around the id).
    report_url: tuple[str, str] = ("", "")
    edit_url: tuple[str, str] = ("", "")

    def __post_init__(self):
        self.reply_href = escape(self.reply_base)
        self.utc = self.tz is datetime.UTC or getattr(self.tz, "key", None) in ("UTC", "Etc/UTC")
        self.report_url = tuple(reverse("comments:comment-report", args=[0]).split("/0/", 1))
        self.edit_url = tuple(reverse("comments:comment-edit", args=[0]).split("/0/", 1))


MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _when(created: str | datetime.datetime, ctx: RenderContext) -> str:
    """Readable date, exact time in the tooltip (English names, as the site's language;
    tables instead of strftime, and the date's words once per day, a thousand times per
    page). `created`: an aware datetime, or SQLite's stored text (UTC)."""
    if isinstance(created, str):
        if ctx.utc and len(created) >= 19:  # "YYYY-MM-DD HH:MM:SS[.ffffff]": read as text
            day = ctx.days.get(created[:10])
            if day is None:
                date = datetime.date.fromisoformat(created[:10])
                month = MONTHS[date.month]
                day = ctx.days[created[:10]] = (f"{WEEKDAYS[date.weekday()]} {date.day} {month} {date.year}",
                                                f"{date.day} {month} {date.year}")
            hm = created[11:16]
            return (f'<time datetime="{created[:10]}T{created[11:]}+00:00" title="{day[0]}, {created[11:19]} UTC">'
                    f"{day[1]} at {hm}</time>")
        created = datetime.datetime.fromisoformat(created)
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.UTC)
    local = created.astimezone(ctx.tz)
    day_key = (local.year, local.month, local.day, local.utcoffset())
    day = ctx.days.get(day_key)
    if day is None:
        month = MONTHS[local.month]
        day = ctx.days[day_key] = (f"{WEEKDAYS[local.weekday()]} {local.day} {month} {local.year}",
                                   f"{local.day} {month} {local.year}", escape(local.tzname() or ""))
    long_day, short_day, zone = day
    hm = f"{local.hour:02}:{local.minute:02}"
    return (f'<time datetime="{local.isoformat()}" title="{long_day}, {hm}:{local.second:02} {zone}">'
            f"{short_day} at {hm}</time>")


AWAITING = '<p class="comment-awaiting-moderation" role="status">Your comment is awaiting moderation.</p>'


def _author_parts(row: tuple, ctx: RenderContext) -> tuple[str, str, str]:
    """(the author block's HTML, the escaped "Reply to NAME", the post-author class), once
    per distinct author in a render: a thousand comments come from far fewer people."""
    key = row[4:10]  # name, e-mail, URL, picture at the time, account, its picture now
    parts = ctx.authors.get(key)
    if parts is None:
        author_name, author_email, author_url, avatar_url, user_id, user_avatar_url = key
        is_author = user_id is not None and user_id == ctx.post.author_id
        name = escape(author_name or "Anonymous")
        if author_url:
            name = f'<a class="url" href="{escape(author_url)}" rel="external nofollow ugc">{name}</a>'
        avatar = ""
        if ctx.avatars:
            # The account's picture as it is now (stored by the worker after the comment, perhaps).
            src = avatar_for(email=author_email, name=author_name, picture=user_avatar_url or avatar_url)
            avatar = f'<img class="avatar" src="{escape(src)}" alt="" width="40" height="40" loading="lazy" decoding="async">'
        badge = ' <span class="post-author-badge">Author</span>' if is_author else ""
        block = f'<div class="comment-author vcard">{avatar}<b class="fn">{name}</b>{badge}</div>'
        parts = ctx.authors[key] = (block, escape(f"Reply to {author_name}"), " bypostauthor" if is_author else "")
    return parts


EDITED = ' <span class="comment-edited">(edited)</span>'


def _comment_li(row: tuple, level: int, ctx: RenderContext) -> str:
    """The opening <li> and the comment's article (the caller closes the <li>)."""
    author_block, reply_to, author_class = _author_parts(row, ctx)
    pk = str(row[0])
    status = row[2]
    pending = status != APPROVED
    if pending:
        actions = ""
    else:
        actions = (
            f'<a class="comment-reply-link" href="{ctx.reply_href}?replytocom={pk}#respond" '
            f'data-commentid="{pk}" data-belowelement="div-comment-{pk}" data-replyto="{reply_to}" '
            f'aria-label="{reply_to}">Reply</a> '
            f'<a class="comment-report-link" href="{ctx.report_url[0]}/{pk}/{ctx.report_url[1]}" rel="nofollow">Report</a>'
        )
    if ctx.edit_ids and row[0] in ctx.edit_ids:
        link = f'<a class="comment-edit-link" href="{ctx.edit_url[0]}/{pk}/{ctx.edit_url[1]}">Edit</a>'
        actions = f"{actions} {link}" if actions else link
    return (
        f'<li id="comment-{pk}" class="comment depth-{level}{author_class}{" comment-pending" if pending else ""}">'
        f'<article id="div-comment-{pk}" class="comment-body">'
        f'<footer class="comment-meta">{author_block}<div class="comment-metadata"><a href="#comment-{pk}">'
        f'{_when(row[10], ctx)}</a>{EDITED if row[11] else ""}</div>{AWAITING if pending else ""}</footer>'
        f'<div class="comment-content">{row[3]}</div><div class="reply">{actions}</div></article>'
    )


def render_threads(rows, ctx: RenderContext, order: list[int]) -> str:
    """<li> elements for the threads in `rows` (ordered by path: each thread whole, parents
    first), the threads in the order of `order` (top-level ids), in one pass without
    building a tree. Replies nest in <ol class="children"> down to the depth cap, below
    which they follow their ancestor at the last level (as WordPress). A comment whose
    parent is not among the rows before it (removed, or not visible) is dropped with its
    replies: a reply never floats to the top without its context."""
    cap = ctx.depth_cap
    threads: dict[int, list[str]] = {}
    depth_of: dict[int, int] = {}
    parts: list[str] = []
    append = parts.append
    previous = 0  # the level of the previous comment in this thread (0: none yet)
    for row in rows:
        pk, parent_id = row[0], row[1]
        if parent_id is None:
            if previous:
                append("</li>" + "</ol></li>" * (previous - 1))
            parts = threads[pk] = []
            append = parts.append
            depth, previous = 1, 0
        else:
            depth = depth_of.get(parent_id)
            if depth is None:
                continue
            depth += 1
        depth_of[pk] = depth
        level = depth if depth < cap else cap
        if previous:
            append('<ol class="children">' if level > previous else "</li>" + "</ol></li>" * (previous - level))
        append(_comment_li(row, level, ctx))
        previous = level
    if previous:
        append("</li>" + "</ol></li>" * (previous - 1))
    position = {pk: i for i, pk in enumerate(order)}
    return "".join("".join(threads[pk]) for pk in sorted(threads, key=lambda pk: position.get(pk, 0)))


def thread_page(
    post: Post,
    *,
    page: int | None,
    own_ids: frozenset[int] = frozenset(),
    edit_ids: frozenset[int] = frozenset(),
    discussion: DiscussionSettings | None = None,
) -> ThreadPage | None:
    """The rendered thread for one comment page, or None if `page` does not exist.
    Two queries (top-level ids, then the page's comments by path) whatever the count.
    `own_ids`: the viewer's own comments on this post (shown while pending, never cached)."""
    discussion = discussion or DiscussionSettings.load()
    thread_ids = ordered_thread_ids(post, own_ids=own_ids, order=discussion.order)
    pages = page_count(len(thread_ids), discussion.page_size)
    number = page or default_page(pages=pages, discussion=discussion)
    if number < 1 or number > pages:
        return None
    key = f"dispatch:thread:{post.pk}:{post.comments_version}:{number}:{discussion.order}:{discussion.page_size}"
    cacheable = not own_ids and not edit_ids
    html = cache.get(key) if cacheable else None
    if html is None:
        on_page = page_slice(thread_ids, page=number, page_size=discussion.page_size)
        rows = thread_rows(post, own_ids=own_ids, thread_ids=on_page if discussion.page_size else None)
        ctx = RenderContext(
            post=post, depth_cap=max(1, discussion.thread_depth), avatars=discussion.avatars_enabled,
            own_ids=own_ids, edit_ids=edit_ids, reply_base=comment_page_url(
                post, number, pages=pages, discussion=discussion),
        )
        html = f'<ol class="comment-list">{render_threads(rows, ctx, on_page)}</ol>' if rows else ""
        if cacheable:
            cache.set(key, str(html), CACHE_SECONDS)
    return ThreadPage(html=mark_safe(html), number=number, count=pages, top_level=len(thread_ids))
