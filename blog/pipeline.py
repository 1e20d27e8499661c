"""The moderation pipeline's decision service. Placeholder until the pipeline work lands:
it only marks the comment as checked and leaves it pending for a human."""

from django.utils import timezone

from blog.models import Comment


def comment_screen(*, comment_id: int) -> str | None:
    """Decide a pending, unchecked comment. Idempotent: a comment already checked is left."""
    claimed = Comment.objects.filter(pk=comment_id, checked_at__isnull=True).update(checked_at=timezone.now())
    return "pending" if claimed else None
