"""Leave a Reply in a real Chromium: the commenter's whole experience, with and without
JavaScript, plus an axe-core accessibility check (subscriptions: test_subscriptions.py)."""


import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from blog.comments.models import Comment
from blog.comments.services import thread_changed
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story(db):
    return PostFactory(title="Flood warning for the river towns")


def open_post(page, live_server, post, suffix=""):
    page.goto(live_server.url + post.get_absolute_url() + suffix)


def fill_guest(page, text, *, name="Grace Guest", email="grace@example.com"):
    page.fill("#comment", text)
    page.fill("#email", email)
    page.fill("#author", name)


def test_a_guest_sees_their_comment_awaiting_moderation_and_others_see_it_after_approval(page, live_server, story,
                                                                                         browser):
    open_post(page, live_server, story)
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    fill_guest(page, "The levee on Station Road is holding.")
    page.click("#submit")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert page.url.endswith(f"#comment-{comment.pk}")
    mine = page.locator(f"li#comment-{comment.pk}.comment.depth-1")
    expect(mine).to_contain_text("The levee on Station Road is holding.")
    expect(mine.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")

    stranger = browser.new_context().new_page()
    open_post(stranger, live_server, story)
    expect(stranger.locator(f"#comment-{comment.pk}")).to_have_count(0)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    thread_changed(story.pk)
    stranger.reload()
    expect(stranger.locator(f"div#comments ol.comment-list li#comment-{comment.pk}")).to_contain_text("Station Road")
    expect(stranger.locator(".comment-awaiting-moderation")).to_have_count(0)
    stranger.context.close()


def test_a_reply_moves_the_form_under_the_comment_and_nests(page, live_server, story):
    parent = CommentFactory(post=story, author_name="Ada")
    thread_changed(story.pk)
    open_post(page, live_server, story)
    page.click(f"#comment-{parent.pk} a.comment-reply-link")
    expect(page.locator("#reply-title")).to_contain_text("Reply to Ada")
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()
    expect(page.locator(f"#div-comment-{parent.pk} + #respond")).to_have_count(1)
    expect(page.locator("#comment")).to_be_focused()
    assert page.input_value("#comment_parent") == str(parent.pk)
    page.click("#cancel-comment-reply-link")
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    assert page.input_value("#comment_parent") == "0"
    page.click(f"#comment-{parent.pk} a.comment-reply-link")
    fill_guest(page, "Same on our side of the river.")
    page.click("#submit")
    reply = Comment.objects.get(parent=parent)
    expect(page.locator(f"li#comment-{parent.pk} > ol.children > li#comment-{reply.pk}.depth-2")).to_be_visible()


def test_an_error_keeps_the_typed_text(page, live_server, story, settings):
    settings.COMMENT_FLOOD_INTERVAL = 60
    CommentFactory(post=story, author_email="grace@example.com")
    Comment.objects.update(ip="127.0.0.1")
    open_post(page, live_server, story)
    long_text = "A long, careful account of the flooding on our street.\nSecond line."
    fill_guest(page, long_text)
    page.click("#submit")
    expect(page.locator("#comment-status")).to_contain_text("You are posting comments too quickly. Slow down.")
    assert page.input_value("#comment") == long_text
    assert page.input_value("#author") == "Grace Guest"


def test_posting_and_replying_work_with_javascript_off(browser, live_server, story):
    parent = CommentFactory(post=story, author_name="Ada")
    thread_changed(story.pk)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_post(page, live_server, story)
    page.click(f"#comment-{parent.pk} a.comment-reply-link")
    assert "replytocom" in page.url
    expect(page.locator("#reply-title")).to_contain_text("Reply to Ada")
    fill_guest(page, "Posted the old-fashioned way.")
    page.click("#submit")
    reply = Comment.objects.get(parent=parent)
    expect(page.locator(f"li#comment-{reply.pk} .comment-awaiting-moderation")).to_be_visible()
    context.close()


def test_the_post_page_has_no_serious_or_critical_accessibility_violation(page, live_server, story):
    parent = CommentFactory(post=story, author_url="https://ada.example")
    CommentFactory(post=story, parent=parent)
    thread_changed(story.pk)
    open_post(page, live_server, story)
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], results.generate_report()
    for _ in range(60):  # the form is reachable with the keyboard alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "comment":
            break
    expect(page.locator("#comment")).to_be_focused()


def test_a_typed_draft_survives_leaving_the_page_and_is_cleared_once_posted(page, live_server, story):
    open_post(page, live_server, story)
    page.fill("#comment", "Half-written thoughts about the flood.")
    page.goto(live_server.url + "/")
    open_post(page, live_server, story)
    assert page.input_value("#comment") == "Half-written thoughts about the flood."
    page.fill("#email", "grace@example.com")
    page.fill("#author", "Grace")
    page.click("#submit")
    expect(page.locator(".comment-awaiting-moderation")).to_be_visible()
    open_post(page, live_server, story)
    assert page.input_value("#comment") == ""


def test_the_browser_remembers_name_email_and_website_only_when_asked(page, live_server, story, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    open_post(page, live_server, story)
    fill_guest(page, "Remember me, please.")
    page.fill("#url", "https://grace.example")
    page.check("#wp-comment-cookies-consent")
    page.click("#submit")
    open_post(page, live_server, story)
    assert page.input_value("#author") == "Grace Guest" and page.input_value("#url") == "https://grace.example"
    expect(page.locator("#wp-comment-cookies-consent")).to_be_checked()
    page.fill("#comment", "Now forget me.")
    page.uncheck("#wp-comment-cookies-consent")
    page.click("#submit")
    open_post(page, live_server, story)
    assert page.input_value("#author") == "" and page.input_value("#email") == ""


def test_the_cached_page_sets_no_cookie_and_the_form_fetches_its_token_when_used(page, live_server, story):
    open_post(page, live_server, story)
    assert page.context.cookies() == []
    token = page.locator("#commentform input[name=csrfmiddlewaretoken]")
    expect(token).to_have_value("")
    page.focus("#comment")
    expect(token).not_to_have_value("")
    assert [c["name"] for c in page.context.cookies()] == ["csrftoken"]
    fill_guest(page, "The ferry is running again.")
    page.click("#submit")
    expect(page.locator(".comment-awaiting-moderation")).to_have_count(1)
    assert Comment.objects.get().body == "The ferry is running again."
