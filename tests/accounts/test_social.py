"""accounts.social: the providers the comment form offers, the kept draft, the identity."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string

from accounts.signals import comment_form_page as comment_form_page_signal
from accounts.social import (
    comment_form_page,
    comment_providers,
    draft_from_post_data,
    identity,
    pop_draft,
    store_draft,
)
from tests.oauth import provider_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(rf, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def test_a_provider_without_credentials_is_not_offered(settings, request_):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("facebook")
    assert [p["id"] for p in comment_providers(request_)] == ["facebook"]


def test_it_offers_google_x_and_facebook_in_that_order_with_their_login_urls(settings, request_):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("facebook", "twitter_oauth2", "google")
    assert comment_providers(request_) == [
        {"id": "google", "name": "Google", "login_url": "/accounts/google/login/"},
        {"id": "twitter", "name": "X (Twitter)", "login_url": "/accounts/twitter_oauth2/login/"},
        {"id": "facebook", "name": "Facebook", "login_url": "/accounts/facebook/login/"},
    ]


def test_it_offers_an_openid_connect_app_under_its_own_id(settings, request_):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [{
        "provider_id": "localid", "name": "Local ID", "client_id": "c", "secret": "s",
        "settings": {"server_url": "http://127.0.0.1:1/o"}}]}}
    assert comment_providers(request_) == [
        {"id": "localid", "name": "Local ID", "login_url": "/accounts/oidc/localid/login/"}]


def test_with_no_credentials_at_all_the_form_offers_no_provider(settings, request_):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert comment_providers(request_) == []


def test_a_draft_comes_back_once_and_only_for_its_post(request_, post):
    draft = draft_from_post_data({"comment": "Every word.", "author": "Ada", "subscribe_blog": "1"})
    store_draft(request_, post_id=post.pk, draft=draft)
    assert pop_draft(request_, type(post)(pk=post.pk + 1)) == {}
    restored = pop_draft(request_, post)
    assert (restored["comment"], restored["author"], restored["subscribe_blog"]) == ("Every word.", "Ada", True)
    assert restored["subscribe_comments"] is False
    assert pop_draft(request_, post) == {}


def test_the_page_of_a_comment_form_is_the_first_answer_an_app_gives(connect):
    connect(comment_form_page_signal, lambda sender, post_id, **kwargs: None)
    connect(comment_form_page_signal, lambda sender, post_id, **kwargs: f"/elsewhere/{post_id}/")
    assert comment_form_page(424242) == "/elsewhere/424242/"


def test_a_comment_form_no_app_knows_has_no_page():
    assert comment_form_page(424242) is None


def test_a_draft_is_cut_to_the_form_limits():
    draft = draft_from_post_data({"comment": "x" * 70000, "author": "y" * 900, "junk": "z"})
    assert (len(draft["comment"]), len(draft["author"]), "junk" in draft) == (65525, 500, False)


def test_the_identity_of_a_guest_says_only_that(request_):
    assert identity(request_) == {"authenticated": False}


def test_the_identity_names_the_provider_and_never_the_email(request_, reader, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    request_.user = reader
    request_.session["comment_provider"] = "google"
    data = identity(request_)
    assert (data["name"], data["provider"], data["provider_name"]) == ("Rita Reader", "google", "Google")
    assert reader.email not in str(data)


def test_the_identity_block_renders_the_design_hooks(settings, request_, post):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google", "twitter_oauth2")
    html = render_to_string("comments/_identity.html", {"post": post, "draft": {"author": "Ada"}},
                            request=request_)
    assert "Fill in your details below or click an icon to log in" in html
    for hook in ('id="email" name="email"', 'id="author" name="author"', 'id="url" name="url"', 'value="Ada"',
                 'formaction="/accounts/comment-login/"', 'class="social-login" data-provider="google"',
                 'class="social-login" data-provider="twitter"', 'aria-live="polite"'):
        assert hook in html
    assert 'data-provider="facebook"' not in html
    assert "<script>" not in html and " on" + "click=" not in html and "style=" not in html


def test_the_identity_block_uses_the_comment_forms_fields_when_given_one(request_, post):
    from django import forms

    class GuestFields(forms.Form):
        email = forms.EmailField(widget=forms.EmailInput(attrs={"id": "email", "data-from": "form"}))
        author = forms.CharField(widget=forms.TextInput(attrs={"id": "author"}))
        url = forms.URLField(required=False, widget=forms.URLInput(attrs={"id": "url"}))

    form = GuestFields(initial={"email": "ada@example.com", "author": "Ada"})
    html = render_to_string("comments/_identity.html", {"post": post, "comment_form": form}, request=request_)
    assert 'data-from="form"' in html and 'value="ada@example.com"' in html
    assert html.count('id="email"') == 1


def test_a_signed_in_reader_sees_the_identity_and_log_out_instead_of_the_guest_fields(request_, reader, post,
                                                                                      settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    request_.user = reader
    request_.session["comment_provider"] = "google"
    html = render_to_string("comments/_identity.html", {"post": post}, request=request_)
    assert 'id="email"' not in html and "comment-guest" not in html
    assert "You are commenting using your <span class=\"identity-provider\">Google</span> account." in html
    assert "Rita Reader" in html and 'formaction="/accounts/comment-logout/"' in html
