from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """The screening pipeline, the classifier, moderator queues and actions."""

    name = "blog.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        # Moderators' mail composers register with the comments outbox; the receivers
        # that queue screening connect to blog.comments.signals.
        from blog.moderation import mail, receivers  # noqa: F401  (registration at import)
