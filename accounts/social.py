"""Social login as the comment form sees it: which providers to offer, and the draft kept
server-side while a reader goes to the provider and back (DESIGN §4: never lose a word)."""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse

from accounts import signals
from accounts.avatars import is_local_picture

# The comment form's names for providers (DESIGN §7 uses "twitter") and allauth's ids.
PUBLIC_IDS = {"twitter_oauth2": "twitter"}
ALLAUTH_IDS = {public: internal for internal, public in PUBLIC_IDS.items()}
ORDER = ["google", "twitter", "facebook"]
NAMES = {"twitter": "X (Twitter)"}

# Fields of form#commentform that a login round trip must keep (DESIGN §7 names).
DRAFT_FIELDS = ("comment", "author", "email", "url", "comment_parent")
DRAFT_FLAGS = ("subscribe_comments", "subscribe_blog", "wp-comment-cookies-consent")
DRAFT_MAX_CHARS = 65525
_SESSION_KEY = "comment_drafts"


def comment_providers(request: HttpRequest) -> list[dict]:
    """Configured providers as [{"id": "google", "name": "Google", "login_url": "..."}].

    A provider without credentials has no app and is not listed. `id` is the value the
    form posts as `provider` and the `data-provider` of its button; openid_connect apps
    appear under their own provider_id.
    """
    result = []
    for provider in get_adapter().list_providers(request):
        public_id = PUBLIC_IDS.get(provider.sub_id, provider.sub_id)
        result.append({
            "id": public_id,
            "name": NAMES.get(public_id, provider.name),
            "login_url": provider.get_login_url(request),
        })
    result.sort(key=lambda p: (ORDER.index(p["id"]) if p["id"] in ORDER else len(ORDER), p["name"]))
    return result


def get_provider(request: HttpRequest, public_id: str):
    """The allauth provider behind a form's `provider` value, or None if not configured."""
    if not public_id or len(public_id) > 100:
        return None
    try:
        return get_adapter().get_provider(request, ALLAUTH_IDS.get(public_id, public_id))
    except (SocialApp.DoesNotExist, SocialApp.MultipleObjectsReturned, ImproperlyConfigured):
        return None


def provider_display_name(request: HttpRequest, allauth_id: str) -> str:
    public_id = PUBLIC_IDS.get(allauth_id, allauth_id)
    if public_id in NAMES:
        return NAMES[public_id]
    provider = get_provider(request, public_id)
    return provider.name if provider else allauth_id.replace("_", " ").title()


def comment_form_page(post_id: int) -> str | None:
    """The path of the page whose comment form names `post_id`, or None if no post takes
    comments under that id. accounts cannot look posts up (it sits below the blog), so it
    asks: the comments app answers accounts.signals.comment_form_page."""
    for _receiver, page in signals.comment_form_page.send(sender=None, post_id=post_id):
        if page:
            return page
    return None


def draft_from_post_data(data) -> dict:
    """The reader's unsent comment form, cut to the fields and sizes the form accepts."""
    draft = {field: str(data.get(field, ""))[:DRAFT_MAX_CHARS if field == "comment" else 500]
             for field in DRAFT_FIELDS}
    draft.update({flag: bool(data.get(flag)) for flag in DRAFT_FLAGS})
    return draft


def store_draft(request: HttpRequest, *, post_id: int, draft: dict) -> None:
    """Keep `draft` for `post_id` in the session (it survives the login's session rotation)."""
    drafts = dict(request.session.get(_SESSION_KEY) or {})
    drafts[str(post_id)] = draft
    # Only the latest few posts: a session is not a storage service.
    request.session[_SESSION_KEY] = dict(list(drafts.items())[-5:])


def pop_draft(request: HttpRequest, post) -> dict:
    """The draft saved for `post` (the Post whose form is shown; only its pk is read) before
    a login round trip, removed from the session. The comments app calls it while building
    the form, so a draft only ever comes back in the form of the post it was written for.

    Returns {} when there is none, else {"comment", "author", "email", "url",
    "comment_parent", "subscribe_comments", "subscribe_blog", "wp-comment-cookies-consent"}:
    use it as the comment form's initial data.
    """
    drafts = request.session.get(_SESSION_KEY) or {}
    if str(post.pk) not in drafts:
        return {}
    drafts = dict(drafts)
    draft = drafts.pop(str(post.pk))
    request.session[_SESSION_KEY] = drafts
    return draft


def identity(request: HttpRequest) -> dict:
    """Who is commenting, for the identity block and accounts/identity/ (no e-mail: it is
    never shown publicly and this endpoint needs none)."""
    user = request.user
    if not user.is_authenticated:
        return {"authenticated": False}
    provider = request.session.get("comment_provider") or ""
    if not provider:
        account = user.socialaccount_set.order_by("-last_login").first()
        provider = account.provider if account else ""
    return {
        "authenticated": True,
        "name": user.public_name,
        "avatar_url": user.avatar_url if is_local_picture(user.avatar_url) else "",  # never a provider's host
        "provider": PUBLIC_IDS.get(provider, provider),
        "provider_name": provider_display_name(request, provider) if provider else "",
        "logout_url": reverse("accounts:comment-logout"),
        "profile_url": reverse("accounts:profile"),
    }
