"""Akismet, optional: used only when settings.AKISMET_API_KEY is set.

Akismet is an edge we cannot trust to answer: every call has a short timeout, and a failed
comment-check never loses a comment — the pipeline holds it with the reason instead. The
moderators' spam/ham decisions are sent back (submit-spam / submit-ham) so it learns too.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings

from config.helpers import absolute_url

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 5)  # connect, read (seconds)


def enabled() -> bool:
    return bool(getattr(settings, "AKISMET_API_KEY", ""))


def _endpoint(call: str) -> str:
    base = getattr(settings, "AKISMET_ENDPOINT", "") or "https://rest.akismet.com/1.1"
    return f"{base.rstrip('/')}/{call}"


def _params(comment) -> dict:
    return {
        "api_key": settings.AKISMET_API_KEY,
        "blog": settings.SITE_URL,
        "user_ip": comment.ip or "",
        "user_agent": comment.user_agent or "",
        "permalink": absolute_url(comment.post.get_absolute_url()),
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.isoformat(),
        "blog_charset": "UTF-8",
    }


def check(comment) -> str | None:
    """"spam", "ham", "error: <why>" when the check failed, or None when Akismet is off."""
    if not enabled():
        return None
    try:
        response = requests.post(_endpoint("comment-check"), data=_params(comment), timeout=TIMEOUT)
    except requests.Timeout:
        return "error: timed out"
    except requests.RequestException as exc:
        return f"error: {type(exc).__name__}"
    body = response.text.strip()
    if response.status_code == 200 and body in {"true", "false"}:
        return "spam" if body == "true" else "ham"
    help_text = response.headers.get("X-akismet-debug-help", "")
    return f"error: HTTP {response.status_code} {body[:40]} {help_text[:80]}".rstrip()


def submit(comment, *, is_spam: bool) -> bool:
    """Tell Akismet about a moderator's decision; False (logged) if it did not take it."""
    if not enabled():
        return False
    call = "submit-spam" if is_spam else "submit-ham"
    try:
        response = requests.post(_endpoint(call), data=_params(comment), timeout=TIMEOUT)
        response.raise_for_status()
    except requests.RequestException:
        logger.warning("akismet %s failed for comment %s", call, comment.pk, exc_info=True)
        return False
    return True
