"""Signals the comments app sends to the layers above it (blog.moderation), which connect
their receivers in `AppConfig.ready()`. Sent inside the saving transaction: a receiver
that queues work must do it after commit (config.helpers.enqueue_on_commit).

comment_submitted(sender=Comment, comment)
    A reader's comment was saved, pending and unchecked.
comment_edited(sender=Comment, comment)
    A reader edited their comment; it is pending and unchecked again.

Both mean "this comment needs screening". Nothing else queues screening, so a receiver
that is not connected leaves comments unchecked (tests/blog/comments check it is).
"""

from django.dispatch import Signal

comment_submitted = Signal()
comment_edited = Signal()
