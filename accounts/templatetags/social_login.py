"""Template tags that let the comment form's identity block stand alone: it asks for the
providers and the identity itself instead of relying on a view's context. (The saved draft
comes back through the comment form's initial data: accounts.social.pop_draft.)"""

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
