"""A moderator follows the one-click link from an e-mail in a real browser."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from blog.comments.models import Comment
from blog.moderation import oneclick
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_moderator_confirms_a_one_click_spam_link(page, live_server):
    moderator = UserFactory(username="mod", email="mod@example.com")
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    comment = CommentFactory(post=PostFactory(author=UserFactory(username="writer")), status="pending",
                             body="Cheap watches here")
    path = oneclick.link(comment, "spam", moderator).split("/moderation/", 1)[1]
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/moderation/{path}")
    expect(page.get_by_role("heading", name="Spam this comment?")).to_be_visible()
    expect(page.locator("blockquote")).to_contain_text("Cheap watches here")
    assert Comment.objects.get(pk=comment.pk).status == "pending"  # opening the link changed nothing
    page.locator("#oneclick-submit").click()
    expect(page.locator(".oneclick-done")).to_have_text("Done.")
    expect(page.locator(".comment-status")).to_have_text("Spam")
    assert Comment.objects.get(pk=comment.pk).status == "spam"
    assert [e for e in errors if "Content Security Policy" in e] == []  # no inline script or style
