"""The comment endpoints through the Django test client: posting, refusals that keep the
typed text, the reader's own pending comment, replies, paging, edit and report."""

import datetime
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import CommenterFlag
from blog.comments.forms import sign_timestamp
from blog.comments.models import Comment, CommentReport, DiscussionSettings
from blog.comments.services import thread_changed
from blog.comments.threads import comment_url
from blog.demo import add_demo_comments
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def form_data(post, **overrides):
    data = {
        "comment": "The bridge on Mill Street is closed again.",
        "author": "Grace Guest",
        "email": "grace@example.com",
        "url": "",
        "comment_post_ID": post.pk,
        "comment_parent": 0,
    }
    return {**data, **overrides}


def submit(client, post, **overrides):
    return client.post(reverse("comments:comment-post"), form_data(post, **overrides))


def test_the_post_page_shows_the_leave_a_reply_form(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'id="comments"' in html and 'id="respond"' in html
    assert '<h3 id="reply-title"' in html and "Leave a Reply" in html
    form = html[html.index('<form action="/comments/post/"'):]
    assert form.index('id="comment"') < form.index("Fill in your details below or click an icon to log in")
    assert form.index("Fill in your details") < form.index('id="email"') < form.index('id="author"')
    for hook in ('id="url"', 'id="comment_post_ID"', 'id="comment_parent"', 'id="subscribe_comments"',
                 'id="subscribe_blog"', 'id="submit"', 'value="Post Comment"', "csrfmiddlewaretoken",
                 "Save my name, email, and website in this browser for the next time I comment.",
                 "Notify me of new comments via email.", "Notify me of new posts via email."):
        assert hook in form


def test_it_saves_a_guest_comment_as_pending_and_redirects_to_it(client, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(client, post)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING and comment.checked_at is None
    assert comment.body == "The bridge on Mill Street is closed again."
    assert comment.path == f"{comment.pk:010d}/" and comment.thread_id == comment.pk and comment.depth == 1
    assert comment.ip == "127.0.0.1" and comment.form_age is None
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert len(callbacks) == 1  # the pipeline is queued only after commit


def test_the_commenter_sees_their_pending_comment_and_nobody_else_does(client, post):
    submit(client, post)
    comment = Comment.objects.get()
    own = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in own
    assert "Your comment is awaiting moderation." in own
    other = Client().get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in other
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    thread_changed(post.pk)
    other = Client().get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in other and "awaiting moderation" not in other


def test_the_commenter_sees_their_comment_in_spam_exactly_as_a_held_one(client, post):
    submit(client, post)
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING, checked_at=datetime.datetime.now(datetime.UTC))
    held = client.get(post.get_absolute_url()).content.decode()
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    spammed = client.get(post.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in spammed
    item = re.compile(rf'<li id="comment-{comment.pk}".*?</article>', re.S)
    assert item.search(spammed).group() == item.search(held).group()
    other = Client().get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in other


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"comment": "   "}, "Please type your comment."),
        ({"email": ""}, "Please fill in your email address."),
        ({"author": ""}, "Please fill in your name."),
        ({"email": "not-an-address"}, "Please enter a valid email address."),
        ({"url": "javascript:alert(1)"}, "Please enter a valid website address"),
        ({"author": "n" * 246}, "Your name is too long."),
        ({"hp_website": "http://spam.example"}, "Your comment could not be posted."),
        ({"comment_parent": "abc"}, "Enter a whole number."),
        ({"comment": "x" * 65526}, "Your comment is too long."),
    ],
)
def test_a_bad_form_comes_back_with_the_message_and_the_typed_text(client, post, overrides, message):
    response = submit(client, post, **{"comment": "My carefully typed thoughts", **overrides})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    if "comment" not in overrides:
        assert "My carefully typed thoughts" in html
    assert 'value="grace@example.com"' in html or "email" in overrides
    assert not Comment.objects.exists()


def test_it_refuses_a_duplicate_with_409_and_keeps_the_text(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    Comment.objects.all().delete()
    submit(client, post)
    response = submit(client, post)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Duplicate comment detected; it looks as though you&#x27;ve already said that!" in html
    assert "The bridge on Mill Street is closed again." in html


def test_it_refuses_a_flood_with_429(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 15
    submit(client, post)
    response = submit(client, post, comment="Something else", email="other@example.com")
    assert response.status_code == 429
    assert "You are posting comments too quickly. Slow down." in response.content.decode()
    assert Comment.objects.count() == 1


def test_behind_a_trusted_proxy_one_readers_flood_does_not_stop_another_reader(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 15
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = client.post(reverse("comments:comment-post"), form_data(post), HTTP_X_FORWARDED_FOR="203.0.113.7",
                        **proxy)
    second = client.post(reverse("comments:comment-post"),
                         form_data(post, comment="Something else", email="other@example.com", author="Other"),
                         HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert first.status_code == second.status_code == 302
    assert sorted(Comment.objects.values_list("ip", flat=True)) == ["198.51.100.9", "203.0.113.7"]


def test_behind_a_trusted_proxy_an_ip_ban_stops_only_the_banned_reader(client, post, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, ip="203.0.113.7")
    banned = client.post(reverse("comments:comment-post"), form_data(post), REMOTE_ADDR="10.0.0.2",
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = client.post(reverse("comments:comment-post"), form_data(post, email="o@example.com"),
                        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert (banned.status_code, other.status_code) == (403, 302)


def test_it_refuses_a_banned_commenter(client, post):
    CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, email="grace@example.com")
    response = submit(client, post)
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_it_refuses_comments_on_a_closed_post(client, post):
    post.comment_status = post.CommentStatus.CLOSED
    post.save()
    response = submit(client, post)
    assert response.status_code == 403
    assert "Sorry, comments are closed for this item." in response.content.decode()


def test_a_forged_post_id_or_get_answers_404_or_405_not_500(client, post):
    assert client.post(reverse("comments:comment-post"), {"comment_post_ID": "x"}).status_code == 404
    assert client.post(reverse("comments:comment-post"), {"comment_post_ID": "999999"}).status_code == 404
    assert client.get(reverse("comments:comment-post")).status_code == 405


def test_a_reply_nests_under_its_parent(client, post, settings):
    parent = CommentFactory(post=post)
    response = submit(client, post, comment_parent=parent.pk)
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert response.status_code == 302
    assert reply.parent == parent and reply.depth == 2 and reply.thread_id == parent.pk
    assert reply.path == f"{parent.pk:010d}/{reply.pk:010d}/"
    html = client.get(post.get_absolute_url()).content.decode()
    assert re.search(rf'id="comment-{parent.pk}".*?<ol class="children"><li id="comment-{reply.pk}" '
                     r'class="comment depth-2', html, re.S)


def test_it_refuses_a_reply_to_a_pending_comment_or_another_post(client, post):
    pending = CommentFactory(post=post, status=Comment.Status.PENDING)
    other = CommentFactory()
    for parent in (pending, other):
        response = submit(client, post, comment_parent=parent.pk)
        assert response.status_code == 400
        assert "Sorry, you cannot reply to that comment." in response.content.decode()


def test_replytocom_sets_the_form_up_without_javascript(client, post):
    parent = CommentFactory(post=post, author_name="Ada")
    html = client.get(post.get_absolute_url() + f"?replytocom={parent.pk}").content.decode()
    assert "Reply to Ada" in html
    assert f'name="comment_parent" value="{parent.pk}"' in html


def test_the_form_timestamp_gives_the_submit_speed(client, post):
    submit(client, post, ts=sign_timestamp(time.time() - 42))
    assert 41 < Comment.objects.get().form_age < 50


def test_comment_pages_hold_top_level_threads_and_links_land_on_the_right_page(client, post):
    discussion = DiscussionSettings.load()
    discussion.page_size = 2
    discussion.save()
    first, second, third = (CommentFactory(post=post) for _ in range(3))
    reply = CommentFactory(post=post, parent=first)
    thread_changed(post.pk)
    last_page = client.get(post.get_absolute_url()).content.decode()  # default: the last page
    assert f'id="comment-{third.pk}"' in last_page and f'id="comment-{first.pk}"' not in last_page
    page_one = client.get(post.get_absolute_url() + "comment-page-1/").content.decode()
    assert f'id="comment-{first.pk}"' in page_one and f'id="comment-{reply.pk}"' in page_one
    assert client.get(post.get_absolute_url() + "comment-page-9/").status_code == 404
    assert comment_url(reply) == f"{post.get_absolute_url()}comment-page-1/#comment-{reply.pk}"
    assert comment_url(third) == f"{post.get_absolute_url()}#comment-{third.pk}"


@pytest.mark.parametrize("count", [10, 1000])
def test_the_post_page_takes_constant_queries_whatever_the_comment_count(client, post, count,
                                                                         django_assert_max_num_queries):
    add_demo_comments(post, count)
    DiscussionSettings.load()
    # post, categories, tags, updates, top-level ids, the page's comments, configured social apps
    with django_assert_max_num_queries(7):
        response = client.get(post.get_absolute_url() + "comment-page-1/")
    assert response.status_code == 200
    assert response.content.decode().count('class="comment depth-') >= min(count, 10)


def test_the_author_can_edit_within_the_window_and_it_shows_edited(client, post, django_capture_on_commit_callbacks):
    submit(client, post)
    comment = Comment.objects.get()
    url = reverse("comments:comment-edit", args=[comment.pk])
    assert "The bridge on Mill Street" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"comment": "The bridge on *Mill Street* reopened."})
    assert response.status_code == 302 and len(callbacks) == 1
    comment.refresh_from_db()
    assert comment.edited_at is not None and comment.body == "The bridge on *Mill Street* reopened."
    assert "(edited)" in client.get(post.get_absolute_url()).content.decode()


def test_nobody_else_can_edit_and_the_window_closes(client, post):
    submit(client, post)
    comment = Comment.objects.get()
    url = reverse("comments:comment-edit", args=[comment.pk])
    assert Client().post(url, {"comment": "hijacked"}).status_code == 403
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at - datetime.timedelta(hours=1))
    assert client.post(url, {"comment": "too late"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "The bridge on Mill Street is closed again."


def test_a_reader_reports_a_comment_once_and_is_rate_limited(client, post):
    comments = [CommentFactory(post=post) for _ in range(7)]
    url = reverse("comments:comment-report", args=[comments[0].pk])
    assert 'name="reason"' in client.get(url).content.decode()
    assert client.post(url, {"reason": "abusive"}).status_code == 200
    assert client.post(url, {"reason": "spam"}).status_code == 200
    assert CommentReport.objects.filter(comment=comments[0]).count() == 1
    statuses = [client.post(reverse("comments:comment-report", args=[c.pk]), {"reason": "spam"}).status_code
                for c in comments[1:]]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert client.post(url, {"reason": "nonsense"}).status_code in (200, 400)


def test_the_fields_at_fault_are_marked_for_screen_readers(client, post):
    html = submit(client, post, email="nope").content.decode()
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="email"|<input[^>]*id="email"[^>]*aria-invalid="true"', html)
    assert 'role="alert" aria-live="assertive"' in html


def test_a_signed_in_reader_comments_as_their_account(client, post, reader):
    client.force_login(reader)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "You are commenting using your" in html and "Rita Reader" in html and "Log Out" in html
    assert 'id="email"' not in html
    response = client.post(reverse("comments:comment-post"), {"comment": "Signed in", "comment_post_ID": post.pk})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert (comment.user, comment.author_name, comment.author_email) == (reader, "Rita Reader", reader.email)


def test_the_post_author_gets_a_badge(client, post):
    CommentFactory(post=post, user=post.author, author_name="The Author")
    thread_changed(post.pk)
    assert "post-author-badge" in client.get(post.get_absolute_url()).content.decode()


def test_replytocom_ignores_comments_one_cannot_answer(client, post):
    pending = CommentFactory(post=post, status=Comment.Status.PENDING)
    html = client.get(post.get_absolute_url() + f"?replytocom={pending.pk}").content.decode()
    assert "Leave a Reply" in html and 'name="comment_parent" value="0"' in html
    assert client.get(post.get_absolute_url() + "?replytocom=abc").status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [{"comment_parent": "9" * 30}, {"author": "nul\x00name"}, {"comment": "nul\x00text"}, {"url": "http://[::1"},
     {"email": "a@" + "b" * 300 + ".com"}],
)
def test_hostile_input_gets_an_answer_never_a_500(client, post, overrides):
    assert submit(client, post, **overrides).status_code == 400
    assert client.post(reverse("comments:comment-post"), {"comment_post_ID": "9" * 30}).status_code == 404


def test_a_guest_returning_from_the_same_browser_with_the_same_name_and_email_is_vouched_for(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    submit(client, post)
    submit(client, post, comment="And the second bridge too.")
    first, second = Comment.objects.order_by("pk")
    assert (first.email_proof, second.email_proof) == ("typed", "browser")
    assert "grace@example.com" not in client.cookies["dispatch_commenter"].value


def test_another_browser_typing_the_same_name_and_email_is_not_vouched_for(client, post, settings):
    settings.COMMENT_FLOOD_INTERVAL = 0
    submit(client, post)
    submit(Client(), post, comment="I am Grace too.")
    assert Comment.objects.order_by("pk").last().email_proof == "typed"


def test_a_signed_in_readers_verified_address_is_proven(client, post, reader):
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    client.force_login(reader)
    submit(client, post)
    assert Comment.objects.get().email_proof == "verified"
