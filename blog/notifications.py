"""E-mail notifications, each sent once (a Notification row keyed by kind, object and
recipient). Placeholder until the pipeline work lands."""


def on_comment_approved(comment) -> None:
    """Queue the mails an approved comment triggers (post author, subscribers, commenter)."""


def on_comment_held(comment) -> None:
    """Queue the mail to moderators about a held comment."""
