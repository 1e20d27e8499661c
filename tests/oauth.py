"""A shared OAuth2 flow for provider tests, in the idiom of allauth's old OAuth2TestsMixin
(no longer shipped since 65.10): a subclass names the provider and the provider's HTTP
answers; the inherited tests drive OUR endpoints (comment form → login-to-comment →
authorize redirect → callback) and mock only the provider's own HTTP endpoints with
`responses`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from accounts import pictures
from accounts.models import User
from accounts.social import pop_draft
from accounts.tasks import store_picture

DRAFT = {"comment": "I typed this before signing in.", "author": "", "email": "", "url": "",
         "comment_parent": "0", "subscribe_comments": "1"}


def provider_settings(*names: str) -> dict:
    """SOCIALACCOUNT_PROVIDERS as config/settings.py builds it from *_CLIENT_ID/SECRET."""
    extra = {
        "google": {"SCOPE": ["openid", "profile", "email"], "OAUTH_PKCE_ENABLED": True},
        "twitter_oauth2": {"OAUTH_PKCE_ENABLED": True},
        "facebook": {"METHOD": "oauth2", "SCOPE": ["public_profile", "email"]},
    }
    return {name: {"APP": {"client_id": f"{name}-client", "secret": f"{name}-secret", "key": ""},
                   **extra[name]} for name in names}


class OAuth2FlowMixin:
    provider_id: str            # allauth's id ("twitter_oauth2")
    public_id: str              # the comment form's data-provider ("twitter")
    authorize_url: str
    token_url: str
    token_method: str = responses.POST
    scope: set[str]
    pkce: bool
    # (method, url, json) answered by the provider after the token exchange.
    profile_mocks: list[tuple[str, str, dict]]
    picture: str                # the provider's picture URL in its profile answer
    expected: dict              # User fields after the first login (no avatar until the worker stores it)

    @pytest.fixture(autouse=True)
    def _configured(self, settings):
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(self.provider_id)

    def start(self, client, post) -> dict[str, str]:
        """Post the comment form to login-to-comment; return the authorize query."""
        response = client.post(reverse("accounts:comment-login"),
                               {**DRAFT, "comment_post_ID": post.pk, "provider": self.public_id})
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.authorize_url
        return {key: values[0] for key, values in parse_qs(location.query).items()}

    def finish(self, client, query: dict[str, str], *, exchange: bool = True):
        """The provider sends the reader back with a code; allauth swaps it for a token
        (`exchange=False`: a callback that must be refused before any provider call)."""
        with responses.RequestsMock(assert_all_requests_are_fired=exchange) as mock:
            mock.add(self.token_method, self.token_url,
                     json={"access_token": "at-123", "token_type": "bearer", "expires_in": 3600})
            for method, url, body in self.profile_mocks:
                mock.add(method, url, json=body)
            callback = urlsplit(query["redirect_uri"]).path
            response = client.get(callback, {"code": "code-123", "state": query["state"]})
            if not exchange:
                assert not mock.calls, "the provider was called for a refused callback"
            return response

    def login(self, client, post):
        return self.finish(client, self.start(client, post))

    def test_the_authorize_redirect_carries_client_id_redirect_uri_scope_state_and_pkce(self, client, post):
        query = self.start(client, post)
        assert query["client_id"] == f"{self.provider_id}-client"
        assert query["redirect_uri"].startswith("http://testserver/accounts/")
        assert query["redirect_uri"].endswith("/login/callback/")
        assert set(query["scope"].replace(",", " ").split()) == self.scope
        assert len(query["state"]) >= 12
        assert ("code_challenge" in query) is self.pkce
        if self.pkce:
            assert query["code_challenge_method"] == "S256"

    def test_the_callback_creates_a_user_with_name_avatar_and_only_a_verified_email(self, client, post):
        response = self.login(client, post)
        assert response.status_code == 302
        assert response["Location"] == post.get_absolute_url() + "#respond"
        user = User.objects.get(socialaccount__provider=self.provider_id)
        assert {field: getattr(user, field) for field in self.expected} == self.expected
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_the_draft_comes_back_and_a_comment_is_posted_as_that_user(self, client, post, rf):
        self.login(client, post)
        identity = client.get(reverse("accounts:identity")).json()
        assert identity["authenticated"] is True
        assert identity["provider"] == self.public_id
        request = rf.get("/")
        request.session = client.session
        assert pop_draft(request, post)["comment"] == DRAFT["comment"]
        response = client.post(reverse("comments:comment-post"),
                               {"comment": DRAFT["comment"], "comment_post_ID": post.pk, "comment_parent": "0"})
        assert response.status_code == 302, response.content[:500]
        comment = post.comments.get()
        assert comment.user == User.objects.get(socialaccount__provider=self.provider_id)
        assert comment.body == DRAFT["comment"]

    def test_the_providers_picture_is_fetched_by_the_worker_after_commit_and_shown_from_our_origin(
            self, client, post, monkeypatch, django_capture_on_commit_callbacks, picture_bytes):
        queued = []
        monkeypatch.setattr("config.helpers.enqueue", lambda task, *args, **kw: queued.append((task, args)) or True)
        with django_capture_on_commit_callbacks(execute=True):
            self.login(client, post)
        user = User.objects.get(socialaccount__provider=self.provider_id)
        assert [args for task, args in queued if task is store_picture] == [(user.pk, self.picture)]
        assert client.get(reverse("accounts:identity")).json()["avatar_url"] == ""
        with responses.RequestsMock() as mock:
            mock.get(self.picture, body=picture_bytes)
            store_picture.apply(args=[user.pk, self.picture])
        user.refresh_from_db()
        assert user.avatar_url == pictures.local_url(self.picture)
        assert client.get(reverse("accounts:identity")).json()["avatar_url"] == user.avatar_url

    def test_a_second_login_with_the_same_picture_fetches_nothing(self, client, post, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
        self.login(client, post)
        user = User.objects.get(socialaccount__provider=self.provider_id)
        User.objects.filter(pk=user.pk).update(avatar_url=pictures.local_url(self.picture))
        client.logout()
        queued = []
        monkeypatch.setattr("config.helpers.enqueue", lambda task, *args, **kw: queued.append((task, args)) or True)
        with django_capture_on_commit_callbacks(execute=True):
            self.login(client, post)
        assert client.session["_auth_user_id"] == str(user.pk)
        assert [args for task, args in queued if task is store_picture] == []
