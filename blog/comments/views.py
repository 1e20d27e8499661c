"""Comment endpoints. Thin: a form, one service, a redirect — or, on any refusal, the post
page again with the message and the typed text (and WordPress's status code), never a 500.
The comment section itself is rendered by the `{% comment_section post %}` tag."""

import uuid

from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import social
from blog.comments import identity as commenter_identity
from blog.comments import links, privacy, section, subscriptions, threads
from blog.comments import services as comment_services
from blog.comments.forms import CommentEditForm, CommentForm, FollowForm, ReportForm, form_age
from blog.comments.models import Comment, DiscussionSettings, Subscription
from blog.comments.services import CommentRejected, within_edit_window
from blog.models import Post
from blog.views import render_post
from config.helpers import client_ip, csrf_protect_sessions, rate_limited

FOLLOWS_PER_HOUR = 10


def _can_edit(request, comment: Comment) -> bool:
    if request.user.is_authenticated and comment.user_id == request.user.pk:
        return True
    return comment.pk in section.own_ids(request)


def _rerender(request, post: Post, form: CommentForm, message: str, status: int):
    """The post page again, with the bound form (typed text kept), the message in the
    aria-live region and the fields at fault marked aria-invalid. The form and message
    travel in the template context to the `{% comment_section %}` tag."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "comment-status"})
    return render_post(request, post, status=status, extra_context={"comment_form": form, "comment_error": message})


@csrf_protect_sessions  # the form lives on a cached page (blog.page_cache)
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
    proof = commenter_identity.email_proof(request, user=user, name=identity["author_name"],
                                           email=identity["author_email"])
    try:
        comment = comment_services.comment_submit(
            post=post, body=data["comment"], parent=parent, user=user, ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""), form_age=form_age(data.get("ts", "")),
            notify_on_approval=data["subscribe_comments"], email_proof=proof, **identity,
        )
    except CommentRejected as refused:
        return _rerender(request, post, form, refused.message, refused.status)
    email = identity["author_email"]
    if email and data["subscribe_comments"]:
        kind = data.get("subscribe_kind") or Subscription.Kind.ALL_COMMENTS
        subscriptions.subscription_create(email=email, kind=kind, post=post, comment=comment, user=user)
    if email and data["subscribe_blog"]:
        subscriptions.subscription_create(email=email, kind=Subscription.Kind.NEW_POSTS, user=user,
                                          with_updates=data.get("subscribe_updates", False))
    section.remember(request, comment)
    response = HttpResponseRedirect(threads.comment_url(comment, own_ids=section.own_ids(request, post.pk)))
    if user is None:
        commenter_identity.remember_commenter(response, name=comment.author_name, email=comment.author_email)
    return response


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
            comment_services.comment_author_edit(comment=comment, body=form.cleaned_data["comment"])
        except CommentRejected as refused:
            return render(request, "comments/edit.html",
                          {"comment": comment, "form": form, "error": refused.message}, status=refused.status)
        return HttpResponseRedirect(threads.comment_url(comment, own_ids=section.own_ids(request, comment.post_id)))
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


@csrf_protect_sessions  # the form lives on a cached page (blog.page_cache)
@require_POST
def follow(request):
    """Follow a post's comments without commenting, or its dated updates ("Follow this
    story", `kind=updates`); double opt-in for guests."""
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
    kind = form.cleaned_data["kind"] or Subscription.Kind.ALL_COMMENTS
    sub = subscriptions.subscription_create(email=email, kind=kind, post=post, user=user)
    return render(request, "comments/subscriptions/follow.html", {"post": post, "subscription": sub, "done": True})


@require_http_methods(["GET", "POST"])
def subscription_confirm(request, token: str):
    email = links.email_from_token(
        token, salt=links.CONFIRM_SALT, max_age=links.CONFIRM_MAX_AGE)
    if email is None:
        return render(request, "comments/subscriptions/confirm.html", {"invalid": True}, status=400)
    pending = Subscription.objects.filter(email__iexact=email, confirmed_at__isnull=True,
                                          unsubscribed_at__isnull=True).select_related("post")
    if request.method == "POST":
        # Exactly what the page showed: the subscriptions listed in its form, not whatever
        # someone added for this address since.
        count = subscriptions.subscriptions_confirm(email=email, tokens=_uuids(request.POST.getlist("subscription")))
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
    email = links.email_from_token(token, salt=links.MANAGE_SALT, max_age=links.MANAGE_MAX_AGE)
    if email is None:
        expired_for = links.email_from_token(token, salt=links.MANAGE_SALT)  # genuine, but too old
        if expired_for is None:
            return render(request, "comments/subscriptions/manage.html", {"invalid": True}, status=400)
        sent = request.method == "POST" and subscriptions.send_manage_link(expired_for) is not None
        return render(request, "comments/subscriptions/manage.html", {"expired": True, "sent": sent}, status=410)
    subs = Subscription.objects.filter(email__iexact=email).select_related("post").order_by("-created_at")
    message = ""
    if request.method == "POST" and "updates" in request.POST:
        # A new-post subscriber's choice: also every post's dated updates, or not.
        with_updates = request.POST["updates"] == "on"
        for sub in subs.filter(kind=Subscription.Kind.NEW_POSTS, token__in=_uuids(request.POST.getlist("token"))):
            subscriptions.subscription_set_updates(subscription=sub, with_updates=with_updates)
        message = "You will get new posts with their updates." if with_updates else "You will get new posts only."
    elif request.method == "POST":
        chosen = subs.filter(token__in=_uuids(request.POST.getlist("unsubscribe")))
        count = chosen.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        message = f"Unsubscribed from {count} subscription{'s' if count != 1 else ''}."
    return render(request, "comments/subscriptions/manage.html",
                  {"email": email, "subscriptions": list(subs), "message": message})


@require_GET
@never_cache
def csrf_token(request):
    """A CSRF token (and its cookie) for a form on a cached page, fetched by comments.js when
    the reader starts using the form: the shared page itself carries none."""
    return JsonResponse({"token": get_token(request)})


# --- a guest's own data (export and erase, by a link mailed to the address) ----------------

DATA_REQUESTS_PER_HOUR = 5


@require_http_methods(["GET", "POST"])
def my_data_request(request):
    """Ask for the link: the same answer whether or not the site holds anything for the
    address (nobody learns who commented), and the mail goes only to that address."""
    sent = False
    error = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:100]
        if rate_limited(f"my-data:{client_ip(request)}", limit=DATA_REQUESTS_PER_HOUR, period=3600):
            error = "You have asked several times in a short time; please try again later."
        elif "@" not in email:
            error = "Please fill in your email address."
        else:
            subscriptions.send_data_link(email)
            sent = True
    return render(request, "comments/my_data.html", {"request_form": True, "sent": sent, "error": error},
                  status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def my_data(request, token: str):
    """GET: the page (or, with ?download=1, the JSON export); POST: erase, after a confirm."""
    email = links.email_from_token(token, salt=links.DATA_SALT, max_age=links.DATA_MAX_AGE)
    if email is None:
        return render(request, "comments/my_data.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            return render(request, "comments/my_data.html", {"email": email, "error": "Tick the box to confirm."},
                          status=400)
        privacy.commenter_erase(emails={email})
        return render(request, "comments/my_data.html", {"erased": True})
    if request.GET.get("download"):
        response = JsonResponse({"email": email, "exported_at": timezone.now().isoformat(),
                                 **privacy.commenter_export(emails={email})}, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = 'attachment; filename="my-comments-data.json"'
        return response
    return render(request, "comments/my_data.html", {"email": email})
