"""An author writes and publishes a developing story in the admin, in a real Chromium."""

import xml.etree.ElementTree as ET

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from blog.models import Post


@pytest.mark.django_db(transaction=True)
def test_an_author_writes_and_publishes_a_post_with_an_update(page, live_server, author, password):
    csp_violations = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "author")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.locator("#id_title").press_sequentially("Storm closes the harbour")  # prepopulate listens to keyup
    expect(page.locator("#id_slug")).to_have_value("storm-closes-the-harbour")  # prefilled
    page.fill("#id_body", "The harbour is *closed* tonight.\n\n> Stay away from the pier.\n")
    # The live preview renders the Markdown beside the textarea, as readers will see it.
    expect(page.locator(".markdown-preview-output em")).to_have_text("closed")
    expect(page.locator(".markdown-preview-output blockquote")).to_contain_text("Stay away from the pier.")
    page.select_option("#id_status", "published")

    page.locator("#updates-group .add-row a").click()
    page.fill("#id_updates-0-body", "The ferry to the island is cancelled.")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    post = Post.objects.get(slug="storm-closes-the-harbour")
    assert post.author == author
    assert post.status == Post.Status.PUBLISHED

    page.goto(f"{live_server.url}/")
    link = page.get_by_role("link", name="Storm closes the harbour")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1.entry-title")).to_have_text("Storm closes the harbour")
    expect(page.locator(".post-update")).to_contain_text("The ferry to the island is cancelled.")
    expect(page.locator(".post-update h2")).to_contain_text("UPDATE:")
    assert_accessible(page)  # the post page, then the home page, in both colour schemes
    page.goto(f"{live_server.url}/")
    assert_accessible(page)

    feed = page.request.get(f"{live_server.url}/feed/")
    assert feed.ok
    items = ET.fromstring(feed.body()).find("channel").findall("item")
    assert [item.findtext("title") for item in items] == ["Storm closes the harbour"]
    assert "The ferry to the island is cancelled." in items[0].findtext("description")
    assert csp_violations == []
    third_party = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert third_party == []  # no fonts, scripts or analytics from anyone else


def assert_accessible(page):
    """axe-core (bundled locally) finds no violation, contrast included, light and dark."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()


def _sign_in(page, live_server, password):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "author")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def _editing(page, live_server, author, password, body: str):
    """A post of `author`'s with `body`, open in the admin's change form; returns (post, its URL)."""
    post = Post.objects.create(author=author, title="Levee", slug="levee", body=body)
    _sign_in(page, live_server, password)
    change = f"{live_server.url}/admin/blog/post/{post.pk}/change/"
    page.goto(change)
    return post, change


def _autosaved(page) -> None:
    """Wait until the page's draft is in localStorage (the autosave runs on a pause in typing)."""
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('dispatch-autosave:'))")


@pytest.mark.django_db(transaction=True)
def test_the_body_an_author_typed_survives_a_reload_and_can_be_discarded(page, live_server, author, password):
    csp_violations = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    _sign_in(page, live_server, password)
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.locator("#id_body").press_sequentially("The levee *held* overnight.")
    _autosaved(page)
    page.reload()  # as if the browser had closed: nothing was saved on the server
    expect(page.locator("#id_body")).to_have_value("The levee *held* overnight.")
    expect(page.locator(".autosave-notice")).to_contain_text("Restored the text you had not saved yet")
    expect(page.locator(".markdown-preview-output em")).to_have_text("held")  # the preview follows
    page.locator(".autosave-discard").click()
    expect(page.locator("#id_body")).to_have_value("")
    page.reload()
    expect(page.locator(".autosave-notice")).to_have_count(0)
    assert csp_violations == []


@pytest.mark.django_db(transaction=True)
def test_saving_the_post_clears_its_autosaved_draft(page, live_server, author, password):
    post, change = _editing(page, live_server, author, password, "Saved text.")
    page.fill("#id_body", "Saved text. And more.")
    page.locator("#id_body").press("End")  # an input event after fill, as typing gives
    page.locator("#id_body").press_sequentially("!")
    _autosaved(page)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    post.refresh_from_db()
    assert post.body == "Saved text. And more.!"
    page.goto(change)
    expect(page.locator("#id_body")).to_have_value("Saved text. And more.!")
    expect(page.locator(".autosave-notice")).to_have_count(0)
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('dispatch-autosave:'))") == []


@pytest.mark.django_db(transaction=True)
def test_an_author_restores_an_earlier_revision_from_its_diff(page, live_server, author, password):
    post, change = _editing(page, live_server, author, password, "The levee held.")
    page.fill("#id_body", "The levee broke at dawn.")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.locator(".post-revisions-link").click()
    current, earlier = page.locator("li.revision").nth(0), page.locator("li.revision").nth(1)
    expect(current.locator("ins")).to_contain_text("The levee broke at dawn.")
    expect(current.locator("del")).to_contain_text("The levee held.")
    earlier.locator(".revision-restore").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Restored the post")
    expect(page.locator("#id_body")).to_have_value("The levee held.")
    post.refresh_from_db()
    assert post.body == "The levee held."


@pytest.mark.django_db(transaction=True)
def test_an_author_uploads_inserts_and_previews_images_a_gallery_and_a_video(page, live_server, author, password):
    from media.models import Image
    from tests.media_files import image_bytes, stored_photo

    stored_photo((800, 600), alt="The old bridge", caption="Before the flood", renditions=False)
    csp_violations = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    _sign_in(page, live_server, password)
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.fill("#id_body", "The river rose overnight.")
    page.locator(".editor-add-image").click()
    expect(page.locator(".editor-image")).to_have_count(1)

    # Upload: alt text first, then the file goes through the server's Pillow checks.
    page.set_input_files("#editor-image-file", {"name": "quay.jpg", "mimeType": "image/jpeg",
                                                "buffer": image_bytes((640, 480))})
    page.locator(".editor-upload-button").click()
    expect(page.locator(".editor-media-status")).to_contain_text("alt text")
    page.fill("#editor-image-alt", "The quay under water")
    page.fill("#editor-image-caption", "Saturday morning")
    page.locator(".editor-upload-button").click()
    expect(page.locator(".editor-media-status")).to_contain_text("Uploaded")
    uploaded = Image.objects.get(alt="The quay under water")
    assert uploaded.caption == "Saturday morning"

    # Insert the new image (selected after its upload) at the cursor: the preview shows it.
    page.locator(".editor-insert").click()
    expect(page.locator("#id_body")).to_have_value(f'The river rose overnight.\n\n[image id="{uploaded.pk}"]\n\n')
    expect(page.locator('.markdown-preview-output img[alt="The quay under water"]')).to_be_visible()
    expect(page.locator(".markdown-preview-output figcaption")).to_contain_text("Saturday morning")

    # Search, pick two: a gallery.
    page.fill("#editor-image-search", "bridge")
    expect(page.locator(".editor-image")).to_have_count(1)
    page.fill("#editor-image-search", "")
    expect(page.locator(".editor-image")).to_have_count(2)
    for box in page.locator(".editor-image input[type=checkbox]").all():
        box.check()
    page.locator(".editor-insert").click()
    expect(page.locator(".markdown-preview-output .gallery figure")).to_have_count(2)

    # A video URL pasted alone on its line: its privacy-first facade in the preview.
    page.locator("#id_body").press("End")
    page.locator("#id_body").press_sequentially("https://www.youtube.com/watch?v=dQw4w9WgXcQ\n")
    facade = page.locator(".markdown-preview-output figure.embed-youtube a.embed-facade")
    expect(facade).to_contain_text("plays after you click")  # nothing loads from YouTube before a click
    assert csp_violations == []
