"""A commenter's data: guests export and erase through a link mailed to their address;
accounts export and erase everything the comments app holds. Each table is checked:
Comment, Subscription, Notification, CommentReport, CommenterFlag (and, for accounts,
allauth's SocialAccount and EmailAddress in tests/accounts)."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import CommenterFlag
from accounts.services import erase_commenter, export_data
from blog.comments import mail as comment_mail
from blog.comments.models import Comment, CommentReport, Notification, Subscription
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def send_all() -> int:
    return sum(comment_mail.deliver(pk) for pk in Notification.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def guest_data(post):
    comment = CommentFactory(post=post, author_name="Gus", author_email="Gus@example.com", ip="203.0.113.7",
                             user_agent="Firefox", author_url="https://gus.example/", body="Kept in the thread")
    other = CommentFactory(post=post, author_name="Olga", author_email="olga@example.com", body="Not Gus")
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email="gus@example.com", scope="site")
    Notification.objects.create(key="approved:1:gus@example.com", kind="approved", recipient="gus@example.com")
    CommenterFlag.objects.create(kind="trust", email="gus@example.com")
    CommenterFlag.objects.create(kind="ban", email="gus@example.com", ip="198.51.100.1")
    return comment, other


def mailed_data_link(client, email) -> str:
    mail.outbox.clear()
    response = client.post(reverse("comments:my-data-request"), {"email": email})
    assert response.status_code == 200 and "a link is on its way" in response.content.decode()
    send_all()
    [message] = [m for m in mail.outbox if m.to == [email.lower()]]
    return path_of(re.search(r"Your data: (\S+)", message.body)[1])


def test_a_guest_gets_the_link_by_mail_and_downloads_every_table_as_json(client, guest_data):
    url = mailed_data_link(client, "gus@example.com")
    assert 'id="my-data-erase"' in client.get(url).content.decode()
    data = json.loads(client.get(url, {"download": "1"}).content)
    assert [c["body"] for c in data["comments"]] == ["Kept in the thread"]
    assert data["comments"][0]["ip"] == "203.0.113.7"
    assert [s["kind"] for s in data["subscriptions"]] == ["posts"]
    assert {n["kind"] for n in data["notifications"]} >= {"approved", "data_link"}
    assert sorted(f["kind"] for f in data["flags"]) == ["ban", "trust"]


def test_a_guest_erases_every_copy_of_the_address_and_the_thread_stays_readable(client, guest_data):
    comment, other = guest_data
    url = mailed_data_link(client, "gus@example.com")
    assert client.post(url, {}).status_code == 400  # the confirm box is required
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.author_name, comment.author_email, comment.author_url, comment.ip, comment.user_agent) == (
        "Anonymous", "", "", None, "")
    assert comment.body == "Kept in the thread"
    assert Comment.objects.get(pk=other.pk).author_email == "olga@example.com"
    assert not Subscription.objects.filter(email__iexact="gus@example.com").exists()
    assert not Notification.objects.filter(recipient__iexact="gus@example.com").exists()
    assert not CommenterFlag.objects.filter(email__iexact="gus@example.com").exists()
    assert CommenterFlag.objects.get().ip == "198.51.100.1"  # the ban stays on the IP it also named


def test_the_site_may_choose_to_erase_the_text_too(client, guest_data, settings):
    settings.ERASE_COMMENT_TEXT = True
    comment, _ = guest_data
    client.post(mailed_data_link(client, "gus@example.com"), {"confirm": "1"})
    comment.refresh_from_db()
    assert "Kept in the thread" not in comment.body + comment.body_html


def test_asking_for_a_link_tells_nobody_whether_an_address_commented(client, guest_data):
    known = client.post(reverse("comments:my-data-request"), {"email": "gus@example.com"}).content
    unknown = client.post(reverse("comments:my-data-request"), {"email": "nobody@example.com"}).content
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", known) == strip.sub(b"", unknown)


def test_a_forged_or_stale_data_link_shows_nothing(client, guest_data):
    response = client.get(reverse("comments:my-data", args=["gus@example.com:forged"]))
    assert response.status_code == 400 and "Kept in the thread" not in response.content.decode()


def test_an_accounts_export_and_erasure_cover_every_table(reader, post, guest_data):
    EmailAddress.objects.create(user=reader, email="gus@example.com", verified=True, primary=True)
    mine = CommentFactory(post=post, user=reader, author_email="gus@example.com", body="From the account")
    CommentReport.objects.create(comment=guest_data[1], reason="spam", user=reader, ip="192.0.2.4")
    CommenterFlag.objects.create(kind="trust", user=reader)
    data = export_data(user=reader)
    assert {c["body"] for c in data["comments"]} == {"Kept in the thread", "From the account"}
    assert data["subscriptions"] and data["notifications"]
    assert [r["reason"] for r in data["reports"]] == ["spam"]
    assert len(data["flags"]) == 3
    erase_commenter(user=reader)
    for c in Comment.objects.filter(pk__in=[mine.pk, guest_data[0].pk]):
        assert (c.author_name, c.author_email, c.user_id, c.ip) == ("Anonymous", "", None, None)
    assert not Subscription.objects.exists()
    assert not Notification.objects.filter(recipient__iexact="gus@example.com").exists()
    assert CommentReport.objects.get().user_id is None and CommentReport.objects.get().ip is None
    assert not CommenterFlag.objects.filter(kind="trust").exists()
    assert not CommenterFlag.objects.filter(email__iexact="gus@example.com").exists()
