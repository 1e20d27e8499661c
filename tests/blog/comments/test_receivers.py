"""blog.comments.receivers: the comments app's answers to accounts' signals (export, erasure,
where a comment form lives), each proved connected through the page or function that sends it."""

import json

import pytest
import responses
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import pictures, social
from accounts.services import export_data
from blog.comments import threads
from blog.comments.models import Comment, Subscription
from blog.models import Post
from tests.factories import CommentFactory, PageFactory, jpeg

pytestmark = pytest.mark.django_db


def test_erasing_from_the_account_page_really_anonymises_the_users_comments(client, reader, post):
    signed_in = CommentFactory(post=post, user=reader, author_name="Rita", author_email=reader.email,
                               author_url="https://rita.example/", ip="203.0.113.7", body="Kept text")
    stranger = CommentFactory(post=post, author_name="Bob", author_email="bob@example.com", ip="203.0.113.7")
    client.force_login(reader)
    client.post(reverse("accounts:erase"), {"confirm": "1"})
    signed_in.refresh_from_db()
    assert (signed_in.user_id, signed_in.author_name, signed_in.author_email, signed_in.author_url,
            signed_in.ip, signed_in.body) == (None, "Anonymous", "", "", None, "Kept text")
    stranger.refresh_from_db()
    assert (stranger.author_name, stranger.ip) == ("Bob", "203.0.113.7")  # same address, another person


def test_the_export_from_the_account_page_carries_the_users_comments_and_subscriptions(client, reader, post):
    CommentFactory(post=post, user=reader, body="Exported words")
    Subscription.objects.create(kind=Subscription.Kind.ALL_COMMENTS, email=reader.email, user=reader, post=post,
                                scope=f"post:{post.pk}")
    client.force_login(reader)
    data = json.loads(client.get(reverse("accounts:export")).content)
    assert [(c["post"], c["body"]) for c in data["comments"]] == [(post.get_absolute_url(), "Exported words")]
    assert [(s["kind"], s["post"]) for s in data["subscriptions"]] == [(Subscription.Kind.ALL_COMMENTS, post.get_absolute_url())]


def test_an_export_with_nothing_held_still_names_both_sections(reader):
    data = export_data(user=reader)
    assert (data["comments"], data["subscriptions"]) == ([], [])


def test_erasure_anonymises_guest_comments_left_with_any_of_the_accounts_addresses(client, reader, post):
    EmailAddress.objects.create(user=reader, email="rita@elsewhere.example", verified=True, primary=False)
    as_guest = CommentFactory(post=post, author_email="Rita@Elsewhere.example", provider="")
    other = CommentFactory(post=post, author_email="bob@example.com")
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email="rita@elsewhere.example", scope="site")
    client.force_login(reader)
    client.post(reverse("accounts:erase"), {"confirm": "1"})
    assert Comment.objects.get(pk=as_guest.pk).author_email == ""
    assert Comment.objects.get(pk=other.pk).author_email == "bob@example.com"
    assert not Subscription.objects.exists()


def test_login_to_comment_finds_a_posts_form_on_the_post_page(post):
    assert social.comment_form_page(post.pk) == post.get_absolute_url()


def test_login_to_comment_finds_no_form_for_a_page_or_an_unknown_id(post):
    assert social.comment_form_page(PageFactory(author=post.author).pk) is None
    assert social.comment_form_page(post.pk + 1000) is None


def test_erasure_deletes_guest_subscriptions_of_the_accounts_address_in_any_letter_case(client, reader, post):
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email=reader.email.upper(), scope="site")
    client.force_login(reader)
    client.post(reverse("accounts:erase"), {"confirm": "1"})
    assert not Subscription.objects.exists()


def test_the_profile_page_shows_the_readers_comments_and_subscriptions(client, reader, post):
    CommentFactory(post=post, user=reader, body="My first comment")
    CommentFactory(post=post, body="Someone else's comment")
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email=reader.email, user=reader, scope="site")
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="my-comments"' in html and "My first comment" in html and f"{post.title}</a>" in html
    assert "Someone else" not in html
    assert 'id="my-subscriptions"' in html and "New posts (awaiting confirmation)" in html


def test_a_reader_without_comments_is_told_so_on_the_profile_page(client, reader):
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "You have not commented yet." in html and "No subscriptions." in html


def test_a_stored_picture_shows_at_once_in_the_cached_threads_of_the_users_posts(reader, post):
    CommentFactory(post=post, user=reader, author_name="Rita Reader", avatar_url="")
    assert "/media/avatars/" not in threads.thread_page(Post.objects.get(pk=post.pk), page=None).html  # now cached
    picture = "https://lh3.googleusercontent.com/a/rita"
    with responses.RequestsMock() as mock:
        mock.get(picture, body=jpeg())
        stored = pictures.picture_store(user_id=reader.pk, url=picture)
    assert f'src="{stored}"' in threads.thread_page(Post.objects.get(pk=post.pk), page=None).html
