"""State changes (writes), named <entity>_<action>: keyword-only, atomic, side effects
queued after commit."""

from django.db import transaction
from django.utils import timezone

from blog.models import Post


@transaction.atomic
def post_publish_due(*, now=None) -> int:
    """Publish every scheduled post whose time has come; returns how many."""
    now = now or timezone.now()
    return Post.objects.due(now).update(status=Post.Status.PUBLISHED)
