"""Reading the links in a test's e-mails. Signed links carry a timestamp, so a link made in
the test a second later than the mail differs from the one in the mail: compare what the
link says (the address it is signed for), not its text."""

import re

from blog.comments import links


def link_after(body: str, label: str) -> str:
    """The URL after "label: " in a mail body."""
    match = re.search(rf"{re.escape(label)}: (\S+)", body)
    assert match, f"no {label!r} link in:\n{body}"
    return match.group(1)


def address_in(url: str, *, salt: str) -> str | None:
    """The e-mail address a signed subscription link is for (None if forged)."""
    return links.email_from_token(url.rstrip("/").rsplit("/", 1)[-1], salt=salt)


def manage_link_for(body: str) -> str | None:
    return address_in(link_after(body, "Your subscriptions"), salt=links.MANAGE_SALT)


def confirm_link_for(body: str) -> str | None:
    return address_in(link_after(body, "Confirm here"), salt=links.CONFIRM_SALT)
