"""Reading a post's comment thread: which comments a viewer sees, paging by top-level
comments, an O(n) tree build from one ordered query, and the thread's HTML.

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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.avatars import avatar_for
from blog.comments.models import Comment, DiscussionSettings
from blog.models import Post

CACHE_SECONDS = 60 * 60


class Row(NamedTuple):
    """The columns a thread shows, read with values_list: a model instance per comment
    costs more than rendering it."""

    pk: int
    parent_id: int | None
    status: str
    body_html: str
    author_name: str
    author_email: str
    author_url: str
    avatar_url: str
    user_id: int | None
    user__avatar_url: str | None  # the account's current picture (a LEFT JOIN, same query)
    created_at: datetime.datetime
    edited_at: datetime.datetime | None


@dataclass(slots=True)
class Node:
    comment: Row | Comment
    children: list["Node"] = field(default_factory=list)


@dataclass
class ThreadPage:
    html: SafeString
    number: int
    count: int  # pages
    top_level: int  # top-level comments visible to this viewer


# What the viewer's own comment shows as "awaiting moderation": held or sent to spam alike.
AWAITING_STATUSES = (Comment.Status.PENDING, Comment.Status.SPAM)


def visible(post: Post, own_ids: frozenset[int] = frozenset()) -> Q:
    """Approved comments, plus the viewer's own comments that still await moderation. Their
    own comments in Spam show exactly as held ones do: a reader judged wrongly is not left
    wondering, and a spammer learns nothing from the page."""
    q = Q(post=post, status=Comment.Status.APPROVED)
    if own_ids:
        q |= Q(post=post, status__in=AWAITING_STATUSES, pk__in=own_ids)
    return q


def build_tree(comments) -> list[Node]:
    """Roots of the forest, in one pass over comments ordered parents-first (by path).
    A comment whose parent is not in the list (removed, or not visible) is dropped with
    its replies: a reply never floats to the top without its context."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for c in comments:
        node = Node(c)
        if c.parent_id is None:
            roots.append(node)
        elif c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
        else:
            continue
        nodes[c.pk] = node
    return roots


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
    reply_href: str = ""

    def __post_init__(self):
        self.reply_href = escape(self.reply_base)
    # URL patterns resolved once per render, not once per comment ("{}" is the comment id).
    report_url: str = field(default_factory=lambda: reverse("comments:comment-report", args=[0]).replace("/0/", "/{}/"))
    edit_url: str = field(default_factory=lambda: reverse("comments:comment-edit", args=[0]).replace("/0/", "/{}/"))


# The per-comment HTML is plain f-strings with html.escape on every value that came from a
# reader: Django's format_html (lazy-aware conditional_escape on each argument) costs ~5×
# more, a thousand times per page. Only body_html goes in unescaped: it was sanitised with
# nh3 when the comment was saved (comment_services.render_comment_html).


MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _when(c: Row | Comment, tz: datetime.tzinfo) -> str:
    """Readable date, exact time in the tooltip (English names, as the site's language;
    tables instead of strftime, a thousand times per page)."""
    local = c.created_at.astimezone(tz)
    month = MONTHS[local.month]
    return (f'<time datetime="{local.isoformat()}" title="{WEEKDAYS[local.weekday()]} {local.day} {month} '
            f'{local.year}, {local.hour:02}:{local.minute:02}:{local.second:02} {escape(local.tzname() or "")}">'
            f"{local.day} {month} {local.year} at {local.hour:02}:{local.minute:02}</time>")


AWAITING = '<p class="comment-awaiting-moderation" role="status">Your comment is awaiting moderation.</p>'


def _author_parts(c: Row | Comment, ctx: RenderContext) -> tuple[str, str, bool]:
    """(the author block's HTML, the escaped "Reply to NAME", is the post's author), once
    per distinct author in a render: a thousand comments come from far fewer people."""
    key = (c.author_name, c.author_url, c.author_email, c.avatar_url, c.user_id)  # one account, one picture
    parts = ctx.authors.get(key)
    if parts is None:
        is_author = c.user_id is not None and c.user_id == ctx.post.author_id
        name = escape(c.author_name or "Anonymous")
        if c.author_url:
            name = f'<a class="url" href="{escape(c.author_url)}" rel="external nofollow ugc">{name}</a>'
        avatar = ""
        if ctx.avatars:
            # The account's picture as it is now (stored by the worker after the comment, perhaps).
            picture = getattr(c, "user__avatar_url", None) or c.avatar_url
            src = avatar_for(email=c.author_email, name=c.author_name, picture=picture)
            avatar = f'<img class="avatar" src="{escape(src)}" alt="" width="40" height="40" loading="lazy" decoding="async">'
        badge = ' <span class="post-author-badge">Author</span>' if is_author else ""
        block = f'<div class="comment-author vcard">{avatar}<b class="fn">{name}</b>{badge}</div>'
        parts = ctx.authors[key] = (block, escape(f"Reply to {c.author_name}"), is_author)
    return parts


def _comment_li(c: Row | Comment, level: int, ctx: RenderContext) -> str:
    """The opening <li> and the comment's article (the caller closes the <li>)."""
    author_block, reply_to, is_author = _author_parts(c, ctx)
    pk = c.pk
    pending = c.status in AWAITING_STATUSES
    classes = f"comment depth-{level}" + (" bypostauthor" if is_author else "") + (" comment-pending" if pending else "")
    edited = ' <span class="comment-edited">(edited)</span>' if c.edited_at else ""
    actions = ""
    if c.status == Comment.Status.APPROVED:
        actions = (
            f'<a class="comment-reply-link" href="{ctx.reply_href}?replytocom={pk}#respond" '
            f'data-commentid="{pk}" data-belowelement="div-comment-{pk}" data-replyto="{reply_to}" '
            f'aria-label="{reply_to}">Reply</a> '
            f'<a class="comment-report-link" href="{ctx.report_url.format(pk)}" rel="nofollow">Report</a>'
        )
    if pk in ctx.edit_ids:
        actions += f' <a class="comment-edit-link" href="{ctx.edit_url.format(pk)}">Edit</a>'
    return (
        f'<li id="comment-{pk}" class="{classes}"><article id="div-comment-{pk}" class="comment-body">'
        f'<footer class="comment-meta">{author_block}<div class="comment-metadata"><a href="#comment-{pk}">'
        f'{_when(c, ctx.tz)}</a>{edited}</div>{AWAITING if pending else ""}</footer>'
        f'<div class="comment-content">{c.body_html}</div><div class="reply">{actions.strip()}</div></article>'
    )


def _flatten(node: Node):
    for child in node.children:
        yield child
        yield from _flatten(child)


def render_nodes(nodes: list[Node], ctx: RenderContext) -> str:
    """<li> elements for top-level `nodes`; replies nest in <ol class="children"> down to
    the depth cap, below which they follow their ancestor at the last level (as WordPress)."""
    parts: list[str] = []
    _render_into(parts, nodes, ctx, 1)
    return "".join(parts)


def _render_into(parts: list[str], nodes: list[Node], ctx: RenderContext, level: int) -> None:
    for node in nodes:
        parts.append(_comment_li(node.comment, level, ctx))
        if node.children and level < ctx.depth_cap:
            parts.append('<ol class="children">')
            _render_into(parts, node.children, ctx, level + 1)
            parts.append("</ol></li>")
        else:
            parts.append("</li>")
            for deeper in _flatten(node):
                parts.append(_comment_li(deeper.comment, level, ctx))
                parts.append("</li>")


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
        comments = map(Row._make, (
            Comment.objects.filter(visible(post, own_ids), thread_id__in=on_page)
            .order_by("path").values_list(*Row._fields)
        ))
        roots = build_tree(comments)
        position = {pk: i for i, pk in enumerate(on_page)}
        roots.sort(key=lambda n: position.get(n.comment.pk, 0))
        ctx = RenderContext(
            post=post, depth_cap=max(1, discussion.thread_depth), avatars=discussion.avatars_enabled,
            own_ids=own_ids, edit_ids=edit_ids, reply_base=comment_page_url(
                post, number, pages=pages, discussion=discussion),
        )
        html = f'<ol class="comment-list">{render_nodes(roots, ctx)}</ol>' if roots else ""
        if cacheable:
            cache.set(key, str(html), CACHE_SECONDS)
    return ThreadPage(html=mark_safe(html), number=number, count=pages, top_level=len(thread_ids))
