"""Comment endpoints and the comment section of a post page. Thin: a form, one service,
a redirect — or, on any refusal, the post page again with the message and the typed text
(and WordPress's status code), never a 500."""

import uuid

from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import social
from blog.comments import services as comment_services
from blog.comments import subscriptions, threads
from blog.comments.forms import CommentEditForm, CommentForm, FollowForm, ReportForm, form_age, sign_timestamp
from blog.comments.models import Comment, DiscussionSettings, Subscription
from blog.comments.services import CommentRejected, comments_open, within_edit_window
from blog.models import Post
from config.helpers import client_ip, rate_limited

OWN_KEY = "dispatch_own_comments"  # {comment id: [post id, created timestamp]}
OWN_LIMIT = 50
FOLLOWS_PER_HOUR = 10


# --- the reader's own comments (session) ---------------------------------------------------


def _remember(request, comment: Comment) -> None:
    own = dict(request.session.get(OWN_KEY, {}))
    own[str(comment.pk)] = [comment.post_id, comment.created_at.timestamp()]
    request.session[OWN_KEY] = dict(sorted(own.items(), key=lambda kv: kv[1][1])[-OWN_LIMIT:])


def _own_ids(request, post_id: int | None = None) -> frozenset[int]:
    own = request.session.get(OWN_KEY, {}) if hasattr(request, "session") else {}
    return frozenset(int(pk) for pk, (pid, _) in own.items() if post_id is None or pid == post_id)


def _editable_ids(request, post_id: int, window: int) -> frozenset[int]:
    now = timezone.now().timestamp()
    own = request.session.get(OWN_KEY, {}) if hasattr(request, "session") else {}
    return frozenset(int(pk) for pk, (pid, ts) in own.items() if pid == post_id and now - ts <= window)


def _can_edit(request, comment: Comment) -> bool:
    if request.user.is_authenticated and comment.user_id == request.user.pk:
        return True
    return comment.pk in _own_ids(request)


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


def comment_section_context(request, post, *, cpage=None) -> dict:
    """Everything comments/_section.html needs. A constant number of queries: the
    Discussion settings (cached), the top-level ids and the page's comments."""
    if post.kind != Post.Kind.POST:
        return {}
    discussion = DiscussionSettings.load()
    own = _own_ids(request, post.pk)
    page = threads.thread_page(
        post, page=cpage, own_ids=own, edit_ids=_editable_ids(request, post.pk, discussion.edit_window_seconds),
        discussion=discussion,
    )
    if page is None:
        raise Http404("No such comment page")
    form = getattr(request, "_comment_form", None)
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
        "comment_error": getattr(request, "_comment_error", ""),
        "comments_open": comments_open(post=post, discussion=discussion, now=timezone.now()),
        "login_required": discussion.require_login and not signed_in,
        "reply_to": parent,
        "follow_form": FollowForm(initial={"post_id": post.pk}),
        "permalink": post.get_absolute_url(),
    }


def _rerender(request, post: Post, form: CommentForm, message: str, status: int):
    """The post page again, with the bound form (typed text kept), the message in the
    aria-live region and the fields at fault marked aria-invalid. blog.views renders the
    page; comment_section_context picks the form and message up from the request."""
    from blog.views import _render_post

    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "comment-status"})
    request._comment_form = form
    request._comment_error = message
    response = _render_post(request, post)
    response.status_code = status
    return response


def post_comment(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        post_id = int(request.POST.get("comment_post_ID", ""))
    except ValueError:
        raise Http404("No such post") from None
    post = get_object_or_404(Post.objects.posts().visible_to(request.user).select_related("author"), pk=post_id)
    discussion = DiscussionSettings.load()
    user = request.user if request.user.is_authenticated else None
    form = CommentForm(request.POST, require_identity=discussion.require_name_email and user is None)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _rerender(request, post, form, first, 400)
    data = form.cleaned_data
    parent = None
    if data.get("comment_parent"):
        parent = Comment.objects.filter(pk=data["comment_parent"]).first()
        if parent is None:
            return _rerender(request, post, form, "Sorry, you cannot reply to that comment.", 400)
    identity = {"author_name": data["author"], "author_email": data["email"], "author_url": data["url"]}
    if user is not None:
        identity = {"author_name": str(user), "author_email": user.email or data["email"],
                    "author_url": user.website, "avatar_url": user.avatar_url,
                    "provider": social.identity(request)["provider"]}
    try:
        comment = comment_services.comment_submit(
            post=post, body=data["comment"], parent=parent, user=user, ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""), form_age=form_age(data.get("ts", "")),
            notify_on_approval=data["subscribe_comments"], **identity,
        )
    except CommentRejected as refused:
        return _rerender(request, post, form, refused.message, refused.status)
    email = identity["author_email"]
    if email and data["subscribe_comments"]:
        kind = data.get("subscribe_kind") or Subscription.Kind.ALL_COMMENTS
        subscriptions.subscription_create(email=email, kind=kind, post=post, comment=comment, user=user)
    if email and data["subscribe_blog"]:
        subscriptions.subscription_create(email=email, kind=Subscription.Kind.NEW_POSTS, user=user)
    _remember(request, comment)
    return HttpResponseRedirect(threads.comment_url(comment, own_ids=_own_ids(request, post.pk)))


# --- edit and report -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def comment_edit(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    window = DiscussionSettings.load().edit_window_seconds
    if not _can_edit(request, comment) or not within_edit_window(comment=comment, now=timezone.now(),
                                                                   window_seconds=window):
        return render(request, "comments/edit.html",
                      {"comment": comment, "error": "Sorry, you can no longer edit this comment."}, status=403)
    form = CommentEditForm(request.POST or None, initial={"comment": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment_services.comment_edit(comment=comment, body=form.cleaned_data["comment"])
        except CommentRejected as refused:
            return render(request, "comments/edit.html",
                          {"comment": comment, "form": form, "error": refused.message}, status=refused.status)
        return HttpResponseRedirect(threads.comment_url(comment, own_ids=_own_ids(request, comment.post_id)))
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def comment_report(request, pk: int):
    comment = get_object_or_404(Comment.objects.approved().select_related("post"), pk=pk)
    form = ReportForm(request.POST or None)
    context = {"comment": comment, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "comments/report.html", context, status=400)
        try:
            comment_services.comment_report(comment=comment, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                           user=request.user if request.user.is_authenticated else None, ip=client_ip(request))
        except CommentRejected as refused:
            return render(request, "comments/report.html", {**context, "error": refused.message},
                          status=refused.status)
        return render(request, "comments/report.html", {**context, "done": True})
    return render(request, "comments/report.html", context)


# --- subscriptions -------------------------------------------------------------------------


@require_POST
def follow(request):
    """Follow a post's comments without commenting (double opt-in for guests)."""
    form = FollowForm(request.POST)
    if rate_limited(f"follow:{client_ip(request)}", limit=FOLLOWS_PER_HOUR, period=3600):
        form.add_error(None, "You have asked for several subscriptions in a short time; please try again later.")
        return render(request, "comments/subscriptions/follow.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "comments/subscriptions/follow.html", {"form": form}, status=400)
    post = get_object_or_404(Post.objects.posts().published(), pk=form.cleaned_data["post_id"])
    user = request.user if request.user.is_authenticated else None
    email = (user.email if user and user.email else "") or form.cleaned_data["email"]
    if not email:
        form.add_error("email", "Please fill in your email address.")
        return render(request, "comments/subscriptions/follow.html", {"form": form, "post": post}, status=400)
    sub = subscriptions.subscription_create(email=email, kind=Subscription.Kind.ALL_COMMENTS, post=post, user=user)
    return render(request, "comments/subscriptions/follow.html", {"post": post, "subscription": sub, "done": True})


@require_http_methods(["GET", "POST"])
def subscription_confirm(request, token: str):
    email = subscriptions.email_from_token(
        token, salt=subscriptions.CONFIRM_SALT, max_age=subscriptions.CONFIRM_MAX_AGE)
    if email is None:
        return render(request, "comments/subscriptions/confirm.html", {"invalid": True}, status=400)
    pending = Subscription.objects.filter(email__iexact=email, confirmed_at__isnull=True,
                                          unsubscribed_at__isnull=True).select_related("post")
    if request.method == "POST":
        count = subscriptions.subscriptions_confirm(email=email)
        return render(request, "comments/subscriptions/confirm.html", {"done": True, "count": count})
    return render(request, "comments/subscriptions/confirm.html", {"pending": list(pending)})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request, token):
    """GET shows a confirm button; POST (from that button or a mail client) unsubscribes.
    The random UUID in the URL is the credential; unsubscribing is harmless to forge."""
    sub = get_object_or_404(Subscription.objects.select_related("post"), token=token)
    if request.method == "POST":
        subscriptions.subscription_unsubscribe(subscription=sub)
        return render(request, "comments/subscriptions/unsubscribe.html", {"subscription": sub, "done": True})
    return render(request, "comments/subscriptions/unsubscribe.html", {"subscription": sub})


def _uuids(values: list[str]) -> list[uuid.UUID]:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except ValueError:
            continue
    return result


@require_http_methods(["GET", "POST"])
def subscription_manage(request, token: str):
    email = subscriptions.email_from_token(token, salt=subscriptions.MANAGE_SALT)
    if email is None:
        return render(request, "comments/subscriptions/manage.html", {"invalid": True}, status=400)
    subs = Subscription.objects.filter(email__iexact=email).select_related("post").order_by("-created_at")
    message = ""
    if request.method == "POST":
        chosen = subs.filter(token__in=_uuids(request.POST.getlist("unsubscribe")))
        count = chosen.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        message = f"Unsubscribed from {count} subscription{'s' if count != 1 else ''}."
    return render(request, "comments/subscriptions/manage.html",
                  {"email": email, "subscriptions": list(subs), "message": message})
