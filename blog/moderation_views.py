"""Moderator queues. Placeholder: the queue work fills this in."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse


@permission_required("blog.moderate_comment")
def queue(request):
    return HttpResponse("Moderation queues")
