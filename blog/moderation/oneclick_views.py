"""The one-click moderation link: a confirm page on GET, the action on POST.

The signed token is the credential (the moderator may not be signed in on the device that
opens the mail), but it only acts while its moderator still has the permission.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from blog.comments.models import Comment
from blog.moderation import actions as moderation_actions
from blog.moderation import oneclick


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        data = oneclick.read_token(token)
    except signing.SignatureExpired:
        return render(request, "moderation/oneclick/invalid.html", {"why": "This link has expired."}, status=410)
    except signing.BadSignature:
        return render(request, "moderation/oneclick/invalid.html", {"why": "This link is not valid."}, status=400)
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    comment = Comment.objects.select_related("post").filter(pk=data["c"]).first()
    if user is None or not user.has_perm("comments.moderate_comment") or comment is None:
        return render(request, "moderation/oneclick/invalid.html",
                      {"why": "This link no longer applies."}, status=403 if comment else 404)
    if oneclick.is_stale(data, comment):
        # Used already, or the comment moved since the mail: say so, act on nothing.
        return render(request, "moderation/oneclick/confirm.html", {
            "comment": comment, "action": data["a"],
            "done": f"This link is stale: the comment has been decided since this mail was sent "
                    f"(it is now {comment.get_status_display().lower()}). Nothing was changed.",
        }, status=409)
    done = None
    if request.method == "POST":
        outcome = moderation_actions.comment_moderate(comment_id=comment.pk, actor=user, action=data["a"],
                                                      expected=data["s"])
        comment.refresh_from_db()
        done = "Done." if outcome.ok else f"Nothing to do. {outcome.message}"
    return render(request, "moderation/oneclick/confirm.html",
                  {"comment": comment, "action": data["a"], "done": done})
