from django.apps import AppConfig
from django.conf import settings


class MediaConfig(AppConfig):
    """Images, renditions, embeds and their facades, shortcodes."""

    name = "media"
    verbose_name = "Media"

    def ready(self):
        # Imported here: media.embeds imports the models, which need the app registry ready.
        from media.embeds import player_origins

        allow_frames_from(player_origins())


def allow_frames_from(origins: list[str]) -> None:
    """Add `origins` to the CSP frame-src (and to the report-only policy's, if there is one).

    The embed finders are the one list of player hosts, and config may not import media, so
    media extends the policy once, at start-up. This takes effect because django-csp 4
    reads settings.CONTENT_SECURITY_POLICY for every response (csp.utils.build_policy); a
    test that replaces the whole setting replaces this too. With no policy configured there
    is nothing to extend."""
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        directives = (getattr(settings, name, None) or {}).get("DIRECTIVES")
        if directives is not None:
            allowed = list(directives.get("frame-src") or [])
            directives["frame-src"] = allowed + [origin for origin in origins if origin not in allowed]
