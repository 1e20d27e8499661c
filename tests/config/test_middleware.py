"""config.middleware: public requests are small, the admin may send large uploads."""

import pytest
from django.urls import reverse

from blog.comments.models import Comment

pytestmark = pytest.mark.django_db


def test_a_public_post_larger_than_the_public_limit_is_refused_before_any_view(client, post):
    data = {"comment": "x" * (1024 * 1024 + 10), "author": "A", "email": "a@example.com",
            "comment_post_ID": post.pk, "comment_parent": 0}
    response = client.post(reverse("comments:comment-post"), data)
    assert response.status_code == 413
    assert not Comment.objects.exists()


def test_the_longest_comment_still_fits(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    data = {"comment": "é" * 65525, "author": "A", "email": "a@example.com",
            "comment_post_ID": post.pk, "comment_parent": 0}
    assert client.post(reverse("comments:comment-post"), data).status_code == 302


def test_the_admin_still_takes_a_large_upload(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:media_image_add"), {"alt": "x", "caption": "y" * (2 * 1024 * 1024)})
    assert response.status_code != 413
