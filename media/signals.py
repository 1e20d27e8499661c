"""Signals media sends to the layers above it. Media never imports blog; when something it
made changes how a stored post body looks, it says so here and the blog app re-renders
(blog/receivers.py, connected in BlogConfig.ready()). Sent after the change is committed.

renditions_ready(sender=Image, images)
    `images` (a list of Image) have a new set of renditions: one image from the renditions
    task after an upload, or every image `regenerate_renditions` remade, in one send.
    Bodies that show them should be rendered again to offer the new `srcset`.
embed_fetched(sender=Embed, embed)
    The oEmbed metadata of `embed` (title, author, local thumbnail) is stored. Bodies that
    show it should be rendered again to show its title and thumbnail.

Either may be sent again for the same images or embed (a task that runs twice, a command
run again): receivers must be idempotent. Nothing else re-renders bodies, so a receiver
that is not connected leaves galleries without renditions and embeds without titles
(tests/media/test_tasks.py and tests/media/test_embeds.py check that they are).
"""

from django.dispatch import Signal

renditions_ready = Signal()
embed_fetched = Signal()
