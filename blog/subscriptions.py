"""Reader subscriptions: create (double opt-in for guests), confirm, unsubscribe, and who
should hear about an approved comment. Placeholder until the Leave a Reply work lands."""

from blog.models import Subscription


def subscribers_for_comment(comment) -> list[Subscription]:
    """Active subscriptions that an approved `comment` should notify (never its author)."""
    return []


def unsubscribe_url(subscription: Subscription) -> str:
    """Absolute one-click unsubscribe URL (also used for List-Unsubscribe)."""
    return ""
