"""`{% load comments %}{% comment_section post %}`: the comment section under a post, as
django-contrib-comments does it. The publishing app's template places it; the comments
app fills it, so blog never imports comments. A refused submission's bound form and
message come from the template context (`comment_form`, `comment_error`), the comment
page from `comment_cpage`."""

from django import template

from blog.comments.section import comment_section_context
from config.helpers import defer_html

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, post):
    request = context["request"]
    section = comment_section_context(request, post, cpage=context.get("comment_cpage"),
                                      form=context.get("comment_form"), error=context.get("comment_error", ""))
    if "comment_thread" in section:  # a long thread is spliced in after rendering (config.helpers.defer_html)
        section["comment_thread"] = defer_html(request, section["comment_thread"])
    return {"request": request, "user": context.get("user"), "post": post, **section}
