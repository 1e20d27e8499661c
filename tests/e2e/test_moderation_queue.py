"""A moderator working the queue in a real Chromium: WordPress's keys (j, a, s, d, z, x, r, ?),
bulk actions and undo, all through fetch without a page reload."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from blog.comments.models import Comment
from blog.moderation.models import ModerationEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db(transaction=True)
S = Comment.Status


@pytest.fixture
def signed_in(page, live_server, moderator):
    """The moderator's browser, signed in through a session cookie (login itself is allauth's)."""
    client = Client()
    client.force_login(moderator)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    errors = []
    # Script errors, CSP refusals and failed requests (the missing favicon is not ours).
    page.on("console", lambda msg: msg.type == "error" and "Failed to load resource" not in msg.text
            and errors.append(msg.text))
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and r.status != 409
            and errors.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


@pytest.fixture
def queue(post):
    now = timezone.now()
    return [CommentFactory(post=post, status=S.PENDING, author_name=f"Writer {i}",
                           created_at=now - timedelta(minutes=10 - i)) for i in range(4)]


def _open_queue(page, live_server):
    page.goto(f"{live_server.url}/moderation/")
    expect(page.locator(".mod-list[data-ready=true]")).to_be_visible()


def _row(page, comment):
    return page.locator(f'[data-comment-id="{comment.pk}"]')


def _status(comment):
    return Comment.objects.get(pk=comment.pk).status


def test_keyboard_moderation_with_j_a_s_d_and_undo(signed_in, live_server, queue):
    page = signed_in
    _open_queue(page, live_server)
    page.evaluate("window.__marker = 'no reload'")

    page.keyboard.press("j")
    expect(_row(page, queue[0])).to_have_attribute("aria-selected", "true")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(_row(page, queue[0])).to_have_attribute("aria-selected", "true")

    page.keyboard.press("a")
    expect(_row(page, queue[0])).to_have_attribute("data-status", "approved")
    expect(_row(page, queue[1])).to_have_attribute("aria-selected", "true")
    page.keyboard.press("s")
    expect(_row(page, queue[1])).to_have_attribute("data-status", "spam")
    expect(_row(page, queue[2])).to_have_attribute("aria-selected", "true")
    page.keyboard.press("d")
    expect(_row(page, queue[2])).to_have_attribute("data-status", "trash")
    expect(page.locator('[data-count="pending"]').first).to_have_text("1")

    page.keyboard.press("z")
    expect(_row(page, queue[2])).to_have_attribute("data-status", "pending")
    expect(page.locator("#mod-status")).to_contain_text("Undone: trash.")
    expect(page.locator('[data-count="pending"]').first).to_have_text("2")

    assert [_status(c) for c in queue] == [S.APPROVED, S.SPAM, S.PENDING, S.PENDING]
    assert ModerationEvent.objects.filter(action="trash").get().undone_at is not None
    assert page.evaluate("window.__marker") == "no reload"
    assert page.errors == []


def test_an_undone_approve_can_be_unapproved_and_approved_again_by_key(signed_in, live_server, queue):
    page = signed_in
    _open_queue(page, live_server)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(_row(page, queue[0])).to_have_attribute("data-status", "approved")
    page.keyboard.press("k")
    page.keyboard.press("u")
    expect(_row(page, queue[0])).to_have_attribute("data-status", "pending")
    assert _status(queue[0]) == S.PENDING
    assert page.errors == []


def test_bulk_actions_on_selected_rows_then_undo(signed_in, live_server, queue):
    page = signed_in
    _open_queue(page, live_server)
    page.keyboard.press("j")
    page.keyboard.press("x")  # select the first row from the keyboard
    _row(page, queue[2]).locator(".mod-check").check()  # and the third by mouse
    page.select_option("#mod-bulk-action", "spam")
    page.click("[data-bulk]")
    expect(page.locator("#mod-status")).to_contain_text("2 comments done.")
    expect(_row(page, queue[0])).to_have_attribute("data-status", "spam")
    expect(_row(page, queue[2])).to_have_attribute("data-status", "spam")
    assert [_status(c) for c in queue] == [S.SPAM, S.PENDING, S.SPAM, S.PENDING]
    expect(page.locator(".mod-check:checked")).to_have_count(0)

    page.click("[data-undo]")  # one undo reverses the whole bulk action
    expect(page.locator("#mod-status")).to_contain_text("Undone: spam on 2 comments.")
    expect(_row(page, queue[0])).to_have_attribute("data-status", "pending")
    expect(_row(page, queue[2])).to_have_attribute("data-status", "pending")
    assert [_status(c) for c in queue] == [S.PENDING] * 4
    assert page.errors == []


def test_r_opens_approve_and_reply_and_question_mark_shows_help(signed_in, live_server, queue):
    page = signed_in
    _open_queue(page, live_server)
    page.keyboard.press("?")
    expect(page.locator("#mod-help")).to_be_visible()
    page.keyboard.press("?")
    expect(page.locator("#mod-help")).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("r")
    textarea = _row(page, queue[0]).locator(".mod-reply-box textarea")
    expect(textarea).to_be_focused()
    textarea.fill("Thanks for writing.")
    page.keyboard.press("a")  # typed into the textarea, not a shortcut
    _row(page, queue[0]).locator('[data-action="reply"]').click()
    expect(_row(page, queue[0])).to_have_attribute("data-status", "approved")
    reply = Comment.objects.get(parent=queue[0])
    assert reply.body == "Thanks for writing.a" and reply.status == S.APPROVED
    assert page.errors == []


def test_the_queue_works_as_plain_forms_without_javascript(browser, live_server, moderator, queue):
    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(moderator)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/moderation/")
    _row(page, queue[1]).locator('[data-action="approve"]').click()
    expect(page.locator("#mod-status")).to_contain_text("Approved.")
    assert _status(queue[1]) == S.APPROVED
    context.close()


def test_the_queue_has_no_serious_accessibility_violations(signed_in, live_server, queue):
    from axe_playwright_python.sync_playwright import Axe

    page = signed_in
    _open_queue(page, live_server)
    page.keyboard.press("j")
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
