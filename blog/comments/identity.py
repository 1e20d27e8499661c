"""What proves that a commenter owns the e-mail address on a comment (README "Privacy and
identity"). A typed address proves nothing: anyone can type a regular's or a moderator's
address. It counts as theirs only when

- it is a verified address of the signed-in account (a provider that verifies addresses,
  or allauth's mailed verification link): `EmailProof.VERIFIED`; or
- this browser holds the signed cookie it was given when it posted a comment with the same
  name and e-mail before: `EmailProof.BROWSER` (WordPress trusts name + e-mail alone; the
  cookie ties them to the browser that wrote the earlier comment).

The moderation pipeline counts earlier approved comments and trust by e-mail only for
those (blog.moderation.pipeline.comment_facts).
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.services import verified_emails
from blog.comments.models import EmailProof

RETURNING_COOKIE = "dispatch_commenter"
RETURNING_SALT = "blog.comments.identity.returning"
RETURNING_MAX_AGE = 365 * 24 * 3600


def _digest(name: str, email: str) -> str:
    # A keyed hash: the cookie holds neither the name nor the address, and cannot be forged.
    return salted_hmac(RETURNING_SALT, f"{name.strip().lower()}\n{email.strip().lower()}").hexdigest()


def email_proof(request, *, user, name: str, email: str) -> str:
    """How the author of a comment being posted with `name` and `email` proved the address."""
    if not email:
        return EmailProof.TYPED
    if user is not None:
        return EmailProof.VERIFIED if email.strip().lower() in verified_emails(user=user) else EmailProof.TYPED
    held = request.get_signed_cookie(RETURNING_COOKIE, default="", salt=RETURNING_SALT, max_age=RETURNING_MAX_AGE)
    return EmailProof.BROWSER if held and constant_time_compare(held, _digest(name, email)) else EmailProof.TYPED


def remember_commenter(response, *, name: str, email: str) -> None:
    """Give this browser the cookie that vouches for `name` and `email` next time."""
    if email:
        response.set_signed_cookie(RETURNING_COOKIE, _digest(name, email), salt=RETURNING_SALT,
                                   max_age=RETURNING_MAX_AGE, httponly=True, samesite="Lax",
                                   secure=settings.SESSION_COOKIE_SECURE)
