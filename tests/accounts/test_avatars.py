"""Avatars: a local identicon served by URL by default, the provider picture once it is
stored on our origin, Gravatar only when the site enables it."""

import re

import pytest

from accounts.avatars import avatar_for, identicon_hash, identicon_svg, identicon_url


def test_the_identicon_is_stable_per_address_and_differs_between_addresses():
    assert identicon_svg("ann@example.com") == identicon_svg(" ANN@example.com ")
    assert identicon_svg("ann@example.com") != identicon_svg("bob@example.com")
    assert identicon_svg("ann@example.com").startswith("<svg")


def test_by_default_the_avatar_is_our_own_short_url_that_names_no_address(settings):
    settings.GRAVATAR_ENABLED = False
    url = avatar_for(email="ann@example.com", name="Ann")
    assert re.fullmatch(r"/accounts/avatars/[0-9a-f]{16}\.svg", url)
    assert "ann" not in url and url == identicon_url(" Ann@Example.com")


def test_the_identicon_hash_is_keyed_by_the_secret_key(settings):
    before = identicon_hash("ann@example.com")
    settings.SECRET_KEY = "another secret key that is long enough to be one"
    assert identicon_hash("ann@example.com") != before
    assert identicon_url("ann@example.com").endswith(f"/{identicon_hash('ann@example.com')}.svg")


def test_a_picture_stored_on_our_origin_wins():
    assert avatar_for(email="a@example.com", name="A", picture="/media/avatars/a.png") == "/media/avatars/a.png"


@pytest.mark.parametrize("picture", ["https://lh3.googleusercontent.com/a/grace", "//evil.example/x.png",
                                     "http://evil.example/media/x.png"])
def test_a_providers_own_picture_url_never_reaches_the_page(settings, picture):
    settings.GRAVATAR_ENABLED = False
    assert avatar_for(email="a@example.com", name="A", picture=picture).startswith("/accounts/avatars/")


def test_gravatar_only_when_enabled(settings):
    settings.GRAVATAR_ENABLED = True
    assert avatar_for(email="ann@example.com", name="Ann").startswith("https://secure.gravatar.com/avatar/")
