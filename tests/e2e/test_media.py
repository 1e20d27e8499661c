"""A reader's browser talks to nobody but us until they click an embed; an author's bad
upload gets a clear error in the admin."""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from media.embeds import url_hash
from media.models import Embed
from media.renditions import renditions_make
from media.services import image_create
from tests.factories import PostFactory, UserFactory
from tests.media_files import SVG_WITH_SCRIPT, image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)
YT = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def media_post(monkeypatch):
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: True)  # no broker in this test
    ids = []
    for i in range(3):
        image = image_create(upload=upload(image_bytes((1400, 800), color=(40 * i, 90, 160))), alt=f"Harbour {i}")
        renditions_make(image=image)
        ids.append(str(image.pk))
    embed = Embed.objects.create(url_hash=url_hash(YT), url=YT, provider="youtube", title="Flood defences explained")
    embed.thumbnail.save("yt.jpg", ContentFile(image_bytes((480, 360))))
    body = (
        f'The river rose overnight.\n\n[gallery ids="{",".join(ids)}"]\n\n{YT}\n\n'
        "https://vimeo.com/76979871\n\nhttps://x.com/nasa/status/1234567890\n"
    )
    # Not the `author` persona: its group comes from a migration that transactional tests flush.
    return PostFactory(author=UserFactory(), body=body)


def test_nothing_leaves_127_0_0_1_until_the_reader_clicks_an_embed(page, live_server, media_post):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.route("https://www.youtube-nocookie.com/**",
               lambda route: route.fulfill(status=200, content_type="text/html", body="<title>player</title>"))
    page.goto(live_server.url + media_post.get_absolute_url())
    page.wait_for_load_state("networkidle")
    page.mouse.wheel(0, 5000)  # lazy images below the fold load too
    page.wait_for_load_state("networkidle")

    hosts = {urlsplit(u).hostname for u in requests if not u.startswith("data:")}
    assert hosts == {"localhost"} or hosts == {"127.0.0.1"}, hosts
    assert any("/static/media/embeds.js" in u for u in requests)
    expect(page.locator("figure.embed")).to_have_count(3)
    expect(page.locator("iframe")).to_have_count(0)
    expect(page.locator(".gallery picture")).to_have_count(3)

    facade = page.locator("figure.embed-youtube .embed-facade")
    expect(facade).to_contain_text("Flood defences explained")
    expect(facade).to_have_attribute("href", YT)  # without JavaScript: a plain link to the video
    with page.expect_request(lambda r: urlsplit(r.url).hostname == "www.youtube-nocookie.com"):
        facade.click()  # only now does the browser talk to the provider
    frame = page.locator("figure.embed-youtube iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1")
    expect(frame).to_have_attribute("title", "Flood defences explained")
    expect(frame).to_have_attribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups")
    later = {urlsplit(u).hostname for u in requests}
    assert not later & {"www.youtube.com", "i.ytimg.com", "player.vimeo.com", "platform.twitter.com"}
    expect(page.locator("iframe")).to_have_count(1)  # the other embeds stay facades


def test_a_bad_upload_in_the_admin_shows_a_clear_error(page, live_server, admin_user, password):
    page.goto(live_server.url + "/admin/login/?next=/admin/media/image/add/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page).to_have_url(live_server.url + "/admin/media/image/add/")
    page.set_input_files("#id_file", files=[{"name": "logo.svg", "mimeType": "image/svg+xml",
                                             "buffer": SVG_WITH_SCRIPT}])
    page.fill("#id_alt", "Our logo")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("SVG images are not accepted (they can carry scripts)")
    expect(page.locator("#id_alt")).to_have_value("Our logo")

    page.set_input_files("#id_file", files=[{"name": "harbour.jpg", "mimeType": "image/jpeg",
                                             "buffer": image_bytes((640, 480))}])
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


def test_the_demo_post_loads_without_any_third_party_request(page, live_server, monkeypatch):
    import io

    from django.core.management import call_command

    from blog.models import Post

    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: True)  # no broker in this test
    call_command("seed_demo", stdout=io.StringIO())
    story = Post.objects.get(slug="river-flooding-live-updates")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + story.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert {urlsplit(u).hostname for u in requests} <= {"localhost", "127.0.0.1"}, requests
    expect(page.locator("figure.embed-youtube .embed-facade")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)
