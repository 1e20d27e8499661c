"""The comment section under a post: its context (thread page, form, reply target) and
the reader's own comments remembered in the session (shown to them while awaiting
moderation, editable for a short window). Rendered by the `{% comment_section post %}`
inclusion tag (blog/comments/templatetags/comments.py)."""

from django.http import Http404
from django.utils import timezone

from accounts import social
from blog import page_cache
from blog.comments import threads
from blog.comments.forms import CommentForm, FollowForm, sign_timestamp
from blog.comments.models import Comment, DiscussionSettings
from blog.comments.services import comments_open
from blog.models import Post

OWN_KEY = "dispatch_own_comments"  # {comment id: [post id, created timestamp]}
OWN_LIMIT = 50


# --- the reader's own comments (session) ---------------------------------------------------


def remember(request, comment: Comment) -> None:
    """Keep the comment in the session: its author sees it while it awaits moderation."""
    own = dict(request.session.get(OWN_KEY, {}))
    own[str(comment.pk)] = [comment.post_id, comment.created_at.timestamp()]
    request.session[OWN_KEY] = dict(sorted(own.items(), key=lambda kv: kv[1][1])[-OWN_LIMIT:])


def own_ids(request, post_id: int | None = None) -> frozenset[int]:
    """Ids of the comments this browser posted (on `post_id`, or anywhere)."""
    own = request.session.get(OWN_KEY, {}) if hasattr(request, "session") else {}
    return frozenset(int(pk) for pk, (pid, _) in own.items() if post_id is None or pid == post_id)


def editable_ids(request, post_id: int, window: int) -> frozenset[int]:
    """Ids of this browser's comments on `post_id` still inside the edit window."""
    now = timezone.now().timestamp()
    own = request.session.get(OWN_KEY, {}) if hasattr(request, "session") else {}
    return frozenset(int(pk) for pk, (pid, ts) in own.items() if pid == post_id and now - ts <= window)


# --- the comment section -------------------------------------------------------------------


def _reply_to(post: Post, raw) -> Comment | None:
    """The approved comment on `post` that the reader is answering, if `raw` names one."""
    try:
        pk = int(raw or 0)
    except (TypeError, ValueError):
        return None
    if not pk:
        return None
    return Comment.objects.approved().filter(pk=pk, post=post).only("pk", "author_name", "post_id").first()


def comment_section_context(request, post, *, cpage=None, form=None, error: str = "") -> dict:
    """Everything comments/_section.html needs. `form` and `error` are a refused
    submission's bound form and message (the typed text comes back); without them, a
    fresh form. A constant number of queries: the Discussion settings (cached), the
    top-level ids and the page's comments."""
    if post.kind != Post.Kind.POST:
        return {}
    discussion = DiscussionSettings.load()
    own = own_ids(request, post.pk)
    page = threads.thread_page(
        post, page=cpage, own_ids=own, edit_ids=editable_ids(request, post.pk, discussion.edit_window_seconds),
        discussion=discussion,
    )
    if page is None:
        raise Http404("No such comment page")
    signed_in = request.user.is_authenticated
    if form is None:  # a fresh form; ?replytocom=ID answers a comment without JavaScript
        parent = _reply_to(post, request.GET.get("replytocom"))
        # Back from a provider's login without JavaScript: the draft kept server-side returns.
        draft = {k: v for k, v in social.pop_draft(request, post).items() if k in CommentForm.base_fields}
        if draft.get("comment_parent"):
            parent = _reply_to(post, draft["comment_parent"]) or parent
        form = CommentForm(
            initial={"comment_post_ID": post.pk, "ts": sign_timestamp(),
                     **draft, "comment_parent": parent.pk if parent else 0},
            require_identity=discussion.require_name_email and not signed_in,
        )
    else:  # re-rendered after a refusal: still answering the same comment
        parent = _reply_to(post, form.data.get("comment_parent"))
    pages = [
        {"number": n, "url": threads.comment_page_url(post, n, pages=page.count, discussion=discussion),
         "current": n == page.number}
        for n in range(1, page.count + 1)
    ] if page.count > 1 else []
    return {
        "comment_thread": page.html,
        "comment_page": page,
        "comment_pages": pages,
        "comment_count": post.comment_count,
        "comment_form": form,
        "comment_error": error,
        "comments_open": comments_open(post=post, discussion=discussion, now=timezone.now()),
        "login_required": discussion.require_login and not signed_in,
        "reply_to": parent,
        "follow_form": FollowForm(initial={"post_id": post.pk}),
        "permalink": post.get_absolute_url(),
        # An anonymous page is cached and shared: no token in it (it would set a cookie);
        # comments.js fetches one when the form is used (blog.page_cache).
        "csrf_in_page": not page_cache.is_anonymous(request),
    }
