"""allauth adapters: how a provider's profile becomes a Dispatch commenter.

Why custom: a commenter's public identity (display name, avatar, website) comes from the
provider, but an e-mail address is only worth keeping when the provider vouches for it —
an unverified address could be someone else's, and linking accounts by it would hand that
person's account to whoever typed it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts import pictures
from accounts.models import User
from accounts.tasks import store_picture
from config.helpers import client_ip, enqueue_on_commit

# Where each provider keeps the profile picture and the personal link in its user data.
_AVATAR_KEYS = ("picture", "profile_image_url", "avatar_url")
_WEBSITE_KEYS = ("website", "url", "link", "profile")


def is_same_site_path(url: str | None) -> bool:
    """True only for a plain path on this site ("/2026/01/02/slug/#respond").

    Stricter than Django's host check on purpose: no scheme, no host, no protocol-relative
    or backslash tricks (`//evil`, `/\\evil`, `https:evil`), no control characters.
    """
    if not url or not isinstance(url, str) or len(url) > 2000:
        return False
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _first(data: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, dict):  # Facebook: {"picture": {"data": {"url": ...}}}
            value = (value.get("data") or {}).get("url")
        if isinstance(value, str) and value.startswith("https://"):
            return value[:500]
    return ""


def profile_fields(extra_data: dict) -> dict[str, str]:
    """Display name, avatar URL and website from a provider's raw user data (https only).
    The avatar URL is the provider's: it is never shown, only fetched (accounts.pictures).
    OpenID Connect apps keep the claims under "userinfo"."""
    if isinstance(extra_data.get("userinfo"), dict):
        extra_data = extra_data["userinfo"]
    name = extra_data.get("name") or " ".join(
        part for part in (extra_data.get("given_name") or extra_data.get("first_name"),
                          extra_data.get("family_name") or extra_data.get("last_name")) if part
    )
    return {
        "display_name": (name or extra_data.get("username") or extra_data.get("preferred_username") or "")[:150],
        "avatar_url": _first(extra_data, _AVATAR_KEYS),
        "website": _first(extra_data, _WEBSITE_KEYS)[:200],
    }


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str) -> bool:
        """Every `next` allauth follows must be a path on this site, never another host."""
        return is_same_site_path(url)

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's login and signup rate limits count per address: the one the comment
        views use too (config.helpers.client_ip), so both see the same reader and a proxy
        rule added there reaches allauth as well. No address: refused, as allauth does."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def can_authenticate_by_email(self, login, email: str) -> bool:
        """Sign in to the account with the same address only through a provider type listed
        in SOCIALACCOUNT_EMAIL_VERIFYING_PROVIDERS (by its class, so an OpenID Connect app
        named "google" does not pass, and an app's own "email_authentication" cannot widen it)."""
        return type(login.provider).id in settings.SOCIALACCOUNT_EMAIL_VERIFYING_PROVIDERS

    def populate_user(self, request: HttpRequest, sociallogin, data) -> User:
        """Fill the new user's profile; keep the e-mail only if the provider verified it."""
        verified = [address for address in sociallogin.email_addresses if address.verified]
        sociallogin.email_addresses = verified
        data = {**data, "email": verified[0].email if verified else ""}
        user = super().populate_user(request, sociallogin, data)
        for field, value in profile_fields(sociallogin.account.extra_data or {}).items():
            if value and not getattr(user, field) and field != "avatar_url":
                setattr(user, field, value)
        if not user.display_name:
            user.display_name = (data.get("name") or "").strip()[:150]
        return user

    def save_user(self, request: HttpRequest, sociallogin, form=None) -> User:
        """A new commenter: their provider's picture is fetched by the worker after commit."""
        user = super().save_user(request, sociallogin, form)
        _queue_picture(user, sociallogin)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Remember which provider signed this reader in (the comment form names it), fill
        an existing user's empty name/website, and fetch the provider's picture when it is
        new or changed (its local URL differs from the stored one)."""
        request.session["comment_provider"] = sociallogin.account.provider
        if sociallogin.is_existing:
            user = sociallogin.user
            fields = profile_fields(sociallogin.account.extra_data or {})
            changed = [field for field, value in fields.items()
                       if value and not getattr(user, field) and field != "avatar_url"]
            for field in changed:
                setattr(user, field, fields[field])
            if changed:
                user.save(update_fields=changed)
            _queue_picture(user, sociallogin)


def _queue_picture(user: User, sociallogin) -> None:
    """Queue accounts.tasks.store_picture (after commit) when the provider gives a picture
    on an allowed host that is not yet the user's stored one."""
    url = profile_fields(sociallogin.account.extra_data or {})["avatar_url"]
    if user.pk and pictures.is_allowed(url) and user.avatar_url != pictures.local_url(url):
        enqueue_on_commit(store_picture, user.pk, url)
