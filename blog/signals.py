"""Signals the blog sends to the layers above it (blog.comments connects its receivers in
CommentsConfig.ready). Sent inside the publishing transaction.

post_published(sender=Post, post, now)
    `post` is published and public as of `now` (publish now, the beat's scheduled
    publishing, or an admin save as published). May be sent again for the same post:
    receivers must be idempotent (the new-post mails are keyed per post and reader).
"""

from django.dispatch import Signal

post_published = Signal()
