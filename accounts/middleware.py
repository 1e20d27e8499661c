"""Keep the login popup connected to the page that opened it.

The site's COOP is `same-origin-allow-popups`. A popup whose chain of pages goes
our origin (COOP set) → provider (no COOP) → our callback is moved by the browser into a
new browsing context group at the first change: `window.opener` becomes null and the
popup can neither report back nor close itself. The pages on that chain (login-to-comment,
allauth's provider login/callback views and its "cancelled" page, the completion page) therefore answer with
`unsafe-none`; every other page keeps the site's policy.
"""

from __future__ import annotations

POPUP_VIEWS = {"accounts:comment-login", "accounts:popup-complete", "socialaccount_login_cancelled"}


def _on_login_chain(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.view_name in POPUP_VIEWS:
        return True
    module = getattr(match.func, "__module__", "") or ""
    return module.startswith("allauth.socialaccount.providers")


class PopupOpenerPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _on_login_chain(request):
            # Set before SecurityMiddleware (listed earlier) adds its default.
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
