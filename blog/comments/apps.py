from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Leave a Reply: comments, threads, subscriptions and the mail outbox."""

    name = "blog.comments"
    label = "comments"
    verbose_name = "Comments"

    def ready(self):
        from blog.comments import receivers  # noqa: F401  (connects on import)
