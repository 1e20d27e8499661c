"""Template tags that let the comment form's identity block stand alone: it asks for the
providers, the identity and the saved draft itself instead of relying on a view's context."""

from django import template

from accounts import social

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_providers(context) -> list[dict]:
    request = context.get("request")
    return social.comment_providers(request) if request else []


@register.simple_tag(takes_context=True)
def comment_identity(context) -> dict:
    request = context.get("request")
    return social.identity(request) if request else {"authenticated": False}


@register.simple_tag(takes_context=True)
def pop_comment_draft(context, post) -> dict:
    """The draft kept across a login round trip for `post` ({} if none); removes it."""
    request = context.get("request")
    return social.pop_draft(request, post) if request and post else {}
