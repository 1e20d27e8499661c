"""Comments in /admin/: edits go through the moderators' edit service (re-rendered, audited),
and staff authors see only the comments on their own posts, without other readers' details."""

import pytest
from django.urls import reverse

from blog.moderation.models import ModerationEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def change_form(comment, **overrides):
    data = {
        "post": comment.post_id, "parent": "", "status": comment.status, "reasons": "[]", "spam_score": "",
        "checked_at_0": "", "checked_at_1": "", "body": comment.body, "author_name": comment.author_name,
        "author_email": comment.author_email, "author_url": "", "user": "", "provider": "", "avatar_url": "",
        "ip": "", "user_agent": "", "form_age": "", "email_proof": comment.email_proof,
        "created_at_0": comment.created_at.strftime("%Y-%m-%d"), "created_at_1": comment.created_at.strftime("%H:%M:%S"),
        "edited_at_0": "", "edited_at_1": "",
    }
    return {**data, **overrides}


def test_an_admin_edit_of_the_text_rerenders_the_comment_and_is_audited(client, admin_user, post):
    comment = CommentFactory(post=post, body="Call me at 555-0100", body_html="<p>Call me at 555-0100</p>")
    client.force_login(admin_user)
    response = client.post(reverse("admin:comments_comment_change", args=[comment.pk]),
                           change_form(comment, body="[phone number removed]"))
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert comment.body == "[phone number removed]"
    assert "555-0100" not in comment.body_html and "[phone number removed]" in comment.body_html
    event = ModerationEvent.objects.get(comment=comment, action="edit")
    assert event.actor == admin_user and event.reasons[0]["text"] == "Call me at 555-0100"
