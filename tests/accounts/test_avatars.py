"""Avatars: a local identicon by default, the provider picture when there is one, Gravatar
only when the site enables it."""

from accounts.avatars import avatar_for, identicon_svg


def test_the_identicon_is_stable_per_address_and_differs_between_addresses():
    assert identicon_svg("ann@example.com") == identicon_svg(" ANN@example.com ")
    assert identicon_svg("ann@example.com") != identicon_svg("bob@example.com")
    assert identicon_svg("ann@example.com").startswith("<svg")


def test_by_default_no_third_party_url_and_no_email_in_the_page(settings):
    settings.GRAVATAR_ENABLED = False
    url = avatar_for(email="ann@example.com", name="Ann")
    assert url.startswith("data:image/svg+xml,") and "ann" not in url


def test_the_provider_picture_wins(settings):
    assert avatar_for(email="a@example.com", name="A", picture="/media/a.png") == "/media/a.png"


def test_gravatar_only_when_enabled(settings):
    settings.GRAVATAR_ENABLED = True
    assert avatar_for(email="ann@example.com", name="Ann").startswith("https://secure.gravatar.com/avatar/")
