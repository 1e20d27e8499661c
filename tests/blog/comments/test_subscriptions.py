"""Subscriptions: double opt-in for guests, confirm on GET / act on POST, one-click
unsubscribe (RFC 8058), the manage page from a signed link, and who hears about a comment."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from blog.comments import links, outbox, subscriptions
from blog.comments import mail as comment_mail
from blog.comments.models import Notification, Subscription
from tests.factories import CommentFactory, PostFactory
from tests.mailbox import confirm_link_for, manage_link_for

pytestmark = pytest.mark.django_db


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def queued(monkeypatch):
    """Tasks sent to the broker, as (task name, args), instead of sending them."""
    sent = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: sent.append((task.name, args)) or True)
    return sent


def send_all() -> int:
    """What the send_notification tasks do, for every recorded row."""
    return sum(comment_mail.deliver(pk) for pk in Notification.objects.order_by("pk").values_list("pk", flat=True))


def test_a_guest_subscription_waits_for_the_confirmation_mail_sent_by_a_task(
        post, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sub = subscriptions.subscription_create(email="Gus@example.com", kind=Subscription.Kind.ALL_COMMENTS,
                                                post=post)
        assert queued == []  # nothing leaves before the subscription is committed
    assert sub.confirmed_at is None
    assert mail.outbox == []  # nothing is sent in the request
    n = Notification.objects.get()
    assert (n.kind, n.recipient) == ("confirm", "gus@example.com")
    assert queued == [("blog.comments.tasks.send_notification", (n.pk,))]
    assert send_all() == 1 and send_all() == 0
    [message] = mail.outbox
    assert message.to == ["gus@example.com"] and post.title in message.body
    assert confirm_link_for(message.body) == "gus@example.com"


def test_a_confirmation_mail_for_subscriptions_confirmed_meanwhile_is_not_sent(post, queued):
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    subscriptions.subscriptions_confirm(email="gus@example.com")
    assert send_all() == 0 and mail.outbox == []
    assert Notification.objects.get().sent_at is not None


def test_a_verified_signed_in_reader_is_subscribed_at_once(post, reader, queued,
                                                           django_capture_on_commit_callbacks):
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        sub = subscriptions.subscription_create(email=reader.email, kind=Subscription.Kind.NEW_POSTS, user=reader)
    assert sub.confirmed_at is not None and sub.post is None
    assert not Notification.objects.exists() and queued == []


def test_confirming_shows_a_button_on_get_and_confirms_on_post(client, post):
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    url = path_of(links.confirm_url("GUS@example.com"))
    response = client.get(url)
    assert response.status_code == 200 and 'id="confirm-subscription"' in response.content.decode()
    assert Subscription.objects.active().count() == 0  # a mail scanner's GET changes nothing
    shown = re.findall(r'name="subscription" value="([0-9a-f-]+)"', response.content.decode())
    response = client.post(url, {"subscription": shown})
    assert "2 subscriptions confirmed" in response.content.decode()
    assert Subscription.objects.active().count() == 2


def test_confirming_confirms_exactly_what_the_page_showed(client, post, queued):
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    url = path_of(links.confirm_url("gus@example.com"))
    shown = re.findall(r'name="subscription" value="([0-9a-f-]+)"', client.get(url).content.decode())
    added_since = subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS,
                                                    post=post)
    response = client.post(url, {"subscription": shown})
    assert "1 subscription confirmed" in response.content.decode()
    assert Subscription.objects.get(pk=added_since.pk).confirmed_at is None


def test_a_forged_confirmation_token_is_refused_without_a_500(client):
    response = client.get(reverse("comments:subscription-confirm", args=["gus@example.com:forged"]))
    assert response.status_code == 400


def test_one_click_unsubscribe_confirms_on_get_and_accepts_the_rfc_8058_post(client, post):
    sub = subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    subscriptions.subscriptions_confirm(email="gus@example.com")
    url = path_of(links.unsubscribe_url(sub))
    assert 'id="confirm-unsubscribe"' in client.get(url).content.decode()
    assert Subscription.objects.active().count() == 1
    from django.test import Client

    mail_client = Client(enforce_csrf_checks=True)  # a mail client has no cookie and no token
    response = mail_client.post(url, "List-Unsubscribe=One-Click",
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Subscription.objects.active().count() == 0
    assert client.post(url).status_code == 200  # idempotent


def test_the_list_unsubscribe_headers_follow_rfc_8058(post):
    sub = subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    headers = links.list_unsubscribe_headers(sub)
    assert headers == {"List-Unsubscribe": f"<{links.unsubscribe_url(sub)}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert links.unsubscribe_url(sub).startswith("http")


def test_the_manage_page_lists_and_unsubscribes_from_a_signed_link(client, post):
    a = subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    subscriptions.subscription_create(email="other@example.com", kind=Subscription.Kind.NEW_POSTS)
    subscriptions.subscriptions_confirm(email="gus@example.com")
    url = path_of(links.manage_url("gus@example.com"))
    html = client.get(url).content.decode()
    assert post.title in html and html.count('name="unsubscribe"') == 2
    client.post(url, {"unsubscribe": [str(a.token), "not-a-uuid"]})
    assert list(Subscription.objects.active().values_list("kind", flat=True)) == ["posts"]
    assert client.get(url.replace("manage/", "manage/x")).status_code == 400


def test_following_a_post_without_commenting(client, post):
    response = client.post(reverse("comments:comment-follow"), {"post_id": post.pk, "email": "fan@example.com"})
    assert response.status_code == 200 and "confirm" in response.content.decode()
    sub = Subscription.objects.get()
    assert (sub.kind, sub.post, sub.email) == ("comments", post, "fan@example.com")
    assert client.post(reverse("comments:comment-follow"), {"post_id": post.pk, "email": ""}).status_code == 400


def test_checking_the_boxes_on_the_comment_form_subscribes(client, post, queued,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comments:comment-post"), {
            "comment": "Count me in", "author": "Gus", "email": "gus@example.com", "comment_post_ID": post.pk,
            "subscribe_comments": "on", "subscribe_kind": "replies", "subscribe_blog": "on"})
    kinds = set(Subscription.objects.values_list("kind", flat=True))
    assert kinds == {"replies", "posts"}
    assert Subscription.objects.get(kind="replies").comment.body == "Count me in"
    assert mail.outbox == []  # the request only records the mail
    confirm = Notification.objects.get(kind="confirm")
    assert ("blog.comments.tasks.send_notification", (confirm.pk,)) in queued
    send_all()
    [message] = [m for m in mail.outbox if "confirm" in m.subject.lower()]
    assert "Replies to my comment only" in message.body and "New posts" in message.body


def test_subscribers_for_a_comment_are_followers_and_ancestors_repliers_but_never_its_author(post):
    root = CommentFactory(post=post, author_email="root@example.com")
    child = CommentFactory(post=post, parent=root, author_email="child@example.com")
    reply = CommentFactory(post=post, parent=child, author_email="follower@example.com")
    other_post = PostFactory()
    for email, kind, p, c in [
        ("follower@example.com", "comments", post, None),  # the reply's own author
        ("watcher@example.com", "comments", post, None),
        ("root@example.com", "replies", post, root),
        ("child@example.com", "replies", post, child),
        ("watcher@example.com", "replies", post, child),  # deduplicated
        ("elsewhere@example.com", "comments", other_post, None),
        ("pending@example.com", "comments", post, None),
    ]:
        subscriptions.subscription_create(email=email, kind=kind, post=p, comment=c)
    Subscription.objects.exclude(email="pending@example.com").update(confirmed_at="2026-01-01T00:00Z")
    reply.refresh_from_db()
    emails = sorted(s.email for s in outbox.subscribers_for_comment(reply))
    assert emails == ["child@example.com", "root@example.com", "watcher@example.com"]


def test_confirmation_mails_to_one_address_are_throttled_and_resubscribing_asks_again(
        post, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sub = subscriptions.subscription_create(email="gus@example.com", kind="comments", post=post)
        subscriptions.subscription_create(email="GUS@example.com", kind="posts")
    assert Notification.objects.filter(kind="confirm").count() == 1 and len(queued) == 1
    send_all()
    [message] = mail.outbox
    assert manage_link_for(message.body) == "gus@example.com"
    subscriptions.subscriptions_confirm(email="gus@example.com")
    subscriptions.subscription_unsubscribe(subscription=sub)
    again = subscriptions.subscription_create(email="gus@example.com", kind="comments", post=post)
    assert again.pk == sub.pk and again.confirmed_at is None and again.unsubscribed_at is None
    assert Notification.objects.filter(kind="confirm").count() == 1  # still inside the 10 minutes


def test_a_new_confirmation_mail_may_go_out_after_ten_minutes(post, queued):
    subscriptions.subscription_create(email="gus@example.com", kind="comments", post=post)
    later = timezone.now() + timedelta(seconds=subscriptions.CONFIRM_RESEND_SECONDS - 5)
    assert subscriptions.send_confirmation("gus@example.com", now=later) is None
    later = timezone.now() + timedelta(seconds=subscriptions.CONFIRM_RESEND_SECONDS + 5)
    with time_machine.travel(later):
        subscriptions.subscription_create(email="gus@example.com", kind="posts")
    assert Notification.objects.filter(kind="confirm", recipient="gus@example.com").count() == 2
    assert send_all() == 2
    assert "New posts" in mail.outbox[1].body


def test_the_follow_form_is_rate_limited_per_ip(client, post):
    statuses = [client.post(reverse("comments:comment-follow"), {"post_id": post.pk, "email": f"f{i}@example.com"})
                .status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_typing_someone_elses_address_does_not_claim_their_subscription(post, reader, queued):
    theirs = subscriptions.subscription_create(email="victim@example.com", kind=Subscription.Kind.NEW_POSTS)
    again = subscriptions.subscription_create(email="victim@example.com", kind=Subscription.Kind.NEW_POSTS,
                                              user=reader)
    assert again.pk == theirs.pk
    assert Subscription.objects.get(pk=theirs.pk).user_id is None


def test_a_verified_address_claims_its_guest_subscription(post, reader, queued):
    EmailAddress.objects.create(user=reader, email="rita@example.com", verified=True, primary=True)
    guest = subscriptions.subscription_create(email="rita@example.com", kind=Subscription.Kind.NEW_POSTS)
    subscriptions.subscription_create(email="Rita@example.com", kind=Subscription.Kind.NEW_POSTS, user=reader)
    assert Subscription.objects.get(pk=guest.pk).user_id == reader.pk


def test_a_manage_link_expires_and_the_page_mails_a_fresh_one_to_the_same_address(client, post, queued):
    subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    url = path_of(links.manage_url("gus@example.com"))
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        page = client.get(url)
        assert page.status_code == 410 and 'id="fresh-manage-link"' in page.content.decode()
        assert "gus@example.com" not in page.content.decode()
        assert client.post(url, {"unsubscribe": [str(Subscription.objects.get().token)]}).status_code == 410
        assert Subscription.objects.get().unsubscribed_at is None
        Notification.objects.all().delete()
        mail.outbox.clear()
        client.post(url)
        client.post(url)  # asking twice the same day sends one mail
        assert send_all() == 1
    [message] = mail.outbox
    assert message.to == ["gus@example.com"]
    assert manage_link_for(message.body) == "gus@example.com"
    fresh = path_of(re.search(r"Your subscriptions: (\S+)", message.body)[1])
    assert client.get(fresh).status_code == 200


def test_following_a_story_asks_for_its_updates(client, post):
    response = client.post(reverse("comments:comment-follow"),
                           {"post_id": post.pk, "email": "fan@example.com", "kind": "updates"})
    assert response.status_code == 200 and "confirm" in response.content.decode()
    sub = Subscription.objects.get()
    assert (sub.kind, sub.post, sub.email, sub.confirmed_at) == ("updates", post, "fan@example.com", None)
    assert sub.scope == f"updates:{post.pk}"
    assert client.post(reverse("comments:comment-follow"),
                       {"post_id": post.pk, "email": "fan@example.com", "kind": "nonsense"}).status_code == 400


def test_following_a_story_and_its_comments_are_two_subscriptions(post):
    subscriptions.subscription_create(email="fan@example.com", kind=Subscription.Kind.UPDATES, post=post)
    subscriptions.subscription_create(email="fan@example.com", kind=Subscription.Kind.ALL_COMMENTS, post=post)
    assert sorted(Subscription.objects.values_list("kind", flat=True)) == ["comments", "updates"]


def test_the_post_page_offers_to_follow_the_story(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Follow this story" in html and 'name="kind" value="updates"' in html


def test_a_new_post_subscriber_chooses_updates_on_the_comment_form(client, post):
    client.post(reverse("comments:comment-post"), {
        "comment": "Keep me posted", "author": "Gus", "email": "gus@example.com", "comment_post_ID": post.pk,
        "subscribe_blog": "on", "subscribe_updates": "on"})
    assert Subscription.objects.get(kind="posts").with_updates is True


def test_a_new_post_subscriber_turns_updates_on_and_off_on_the_manage_page(client):
    sub = subscriptions.subscription_create(email="gus@example.com", kind=Subscription.Kind.NEW_POSTS)
    subscriptions.subscriptions_confirm(email="gus@example.com")
    url = path_of(links.manage_url("gus@example.com"))
    assert "Also their dated updates" in client.get(url).content.decode()
    client.post(url, {"token": str(sub.token), "updates": "on"})
    sub.refresh_from_db()
    assert sub.with_updates is True and sub.unsubscribed_at is None
    assert "New posts only" in client.get(url).content.decode()
    client.post(url, {"token": str(sub.token), "updates": "off"})
    sub.refresh_from_db()
    assert sub.with_updates is False
