"""Which social providers the comment form offers. Placeholder until the social login work lands."""


def comment_providers(request) -> list[dict]:
    """Configured providers as [{"id": "google", "name": "Google", "login_url": "..."}]."""
    return []
