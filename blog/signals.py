"""Signals the blog sends to the layers above it (blog.comments connects its receivers in
CommentsConfig.ready). Sent inside the publishing transaction.

post_published(sender=Post, post, now)
    `post` is published and public as of `now` (publish now, the beat's scheduled
    publishing, or an admin save as published). May be sent again for the same post:
    receivers must be idempotent (the new-post mails are keyed per post and reader).

post_updated(sender=PostUpdate, update, now)
    A dated update was added to a public post and its time has come (`update.published_at
    <= now`): blog.services.post_update_save, which the admin's "dated updates" use. Sent
    once per new update; an update edited later is not sent again. Receivers must be
    idempotent all the same (the followers' mails are keyed per update and reader).
"""

from django.dispatch import Signal

post_published = Signal()
post_updated = Signal()
