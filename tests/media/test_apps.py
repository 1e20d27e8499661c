"""media.apps: the CSP frame-src allows exactly the embed finders' players, so adding a
provider to the finders is all it takes for its player to load after a click."""

from urllib.parse import urlsplit

import pytest
from django.utils.html import escape

from media import embeds
from media.apps import allow_frames_from
from tests.factories import PostFactory

# One URL per finder: a new finder without a sample here fails the first test.
SAMPLES = {
    embeds.YouTubeFinder: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    embeds.VimeoFinder: "https://vimeo.com/76979871",
    embeds.DailymotionFinder: "https://www.dailymotion.com/video/x8abcd1",
    embeds.TwitterFinder: "https://x.com/nasa/status/1234567890",
    embeds.FacebookVideoFinder: "https://www.facebook.com/NASA/videos/10155/",
    embeds.SoundCloudFinder: "https://soundcloud.com/forss/flickermood",
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _frame_src(response) -> list[str]:
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "frame-src":
            return sources
    return []


def test_each_finder_names_the_origin_its_player_loads_from():
    assert {type(finder) for finder in embeds.FINDERS} == set(SAMPLES)
    for finder_class, url in SAMPLES.items():
        assert _origin(embeds.find_embed(url).player) in finder_class.player_origins, finder_class


@pytest.mark.django_db
def test_every_finders_player_is_allowed_by_the_csp_of_a_post_page(client, author):
    post = PostFactory(author=author, body="\n\n".join(SAMPLES.values()))
    response = client.get(post.get_absolute_url())
    html, frame_src = response.content.decode(), _frame_src(response)
    for url in SAMPLES.values():
        player = embeds.find_embed(url).player
        assert f'data-embed-src="{escape(player)}"' in html  # the facade is on the page...
        assert _origin(player) in frame_src  # ...and the browser may load its player
    assert frame_src == embeds.player_origins()  # and nothing else may be framed


def test_it_extends_the_policy_once_and_leaves_a_site_without_one_alone(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "frame-src": ["'self'"]}}
    allow_frames_from(["https://player.example"])
    allow_frames_from(["https://player.example"])
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] == ["'self'", "https://player.example"]
    settings.CONTENT_SECURITY_POLICY = {}
    allow_frames_from(["https://player.example"])
    assert settings.CONTENT_SECURITY_POLICY == {}
