"""blog.comments.models: "the same commenter" is one queryset method, matched as the flags
on commenters are matched."""

import pytest

from accounts.models import CommenterFlag
from blog.comments.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comments(post, reader):
    return {
        "account": CommentFactory(post=post, user=reader, author_email="", ip=None),
        "email": CommentFactory(post=post, author_email="Ann@Example.com", ip=None),
        "ip": CommentFactory(post=post, author_email="", ip="203.0.113.7"),
        "stranger": CommentFactory(post=post, author_email="bob@example.com", ip="198.51.100.1"),
    }


def _names(qs, comments) -> set[str]:
    pks = set(qs.values_list("pk", flat=True))
    return {name for name, comment in comments.items() if comment.pk in pks}


def test_a_commenter_is_matched_by_account_or_email_or_ip(comments, reader):
    same = Comment.objects.by_commenter(email="ann@example.com", user_id=reader.pk, ip="203.0.113.7")
    assert _names(same, comments) == {"account", "email", "ip"}


def test_only_the_keys_given_take_part(comments, reader):
    assert _names(Comment.objects.by_commenter(user_id=reader.pk), comments) == {"account"}
    assert _names(Comment.objects.by_commenter(ip="203.0.113.7"), comments) == {"ip"}


def test_no_key_matches_no_comment_rather_than_every_comment(comments):
    assert not Comment.objects.by_commenter().exists()
    assert not Comment.objects.by_commenter(email="", user_id=None, ip=None).exists()


def test_the_email_matches_in_any_case_unless_exact_is_asked_for(comments):
    assert _names(Comment.objects.by_commenter(email="ANN@example.COM"), comments) == {"email"}
    assert _names(Comment.objects.by_commenter(email="ann@example.com", exact_email=True), comments) == set()
    assert _names(Comment.objects.by_commenter(email="Ann@Example.com", exact_email=True), comments) == {"email"}


def test_it_narrows_a_queryset_like_any_other_filter(comments, reader):
    approved = Comment.objects.filter(pk=comments["email"].pk)
    assert _names(approved.by_commenter(email="ann@example.com", user_id=reader.pk), comments) == {"email"}


def test_commenter_flags_match_the_same_commenter_as_comments_do(comments, reader):
    ban = CommenterFlag.Kind.BAN
    flags = {
        "account": CommenterFlag.objects.create(kind=ban, user=reader),
        "email": CommenterFlag.objects.create(kind=ban, email="Ann@Example.com"),
        "ip": CommenterFlag.objects.create(kind=ban, ip="203.0.113.7"),
        "stranger": CommenterFlag.objects.create(kind=ban, email="bob@example.com", ip="198.51.100.1"),
    }
    probes = [{"email": "ANN@example.com"}, {"user_id": reader.pk}, {"ip": "203.0.113.7"},
              {"email": "ann@example.com", "user_id": reader.pk, "ip": "203.0.113.7"}, {}]
    for keys in probes:
        assert _names(CommenterFlag.objects.matching(**keys), flags) == _names(
            Comment.objects.by_commenter(**keys), comments), keys
