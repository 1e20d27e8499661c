"""Comment services and their pure rules: rendering, open/closed, flood, duplicate, ban,
tree position, edit window, thread_changed."""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments.models import Comment, DiscussionSettings
from blog.comments.rendering import render_comment_html
from blog.comments.services import (
    DUPLICATE_MESSAGE,
    FLOOD_MESSAGE,
    CommentRejected,
    comment_author_edit,
    comment_submit,
    comments_open,
    thread_changed,
    within_edit_window,
)
from blog.comments.tree import MAX_DEPTH, place
from blog.models import Post
from tests.factories import CommentFactory, PostFactory

NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def guest(post, **extra):
    return {"post": post, "body": "Hello there", "author_name": "Grace", "author_email": "grace@example.com",
            "ip": "10.0.0.1", **extra}


# --- rendering ---------------------------------------------------------------------------

def test_it_escapes_plain_text_and_keeps_paragraphs_and_line_breaks():
    html = render_comment_html("a < b & c\nnext line\n\nsecond paragraph")
    assert html == "<p>a &lt; b &amp; c<br>\nnext line</p><p>second paragraph</p>"


def test_it_keeps_the_small_subset_and_shows_other_markup_as_text():
    html = render_comment_html('<em>yes</em> <strong>bold</strong> <code>x</code> <q>q</q> <del>d</del> '
                               '<img src=x onerror=alert(1)><script>alert(1)</script><iframe src="//e"></iframe>'
                               '<span style="color:red">s</span>')
    for kept in ("<em>yes</em>", "<strong>bold</strong>", "<code>x</code>", "<q>q</q>", "<del>d</del>"):
        assert kept in html
    for gone in ("<img", "<script", "<iframe", "<span"):
        assert gone not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_auto_links_urls_with_nofollow_ugc_noopener():
    html = render_comment_html("See https://example.com/flood?x=1&y=2 now")
    assert '<a href="https://example.com/flood?x=1&amp;y=2" rel="nofollow ugc noopener">' in html


def test_it_does_not_link_inside_a_typed_link_and_drops_javascript_urls():
    html = render_comment_html('<a href="https://a.example">https://a.example</a> <a href="javascript:alert(1)">x</a>')
    assert html.count("<a ") == 2 and "javascript" not in html
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_it_closes_unbalanced_tags():
    assert render_comment_html("<em>open") == "<p><em>open</em></p>"


# --- pure rules --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("status", "default_open", "close_after", "age_days", "expected"),
    [
        ("default", True, 0, 400, True),
        ("default", False, 0, 1, False),
        ("open", False, 0, 1, True),
        ("closed", True, 0, 1, False),
        ("open", True, 14, 13, True),
        ("open", True, 14, 15, False),
    ],
)
def test_comments_are_open_per_post_site_default_and_age(status, default_open, close_after, age_days, expected):
    post = Post(kind=Post.Kind.POST, comment_status=status, published_at=NOW - datetime.timedelta(days=age_days))
    discussion = DiscussionSettings(comments_open_by_default=default_open, close_after_days=close_after)
    assert comments_open(post=post, discussion=discussion, now=NOW) is expected


def test_pages_never_take_comments():
    post = Post(kind=Post.Kind.PAGE, comment_status="open", published_at=NOW)
    assert comments_open(post=post, discussion=DiscussionSettings(), now=NOW) is False


def test_a_place_in_the_tree_extends_the_parent_path():
    parent = Comment(pk=7, depth=2, thread_id=3, path="0000000003/0000000007/")
    top = place(Comment(pk=12), None)
    assert (top.depth, top.thread_id, top.path) == (1, 12, "0000000012/")
    reply = place(Comment(pk=12), parent)
    assert (reply.parent, reply.depth, reply.thread_id, reply.path) == (parent, 3, 3, "0000000003/0000000007/0000000012/")


def test_a_reply_too_deep_for_the_path_hangs_from_the_deepest_ancestor_that_fits():
    chain, parent = [], None
    for pk in range(1, MAX_DEPTH + 1):
        parent = place(Comment(pk=pk), parent)
        chain.append(parent)
    reply = place(Comment(pk=99), chain[-1])
    assert reply.parent is chain[-2] and reply.depth == MAX_DEPTH
    assert len(reply.path) <= Comment._meta.get_field("path").max_length


def test_the_edit_window_is_measured_from_creation():
    comment = Comment(created_at=NOW)
    assert within_edit_window(comment=comment, now=NOW + datetime.timedelta(seconds=600), window_seconds=600)
    assert not within_edit_window(comment=comment, now=NOW + datetime.timedelta(seconds=601), window_seconds=600)


# --- services ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_submit_refuses_a_second_comment_from_the_same_ip_or_email_inside_the_interval(post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 15
    now = timezone.now()
    comment_submit(**guest(post), now=now)
    with pytest.raises(CommentRejected) as same_ip:
        comment_submit(**guest(post, body="other", author_email="x@example.com"), now=now + datetime.timedelta(seconds=5))
    with pytest.raises(CommentRejected) as same_email:
        comment_submit(**guest(post, body="other", ip="10.0.0.2"), now=now + datetime.timedelta(seconds=5))
    assert (same_ip.value.status, same_ip.value.message) == (429, FLOOD_MESSAGE)
    assert same_email.value.status == 429
    comment_submit(**guest(post, body="later"), now=now + datetime.timedelta(seconds=16))
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_a_zero_flood_interval_turns_flood_control_off(post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    comment_submit(**guest(post))
    comment_submit(**guest(post, body="again, right away"))
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_submit_refuses_the_same_text_twice_unless_the_first_was_trashed(post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    first = comment_submit(**guest(post))
    with pytest.raises(CommentRejected) as refused:
        comment_submit(**guest(post, author_email="GRACE@example.com"))
    assert (refused.value.status, refused.value.message) == (409, DUPLICATE_MESSAGE)
    Comment.objects.filter(pk=first.pk).update(status=Comment.Status.TRASH)
    comment_submit(**guest(post))


@pytest.mark.django_db
def test_the_same_text_is_a_duplicate_from_the_same_account_or_from_a_guest_without_email_by_name(post, reader,
                                                                                                 settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    comment_submit(**guest(post, author_email="", user=reader))
    with pytest.raises(CommentRejected):
        comment_submit(**guest(post, author_name="Rita", author_email="rita@example.com", user=reader))
    with pytest.raises(CommentRejected):
        comment_submit(**guest(post, author_email=""))
    comment_submit(**guest(post, author_name="Someone else", author_email=""))
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_submit_refuses_banned_commenters_by_email_ip_or_account_while_the_ban_lasts(post, reader):
    CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, ip="10.0.0.9")
    CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, user=reader)
    CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, email="old@example.com",
                                 expires_at=timezone.now() - datetime.timedelta(days=1))
    for extra in ({"ip": "10.0.0.9"}, {"user": reader}):
        with pytest.raises(CommentRejected) as refused:
            comment_submit(**guest(post, **extra))
        assert refused.value.status == 403
    assert comment_submit(**guest(post, author_email="old@example.com")).pk


@pytest.mark.django_db
def test_submit_requires_login_when_the_site_says_so(post, reader):
    discussion = DiscussionSettings.load()
    discussion.require_login = True
    discussion.save()
    with pytest.raises(CommentRejected):
        comment_submit(**guest(post))
    assert comment_submit(**guest(post, user=reader)).user == reader


@pytest.mark.django_db
def test_edit_rerenders_and_sends_an_approved_comment_back_through_the_pipeline(post,
                                                                                 django_capture_on_commit_callbacks):
    comment = CommentFactory(post=post, created_at=timezone.now())
    thread_changed(post.pk)
    version = Post.objects.get(pk=post.pk).comments_version
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment_author_edit(comment=comment, body="now with <em>emphasis</em>")
    comment.refresh_from_db()
    assert comment.body_html == "<p>now with <em>emphasis</em></p>" and comment.edited_at
    assert comment.status == Comment.Status.PENDING and comment.checked_at is None
    assert len(callbacks) == 1
    post.refresh_from_db()
    assert post.comments_version == version + 1 and post.comment_count == 0


@pytest.mark.django_db
def test_editing_a_comment_in_spam_is_taken_as_for_a_held_one_and_it_stays_in_spam(
    post, django_capture_on_commit_callbacks
):
    comment = CommentFactory(post=post, status=Comment.Status.SPAM, checked_at=timezone.now(),
                             created_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment_author_edit(comment=comment, body="edited")
    comment.refresh_from_db()
    assert comment.body == "edited" and comment.edited_at
    assert comment.status == Comment.Status.SPAM and comment.checked_at is not None
    assert not callbacks


@pytest.mark.django_db
def test_thread_changed_bumps_the_version_and_counts_approved_comments_only(post):
    CommentFactory(post=post)
    CommentFactory(post=post)
    CommentFactory(post=post, status=Comment.Status.PENDING)
    CommentFactory(post=PostFactory())
    thread_changed(post.pk)
    thread_changed(post.pk)
    post.refresh_from_db()
    assert (post.comments_version, post.comment_count) == (2, 2)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_no_classic_xss_vector_survives_rendering(data_dir):
    rsnake = data_dir / "xss" / "rsnake.txt"
    vectors = [line for line in rsnake.read_text(errors="replace").splitlines() if line.strip()]
    assert len(vectors) > 50
    for vector in vectors:
        parser = _Tags()
        parser.feed(render_comment_html(vector))
        for tag, attrs in parser.found:
            assert tag in {"p", "br", "a", "em", "strong", "code", "blockquote", "q", "del"}, vector
            assert set(attrs) <= {"href", "title", "rel"}, vector
            if "href" in attrs:
                assert attrs["href"].startswith(("http://", "https://")), vector


@pytest.mark.django_db
def test_a_reply_past_what_the_path_can_hold_attaches_to_the_deepest_ancestor_that_fits(post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    parent = None
    for _ in range(23):
        parent = CommentFactory(post=post, parent=parent)
    reply = comment_submit(**guest(post, parent=parent))
    assert reply.parent == parent.parent and reply.depth == 23 and len(reply.path) <= 255
