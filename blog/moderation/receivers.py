"""What moderation does when the layers below it send a signal (connected on import, from
ModerationConfig.ready)."""

from django.dispatch import receiver

from blog.comments.signals import comment_edited, comment_submitted
from blog.moderation.tasks import screen_comment
from config.helpers import enqueue_on_commit


@receiver(comment_submitted, dispatch_uid="moderation.screen_submitted")
@receiver(comment_edited, dispatch_uid="moderation.screen_edited")
def queue_screening(sender, comment, **kwargs) -> None:
    """A new or edited comment is screened by the worker once its transaction commits."""
    enqueue_on_commit(screen_comment, comment.pk)
