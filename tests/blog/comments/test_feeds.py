"""Comment feeds: site-wide and per post, approved comments only, newest first."""

import pytest

from blog.comments.models import Comment
from blog.models import Post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_the_site_comment_feed_lists_approved_comments_only_newest_first(client, post):
    old = CommentFactory(post=post, body_html="<p>older words</p>")
    new = CommentFactory(post=post, body_html="<p>newer words</p>")
    CommentFactory(post=post, status=Comment.Status.PENDING, body_html="<p>pending words</p>")
    CommentFactory(post=post, status=Comment.Status.SPAM, body_html="<p>spam words</p>")
    CommentFactory(post=PostFactory(status=Post.Status.DRAFT), body_html="<p>draft words</p>")
    xml = client.get("/comments/feed/").content.decode()
    assert "older words" in xml and "newer words" in xml
    assert xml.index("newer words") < xml.index("older words")
    for hidden in ("pending words", "spam words", "draft words", old.author_email, new.author_email):
        assert hidden not in xml


def test_a_post_comment_feed_lists_that_posts_approved_comments(client, post):
    CommentFactory(post=post, body_html="<p>on this post</p>")
    CommentFactory(post=PostFactory(), body_html="<p>on another post</p>")
    CommentFactory(post=post, status=Comment.Status.PENDING, body_html="<p>not yet</p>")
    response = client.get(post.get_absolute_url() + "feed/")
    xml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    assert "on this post" in xml and "on another post" not in xml and "not yet" not in xml
