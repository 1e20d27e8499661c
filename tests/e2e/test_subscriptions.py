"""Subscriptions in a real Chromium: a guest asks for new comments on the comment form,
confirms from the mail, hears exactly once about a reply a moderator approved, and stops
the mails with the one-click link from the List-Unsubscribe header; a guest who asked for
new posts hears of each once and leaves from the manage page linked in the mail.

The site runs as in production except for the broker: the tasks it queues are recorded and
then run here as a worker would (each one twice, as after a redelivery), with the locmem
mail backend standing in for SMTP."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from blog import services
from blog.comments import mail as comment_mail
from blog.comments import tasks
from blog.comments.models import Comment
from blog.moderation.actions import comment_moderate
from tests.factories import CommentFactory, PostFactory
from tests.mailbox import link_after

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBER = "sub@example.com"


@pytest.fixture
def story(db):
    return PostFactory(title="Flood warning for the river towns")


@pytest.fixture
def queued(monkeypatch):
    """Every task the site sends to the broker, as (task name, args), in order."""
    sent = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args, **kw: sent.append((task.name, args)) or True)
    return sent


def run_mail_tasks(queued) -> int:
    """Run the queued new-post fan-outs, then the send_notification tasks twice each (a
    redelivered task must not send again); returns how many mails went out. Other tasks
    (screening) are left alone."""
    for args in [args for name, args in queued if name == "blog.comments.tasks.send_new_post_notifications"]:
        tasks.send_new_post_notifications(*args)
    jobs = [args for name, args in queued if name == "blog.comments.tasks.send_notification"]
    queued.clear()
    return sum(comment_mail.deliver(*args) for args in jobs + jobs)


def mails_to(email: str) -> list:
    return [m for m in mail.outbox if email in m.to]


def comment_in(page, live_server, post, text: str, *, email: str, name: str, reply_to: int | None = None):
    page.goto(live_server.url + post.get_absolute_url())
    if reply_to:
        page.click(f"#comment-{reply_to} a.comment-reply-link")
    page.fill("#comment", text)
    page.fill("#email", email)
    page.fill("#author", name)


def test_subscribe_confirm_hear_about_an_approved_reply_once_then_unsubscribe_in_one_click(
        page, browser, live_server, story, moderator, settings, queued):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMMENT_FLOOD_INTERVAL = 0
    settings.SITE_URL = live_server.url

    comment_in(page, live_server, story, "Please keep me posted.", email=SUBSCRIBER, name="Sub")
    page.check("#subscribe_comments")
    page.click("#submit")
    expect(page.locator(".comment-awaiting-moderation")).to_be_visible()
    assert mail.outbox == []  # the request only records the mail; a task sends it
    assert run_mail_tasks(queued) == 1
    [confirm] = mails_to(SUBSCRIBER)
    assert "confirm" in confirm.subject.lower()

    page.goto(link_after(confirm.body, "Confirm here"))
    page.click("#confirm-subscription")
    expect(page.locator(".subscription-confirmed")).to_contain_text("1 subscription confirmed")
    mine = Comment.objects.get()
    assert comment_moderate(comment_id=mine.pk, actor=moderator, action="approve").ok
    run_mail_tasks(queued)
    mail.outbox.clear()

    other = browser.new_context().new_page()
    comment_in(other, live_server, story, "Same on our side of the river.", email="writer@example.com",
               name="Writer", reply_to=mine.pk)
    other.click("#submit")
    expect(other.locator(".comment-awaiting-moderation")).to_be_visible()
    other.context.close()
    reply = Comment.objects.get(parent=mine)
    assert mails_to(SUBSCRIBER) == []  # not while the reply waits for a moderator
    assert comment_moderate(comment_id=reply.pk, actor=moderator, action="approve").ok
    run_mail_tasks(queued)
    [notice] = mails_to(SUBSCRIBER)
    assert "Same on our side of the river." in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(re.fullmatch(r"<(\S+)>", notice.extra_headers["List-Unsubscribe"]).group(1))
    page.click("#confirm-unsubscribe")
    expect(page.locator(".unsubscribed")).to_be_visible()
    mail.outbox.clear()
    second = CommentFactory(post=story, parent=mine, status="pending", author_email="late@example.com",
                            body="Water is going down now.")
    assert comment_moderate(comment_id=second.pk, actor=moderator, action="approve").ok
    run_mail_tasks(queued)
    assert [m.to for m in mail.outbox] == [[story.author.email]]  # the post's author only


def test_a_guest_hears_of_each_new_post_once_and_leaves_from_the_manage_page(
        page, live_server, story, settings, queued):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    comment_in(page, live_server, story, "Keep the flood news coming.", email=SUBSCRIBER, name="Sub")
    page.check("#subscribe_blog")
    page.click("#submit")
    expect(page.locator(".comment-awaiting-moderation")).to_be_visible()
    assert run_mail_tasks(queued) == 1
    page.goto(link_after(mails_to(SUBSCRIBER)[0].body, "Confirm here"))
    page.click("#confirm-subscription")
    expect(page.locator(".subscription-confirmed")).to_contain_text("1 subscription confirmed")
    mail.outbox.clear()

    news = PostFactory(author=story.author, status="draft", title="The river is back within its banks")
    services.post_publish(post=news)
    services.post_publish(post=news)  # pressed twice
    assert run_mail_tasks(queued) == 1
    [notice] = mails_to(SUBSCRIBER)
    assert notice.subject.endswith("New post: The river is back within its banks")
    assert news.get_absolute_url() in notice.body and "List-Unsubscribe" in notice.extra_headers

    page.goto(link_after(notice.body, "Your subscriptions"))
    page.get_by_label("New posts").check()
    page.get_by_role("button", name="Unsubscribe from the checked ones").click()
    expect(page.get_by_text("New posts (unsubscribed)")).to_be_visible()
    mail.outbox.clear()
    services.post_publish(post=PostFactory(author=story.author, status="draft", title="Roads reopen"))
    run_mail_tasks(queued)
    assert mails_to(SUBSCRIBER) == []
