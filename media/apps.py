from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Images, renditions, embeds and their facades, shortcodes."""

    name = "media"
    verbose_name = "Media"
