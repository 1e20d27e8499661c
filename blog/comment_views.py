"""Comment endpoints and the comment section of a post page. Placeholder until the
"Leave a Reply" work lands."""

from django.http import HttpResponseNotAllowed


def comment_section_context(request, post, *, cpage=None) -> dict:
    return {}


def post_comment(request):
    return HttpResponseNotAllowed(["POST"])
