"""Google, X and Facebook through the shared OAuth2 flow (tests/oauth.py)."""

import pytest
from allauth.socialaccount.providers.facebook.constants import GRAPH_API_URL

from tests.oauth import OAuth2FlowMixin

pytestmark = pytest.mark.django_db


class TestGoogle(OAuth2FlowMixin):
    provider_id = public_id = "google"
    authorize_url = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url = "https://oauth2.googleapis.com/token"
    scope, pkce = {"openid", "profile", "email"}, True
    profile_mocks = [("GET", "https://www.googleapis.com/oauth2/v2/userinfo", {
        "id": "108204268033311374519", "email": "grace@example.com", "verified_email": True,
        "name": "Grace Hopper", "given_name": "Grace", "family_name": "Hopper",
        "picture": "https://lh3.googleusercontent.com/a/grace"})]
    picture = "https://lh3.googleusercontent.com/a/grace"
    expected = {"display_name": "Grace Hopper", "email": "grace@example.com", "avatar_url": ""}


class TestX(OAuth2FlowMixin):
    provider_id, public_id = "twitter_oauth2", "twitter"
    authorize_url = "https://x.com/i/oauth2/authorize"
    token_url = "https://api.x.com/2/oauth2/token"
    scope, pkce = {"users.read", "tweet.read"}, True
    profile_mocks = [("GET", "https://api.x.com/2/users/me", {"data": {
        "id": "2244994945", "name": "Ada Lovelace", "username": "ada",
        "profile_image_url": "https://pbs.twimg.com/profile_images/ada.jpg"}})]
    # X gives no e-mail address at all.
    picture = "https://pbs.twimg.com/profile_images/ada.jpg"
    expected = {"display_name": "Ada Lovelace", "email": "", "avatar_url": ""}


class TestFacebook(OAuth2FlowMixin):
    provider_id = public_id = "facebook"
    authorize_url = "https://www.facebook.com/v19.0/dialog/oauth"
    token_url = f"{GRAPH_API_URL}/oauth/access_token"
    token_method = "GET"
    scope, pkce = {"public_profile", "email"}, False
    profile_mocks = [("GET", f"{GRAPH_API_URL}/me", {
        "id": "630595557", "name": "Linus Torvalds", "first_name": "Linus", "last_name": "Torvalds",
        "email": "linus@example.com", "picture": {"data": {"url": "https://platform-lookaside.fbsbx.com/linus"}}})]
    # Facebook does not say the address is verified (allauth marks it unverified): not kept.
    picture = "https://platform-lookaside.fbsbx.com/linus"
    expected = {"display_name": "Linus Torvalds", "email": "", "avatar_url": ""}
