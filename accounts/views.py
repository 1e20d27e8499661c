"""Commenters' endpoints: login-to-comment (the no-JS and popup-blocked path), the popup's
completion page, the identity JSON the comment form fetches, log out without losing the
draft, and the profile page with data export and erasure. Thin views: the rules live in
accounts.social, accounts.adapters and accounts.services."""

from __future__ import annotations

import json
import logging

import requests
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import avatars, services, social
from accounts.adapters import is_same_site_path
from accounts.models import User
from accounts.signals import user_profile_sections
from config.helpers import csrf_protect_sessions

logger = logging.getLogger(__name__)


def _comment_form_from(data) -> tuple[int, str] | None:
    """The post id the submitted comment form names and the path of its page, or None when
    it names no post that takes comments (the comments app answers: accounts.signals)."""
    try:
        post_id = int(str(data.get("comment_post_ID", "")).strip())
    except ValueError:
        return None
    page = social.comment_form_page(post_id)
    return (post_id, page) if page else None


@csrf_protect_sessions  # its button is on a cached page (blog.page_cache) that holds no token
@require_POST
@never_cache
def comment_login(request: HttpRequest) -> HttpResponse:
    """The provider button of the comment form submits here with the whole form: keep the
    draft (text, post, parent, guest fields, subscribe choices) server-side, then start the
    provider's login with a safe `next` back to the form (or to the popup's completion page)."""
    form_at = _comment_form_from(request.POST)
    if form_at is None:
        messages.error(request, "We could not tell which post you were commenting on. Please try again.")
        return redirect("blog:home")
    post_id, page = form_at
    if request.user.is_authenticated:
        # "Change": Django flushes the session when another user logs in, which would take
        # the draft with it. Log out first, then keep the draft in the fresh session.
        logout(request)
    popup = bool(request.POST.get("popup"))
    if not popup:
        # In a popup the page keeps the text itself; a copy here would come back uninvited
        # on the reader's next visit.
        social.store_draft(request, post_id=post_id, draft=social.draft_from_post_data(request.POST))
    back = page + "#respond"
    request.session["comment_return"] = back  # the way back if the provider login fails
    provider = social.get_provider(request, str(request.POST.get("provider", "")))
    if provider is None:
        messages.error(request, "That sign-in option is not available. Your comment is still here.")
        return HttpResponseRedirect(back)
    next_url = reverse("accounts:popup-complete") if popup else back
    # This request is a CSRF-checked POST, so starting the provider redirect here is as safe
    # as allauth's own confirmation form, and spares the reader one click.
    try:
        return provider.redirect(request, process="login", next_url=next_url)
    except (requests.RequestException, OAuth2Error, ValueError, KeyError):
        # e.g. an OpenID Connect provider whose discovery document cannot be fetched.
        logger.warning("could not start the %s login", provider.name, exc_info=True)
        messages.error(request, f"We could not reach {provider.name} just now. Your comment is still here.")
        return HttpResponseRedirect(back)


@require_GET
@never_cache
def popup_complete(request: HttpRequest) -> HttpResponse:
    """Where the popup lands after the provider: its static script tells window.opener (our
    origin only) and closes; without an opener it links back."""
    # COOP for this page: accounts.middleware.PopupOpenerPolicyMiddleware.
    return render(request, "accounts/popup_complete.html", {"identity": social.identity(request)})


@require_GET
@never_cache
def identity(request: HttpRequest) -> JsonResponse:
    """The signed-in commenter's public identity for the comment form (no e-mail), with the
    CSRF token: login rotated it, and the form on the page still holds the old one."""
    return JsonResponse({**social.identity(request), "csrf_token": get_token(request)})


@require_POST
@never_cache
def comment_logout(request: HttpRequest) -> HttpResponse:
    """"Log Out" in the comment form: sign out but keep the typed comment."""
    post_id, page = _comment_form_from(request.POST) or (None, "")
    draft = social.draft_from_post_data(request.POST) if page else None
    logout(request)  # flushes the session: store the draft in the new one
    if page and draft and draft.get("comment"):
        social.store_draft(request, post_id=post_id, draft=draft)
    next_url = request.POST.get("next", "")
    if is_same_site_path(next_url):
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(page + "#respond" if page else reverse("blog:home"))


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """The commenter's own page: linked providers, then what the other apps hold (comments
    and subscriptions, through accounts.signals.user_profile_sections), export, erasure."""
    user = request.user
    context = {
        "accounts": [
            {"id": account.pk, "provider": social.provider_display_name(request, account.provider),
             "uid": account.uid}
            for account in user.socialaccount_set.all()
        ],
        "sections": [html for _receiver, html in user_profile_sections.send(sender=User, user=user, request=request)
                     if html],
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_GET
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the commenter, as a JSON download."""
    data = services.export_data(user=request.user)
    response = HttpResponse(json.dumps(data, indent=2, default=str), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="dispatch-data-{stamp}.json"'
    return response


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    """Erasure: anonymise the commenter's comments, drop subscriptions and linked accounts,
    close the account. Needs an explicit confirmation tick."""
    if not request.POST.get("confirm"):
        messages.error(request, "Tick the box to confirm that you want your data erased.")
        return redirect("accounts:profile")
    if request.user.is_staff:
        messages.error(request, "Staff accounts cannot erase themselves here; ask an administrator.")
        return redirect("accounts:profile")
    services.erase_commenter(user=request.user)
    logout(request)
    messages.success(request, "Your data has been erased and your account closed.")
    return redirect("blog:home")


@require_GET
def identicon(request: HttpRequest, hex_hash: str) -> HttpResponse:
    """An identicon by its hash (accounts.avatars): the same bytes forever, so browsers and
    proxies keep it a year; no cookie, no session, nothing about the commenter but the hash."""
    response = HttpResponse(avatars.identicon_svg_for_hash(hex_hash), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
