"""accounts.adapters: profile filling, verified-e-mail linking, safe `next`, session rotation."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.adapters import is_same_site_path, profile_fields
from accounts.models import User
from config.helpers import client_ip
from tests.accounts import test_social_providers as providers
from tests.factories import UserFactory
from tests.oauth import provider_settings

EVIL = ["//evil.example", "https://evil.example", "https:evil.example", "/\\evil.example",
        "javascript:alert(1)", "http://evil.example/2026/", "///evil.example", "/\tevil", "\\\\evil.example"]


@pytest.mark.parametrize("url", EVIL)
def test_it_refuses_every_next_that_leaves_the_site(url):
    assert is_same_site_path(url) is False


@pytest.mark.parametrize("url", ["/", "/2026/01/02/a-post/#respond", "/accounts/popup-complete/?x=1"])
def test_it_accepts_a_path_on_this_site(url):
    assert is_same_site_path(url) is True


@pytest.mark.parametrize("url", EVIL)
def test_allauth_follows_no_foreign_next(rf, url):
    request = rf.get("/", HTTP_HOST="testserver")
    assert get_account_adapter(request).is_safe_url(url) is False


def test_allauths_rate_limits_count_the_same_client_address_as_the_comment_views(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert get_account_adapter(request).get_client_ip(request) == client_ip(request) == "203.0.113.7"


def test_allauth_refuses_a_request_without_a_client_address(rf):
    request = rf.get("/", REMOTE_ADDR="")
    with pytest.raises(PermissionDenied):
        get_account_adapter(request).get_client_ip(request)


def test_it_takes_name_avatar_and_website_from_provider_data_over_https_only():
    fields = profile_fields({"given_name": "Grace", "family_name": "Hopper",
                             "picture": "http://insecure.example/p.png", "website": "https://grace.example/"})
    assert fields == {"display_name": "Grace Hopper", "avatar_url": "", "website": "https://grace.example/"}


def test_it_reads_an_openid_connect_apps_claims_from_its_userinfo():
    fields = profile_fields({"userinfo": {"name": "Ada Lovelace", "picture": "https://lh3.googleusercontent.com/a/ada"},
                             "id_token": {"sub": "1"}})
    assert fields == {"display_name": "Ada Lovelace", "avatar_url": "https://lh3.googleusercontent.com/a/ada",
                      "website": ""}


@pytest.mark.django_db
@pytest.mark.parametrize("url", EVIL)
def test_a_password_login_never_follows_a_foreign_next(client, reader, password, url):
    response = client.post(reverse("account_login") + "?next=" + url, {"login": "reader", "password": password,
                                                                       "next": url})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
class TestProviderLogin:
    @pytest.fixture(autouse=True)
    def _google(self, settings):
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")

    @pytest.mark.parametrize("url", EVIL)
    def test_a_provider_login_never_returns_to_a_foreign_next(self, client, post, url):
        flow = providers.TestGoogle()
        response = client.post(reverse("google_login"), {"process": "login", "next": url})
        query = {key: values[0] for key, values in parse_qs(urlsplit(response["Location"]).query).items()}
        response = flow.finish(client, query)
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_the_session_is_rotated_at_login(self, client, post):
        flow = providers.TestGoogle()
        query = flow.start(client, post)
        before = client.session.session_key
        flow.finish(client, query)
        after = client.session.session_key
        assert before and after and before != after
        assert client.session["_auth_user_id"]

    def test_a_verified_email_links_to_the_existing_account_instead_of_a_duplicate(self, client, post):
        existing = UserFactory(username="grace", email="grace@example.com")
        providers.TestGoogle().login(client, post)
        assert User.objects.filter(email__iexact="grace@example.com").count() == 1
        assert existing.socialaccount_set.get().provider == "google"
        existing.refresh_from_db()
        assert existing.avatar_url == ""  # the provider's URL is never stored: the worker fetches it

    def test_a_callback_with_a_forged_state_signs_nobody_in(self, client, post):
        query = providers.TestGoogle().start(client, post)
        response = providers.TestGoogle().finish(client, {**query, "state": "forged-state-123"}, exchange=False)
        assert response.status_code == 401
        assert "_auth_user_id" not in client.session
        assert not User.objects.filter(socialaccount__provider="google").exists()

    def test_no_tokens_are_stored(self, client, post):
        from allauth.socialaccount.models import SocialToken

        providers.TestGoogle().login(client, post)
        assert SocialToken.objects.count() == 0


@pytest.mark.django_db
def test_an_unverified_email_never_links_to_an_existing_account(client, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("facebook")
    existing = UserFactory(username="linus", email="linus@example.com")
    providers.TestFacebook().login(client, post)
    newcomer = User.objects.get(socialaccount__provider="facebook")
    assert newcomer != existing
    assert newcomer.email == ""
    assert not existing.socialaccount_set.exists()


class _Login:
    """What can_authenticate_by_email reads of a SocialLogin: its provider."""

    def __init__(self, provider):
        self.provider = provider


def _provider(rf, kind: str, provider_id: str, **app_settings):
    app = SocialApp(provider=kind, provider_id=provider_id, name=provider_id, client_id="id", secret="s",
                    settings={"server_url": "https://id.example", **app_settings})
    return app.get_provider(rf.get("/"))


@pytest.mark.parametrize("kind", ["google", "facebook"])
def test_a_provider_listed_as_verifying_addresses_may_sign_in_by_email(rf, kind):
    assert get_social_adapter().can_authenticate_by_email(_Login(_provider(rf, kind, kind)), "a@example.com")


@pytest.mark.parametrize("provider_id", ["corp", "google"])
def test_an_openid_provider_never_signs_in_by_email_even_when_its_app_asks(rf, provider_id):
    provider = _provider(rf, "openid_connect", provider_id, email_authentication=True)
    assert not get_social_adapter().can_authenticate_by_email(_Login(provider), "admin@example.com")
