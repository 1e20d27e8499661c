"""What the comments app does when a lower layer sends a signal (connected on import, from
CommentsConfig.ready)."""

from django.dispatch import receiver

from blog.comments import outbox
from blog.signals import post_published


@receiver(post_published, dispatch_uid="comments.announce_new_post")
def announce_new_post(sender, post, now, **kwargs) -> None:
    """New-post subscribers get one mail per post, sent by the worker after commit."""
    outbox.on_post_published(post, now=now)
