"""A reader's browser gets the featured image at the top of a post and a small thumbnail in
lists, both as renditions served by us (WebP where the browser takes it)."""

import pytest

from tests.factories import PostFactory, UserFactory
from tests.media_files import stored_photo

pytestmark = pytest.mark.django_db(transaction=True)


def _loaded(locator) -> dict:
    return locator.evaluate("img => ({complete: img.complete, natural: img.naturalWidth, src: img.currentSrc,"
                            " shown: img.getBoundingClientRect().width, loading: img.loading})")


def test_the_browser_loads_a_small_thumbnail_on_the_home_page_and_a_large_rendition_on_the_post(
        page, live_server, monkeypatch):
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: True)  # renditions made here, no broker
    post = PostFactory(author=UserFactory(), title="Harbour", featured_image=stored_photo((1600, 900), alt="Quay"))

    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(live_server.url + "/")
    thumb = page.locator(f"#post-{post.pk} img.thumbnail")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    seen = _loaded(thumb)
    assert seen["loading"] == "lazy" and seen["shown"] < 400
    assert seen["src"].startswith(live_server.url + "/media/blog/renditions/")
    assert seen["src"].endswith(("-320w.webp", "-640w.webp"))  # never the 1600 px original

    page.goto(live_server.url + post.get_absolute_url())
    featured = page.locator("figure.featured-image img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=featured.element_handle())
    seen = _loaded(featured)
    assert seen["loading"] != "lazy" and seen["natural"] >= 640
    assert seen["src"].startswith(live_server.url + "/media/blog/renditions/") and seen["src"].endswith(".webp")
