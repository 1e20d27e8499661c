"""The Leave a Reply form's rules: required fields per the Discussion settings, WordPress's
maximum lengths, e-mail and http(s)-only URLs, the honeypot and the signed timestamp."""

import pytest

from blog.comments.forms import CommentForm, form_age, sign_timestamp


def make(require_identity=True, **overrides):
    data = {"comment": "Hi", "author": "Ann", "email": "ann@example.com", "url": "", "comment_post_ID": "1",
            "comment_parent": "0", **overrides}
    return CommentForm(data, require_identity=require_identity)


def test_a_complete_guest_form_is_valid():
    assert make().is_valid()


def test_name_and_email_are_optional_when_the_settings_say_so():
    assert make(require_identity=False, author="", email="").is_valid()
    assert not make(require_identity=True, author="", email="").is_valid()


@pytest.mark.parametrize(
    ("field", "limit"), [("author", 245), ("email", 100), ("url", 200), ("comment", 65525)]
)
def test_it_enforces_wordpress_maximum_lengths(field, limit):
    if field == "email":
        at_limit, over = "a" * (limit - 12) + "@example.com", "a" * (limit - 11) + "@example.com"
    elif field == "url":
        at_limit, over = "https://e.io/" + "a" * (limit - 13), "https://e.io/" + "a" * (limit - 12)
    else:
        at_limit, over = "a" * limit, "a" * (limit + 1)
    assert make(**{field: at_limit}).is_valid()
    form = make(**{field: over})
    assert not form.is_valid() and field in form.errors


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com", "data:text/html,x", "http://"])
def test_it_accepts_only_http_and_https_websites(url):
    assert "url" in make(url=url).errors


def test_a_bare_domain_becomes_an_http_url():
    form = make(url="example.com")
    assert form.is_valid() and form.cleaned_data["url"] == "http://example.com"


def test_a_filled_honeypot_is_refused():
    assert "hp_website" in make(hp_website="http://buy.example").errors


def test_the_signed_timestamp_gives_the_form_age_and_rejects_forgeries():
    token = sign_timestamp(1000.0)
    assert form_age(token, now=1012.5) == pytest.approx(12.5)
    assert form_age(token + "x", now=1012.5) is None
    assert form_age("", now=1.0) is None
