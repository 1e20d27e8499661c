from django.apps import AppConfig


class BlogConfig(AppConfig):
    """Publishing: posts, pages, their taxonomy, dated updates, feeds and the admin."""

    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from blog import receivers  # noqa: F401  (connects on import; needs the app registry ready)
