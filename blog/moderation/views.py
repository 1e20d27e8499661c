"""Moderator queues at /moderation/. Thin views: a form, then a selector or an action service.

Each action answers JSON to `fetch` (Accept: application/json) and redirects back with a
message to a plain form post, so the screen works with and without JavaScript.
"""

from dataclasses import asdict
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import CommenterFlag
from blog.comments.models import Comment
from blog.moderation import actions, selectors
from blog.moderation import dashboard as dashboard_stats
from blog.moderation.forms import ActionForm, BulkForm, QueueFilterForm

PAGE_SIZE = 50
ROW_ACTIONS = {
    Comment.Status.PENDING: ["approve", "spam", "trash"],
    Comment.Status.APPROVED: ["unapprove", "spam", "trash"],
    Comment.Status.SPAM: ["restore", "approve", "trash"],
    Comment.Status.TRASH: ["restore", "approve", "spam"],
}


def moderator_required(view):
    """Signed in, and allowed to moderate something (all comments, or those on one's posts).
    The scope is kept on the request for the selectors."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        scope = actions.moderation_scope(request.user)
        if scope is None:
            raise PermissionDenied("Moderators and authors only.")
        request.moderation_scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = fallback
    return HttpResponseRedirect(target)


def _answer(request, outcome: actions.Outcome):
    if _wants_json(request):
        payload = {**asdict(outcome), "counts": selectors.queue_counts(request.moderation_scope)}
        return JsonResponse(payload, status=200 if outcome.ok else 409)
    (messages.success if outcome.ok else messages.warning)(request, outcome.message)
    return _back(request, reverse("moderation:queue"))


def _nav(request) -> dict:
    """What every moderation page needs: the queue tabs with live counts, and the pieces
    each row's forms repeat, computed once per page rather than per form (a page of 50
    rows carries some 350 forms; per-form {% url %} and {% csrf_token %} tripled its time)."""
    counts = selectors.queue_counts(request.moderation_scope)
    return {
        "tabs": [(key, label, counts[key]) for key, label in selectors.QUEUES.items()],
        "counts": counts,
        "flag_actions": ["ban", "trust"] if actions.is_site_moderator(request.user) else [],
        "mod_base": reverse("moderation:queue"),
        "next_url": request.get_full_path(),
        "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)),
    }


def _forbidden(request, message="Not yours to moderate."):
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=403)
    raise PermissionDenied(message)


@require_GET
@moderator_required
def queue(request, queue: str = "pending"):
    if queue not in selectors.QUEUES:
        raise Http404("No such queue")
    scope = request.moderation_scope
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    comments = selectors.queue_comments(queue=queue, scope=scope, filters=filters)
    if queue == "reported":
        comments = selectors.with_open_reports(comments)
    paginator = Paginator(comments, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.attach_histories(list(page.object_list), request.moderation_scope)
    for row in rows:
        row.row_actions = ROW_ACTIONS[row.status]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "moderation/queue.html", {
        "queue": queue,
        "queue_label": selectors.QUEUES[queue],
        **_nav(request),
        "form": form,
        "filter_errors": filters.errors,
        "page_obj": page,
        "rows": rows,
        "query": query.urlencode(),
        "bulk_actions": ROW_ACTIONS.get(queue, ["approve", "spam", "trash"]),
        "reason_codes": selectors.reason_codes(scope) if queue == "pending" else [],
    })


@require_POST
@moderator_required
def act(request, pk: int, action: str):
    if action not in actions.ALL_ACTIONS:
        raise Http404("No such action")
    form = ActionForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _answer(request, actions.Outcome(False, f"Not done: {first}", pk))
    data = form.cleaned_data
    try:
        if action in actions.STATUS_ACTIONS:
            outcome = actions.comment_moderate(comment_id=pk, actor=request.user, action=action,
                                               expected=data["expected"] or None)
        elif action == "edit":
            outcome = actions.comment_moderator_edit(comment_id=pk, actor=request.user, body=data["body"])
        elif action == "reply":
            outcome = actions.comment_reply(comment_id=pk, actor=request.user, body=data["body"])
        else:
            outcome = actions.commenter_flag(comment_id=pk, actor=request.user, kind=action,
                                             reason=data["reason"], expires_at=data["expires_at"])
    except PermissionError:
        return _forbidden(request)
    return _answer(request, outcome)


@require_POST
@moderator_required
def bulk(request):
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _answer(request, actions.Outcome(False, "Choose an action and at least one comment."))
    outcomes = actions.comments_moderate(comment_ids=form.cleaned_data["ids"], actor=request.user,
                                         action=form.cleaned_data["action"])
    done = sum(o.ok for o in outcomes)
    skipped = [o.message for o in outcomes if not o.ok]
    message = f"{done} comment{'s' if done != 1 else ''} done." + (
        f" {len(skipped)} skipped: {skipped[0]}" if skipped else "")
    if _wants_json(request):
        return JsonResponse({
            "ok": done > 0, "message": message, "results": [asdict(o) for o in outcomes],
            "counts": selectors.queue_counts(request.moderation_scope),
        })
    (messages.success if done else messages.warning)(request, message)
    return _back(request, reverse("moderation:queue"))


@require_POST
@moderator_required
def undo(request):
    raw = request.POST.get("event", "")
    try:
        outcome = actions.moderation_undo(actor=request.user, event_id=int(raw) if raw.isdigit() else None)
    except PermissionError:
        return _forbidden(request)
    return _answer(request, outcome)


@require_GET
@moderator_required
def detail(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("post", "parent", "user"), pk=pk)
    if not actions.can_moderate(request.user, comment):
        raise PermissionDenied("Not yours to moderate.")
    selectors.attach_histories([comment], request.moderation_scope)
    comment.row_actions = ROW_ACTIONS[comment.status]
    return render(request, "moderation/detail.html", {
        "comment": comment,
        "events": selectors.comment_timeline(comment),
        **_nav(request),
    })


@require_GET
@moderator_required
def author(request):
    email = request.GET.get("email", "").strip()[:100]
    ip = request.GET.get("ip", "").strip()[:45]
    user_id = request.GET.get("user", "")
    user_id = int(user_id) if user_id.isdigit() else None
    if ip:
        import ipaddress

        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            ip = ""
    comments = list(selectors.author_comments(scope=request.moderation_scope, email=email, ip=ip,
                                              user_id=user_id)[:200])
    # Flags are site-wide decisions: shown to moderators, not to authors (whose page lists
    # only the comments on their own posts).
    flags = (CommenterFlag.objects.active().matching(email=email, ip=ip or None, user_id=user_id)
             if actions.is_site_moderator(request.user) else CommenterFlag.objects.none())
    return render(request, "moderation/author.html", {
        "email": email, "ip": ip, "user_id": user_id, "comments": comments,
        "latest": comments[0] if comments else None, "flags": list(flags),
        **_nav(request),
    })


@require_GET
@moderator_required
def dashboard(request):
    scope = request.moderation_scope
    return render(request, "moderation/dashboard.html", {
        "stats": dashboard_stats.dashboard(scope=scope),
        **_nav(request),
    })
