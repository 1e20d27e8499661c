"""accounts.views: login-to-comment, log out, popup completion, identity JSON, profile,
data export and erasure."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import RequestFactory
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.models import User
from accounts.signals import user_profile_sections
from accounts.social import pop_draft
from blog.comments.models import Comment, Subscription
from tests.accounts import test_social_providers as providers
from tests.factories import CommentFactory
from tests.oauth import provider_settings

pytestmark = pytest.mark.django_db


def _draft_in(client, post) -> dict:
    request = RequestFactory().get("/")
    request.session = client.session
    return pop_draft(request, post)


def test_login_to_comment_keeps_the_draft_and_goes_to_the_provider(client, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    response = client.post(reverse("accounts:comment-login"), {
        "provider": "google", "comment_post_ID": post.pk, "comment": "Keep me.", "comment_parent": "0",
        "email": "ada@example.com", "subscribe_comments": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://accounts.google.com/")
    draft = _draft_in(client, post)
    assert (draft["comment"], draft["email"], draft["subscribe_comments"]) == ("Keep me.", "ada@example.com", True)


def test_login_to_comment_needs_csrf_once_the_reader_has_a_session(post, settings):
    from django.test import Client

    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["sessionid"] = "a-session"
    response = browser.post(reverse("accounts:comment-login"), {"provider": "google", "comment_post_ID": post.pk})
    assert response.status_code == 403


def test_login_to_comment_from_another_site_is_refused(post, settings):
    from django.test import Client

    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:comment-login"), {"provider": "google", "comment_post_ID": post.pk},
        HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403


def test_login_to_comment_from_the_cached_page_works_without_a_token(post, settings):
    from django.test import Client

    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:comment-login"),
                                                     {"provider": "google", "comment_post_ID": post.pk})
    assert response.status_code == 302


def test_an_unconfigured_provider_sends_the_reader_back_with_the_draft(client, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    response = client.post(reverse("accounts:comment-login"),
                           {"provider": "google", "comment_post_ID": post.pk, "comment": "Still here."})
    assert response["Location"] == post.get_absolute_url() + "#respond"
    assert _draft_in(client, post)["comment"] == "Still here."


@pytest.mark.parametrize("post_id", ["", "abc", "99999999", "1e9", "-1"])
def test_a_bad_post_id_gets_a_message_not_a_500(client, post_id):
    response = client.post(reverse("accounts:comment-login"), {"provider": "google", "comment_post_ID": post_id})
    assert response.status_code == 302
    assert response["Location"] == reverse("blog:home")


def test_the_popup_flow_returns_to_the_completion_page_and_leaves_no_stale_draft(client, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    flow = providers.TestGoogle()
    response = client.post(reverse("accounts:comment-login"),
                           {"provider": "google", "comment_post_ID": post.pk, "popup": "1", "comment": "On the page"})
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    response = flow.finish(client, query)
    assert response["Location"] == reverse("accounts:popup-complete")
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    page = client.get(response["Location"])
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert b'data-social-login-result="ok"' in page.content
    assert b"accounts/popup-complete.js" in page.content
    assert _draft_in(client, post) == {}  # the page kept the text; no stale copy for next time


def test_other_pages_keep_the_sites_opener_policy(client):
    assert client.get(reverse("blog:home"))["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"


def test_identity_json_gives_name_provider_and_a_fresh_csrf_token_but_no_email(client, reader):
    client.force_login(reader)
    data = client.get(reverse("accounts:identity")).json()
    assert data["authenticated"] is True and data["name"] == "Rita Reader"
    assert data["csrf_token"]
    assert reader.email not in json.dumps(data)


def test_log_out_from_the_form_keeps_the_typed_comment(client, reader, post):
    client.force_login(reader)
    response = client.post(reverse("accounts:comment-logout"), {"comment_post_ID": post.pk, "comment": "Mine."})
    assert response["Location"] == post.get_absolute_url() + "#respond"
    assert "_auth_user_id" not in client.session
    assert _draft_in(client, post)["comment"] == "Mine."


@pytest.mark.parametrize("url", ["//evil.example", "https://evil.example", "https:evil.example", "/\\evil.example",
                                 "javascript:alert(1)"])
def test_log_out_never_follows_a_foreign_next(client, reader, url):
    client.force_login(reader)
    response = client.post(reverse("accounts:comment-logout"), {"next": url})
    assert response["Location"] == reverse("blog:home")


def test_the_profile_lists_providers_comments_and_subscriptions(client, reader, post):
    SocialAccount.objects.create(user=reader, provider="google", uid="g-1")
    CommentFactory(post=post, user=reader, body="My first comment")
    Subscription.objects.create(kind=Subscription.Kind.ALL_COMMENTS, email=reader.email, user=reader, post=post,
                                scope=f"post:{post.pk}")
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Disconnect Google" in html
    assert "My first comment" in html
    assert post.title in html
    assert reverse("accounts:export") in html


def test_the_profile_shows_each_apps_sections_between_the_linked_accounts_and_the_data(client, reader, connect):
    connect(user_profile_sections,
            lambda sender, user, request, **kwargs: mark_safe('<section id="elsewhere">Held</section>'))
    connect(user_profile_sections, lambda sender, user, request, **kwargs: "")  # an app with nothing to show
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert html.index('id="linked-providers"') < html.index('<section id="elsewhere">Held</section>') < html.index(
        'id="my-data"')


def test_the_profile_needs_a_login(client):
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_the_export_is_a_json_download_of_everything_held(client, reader, post):
    SocialAccount.objects.create(user=reader, provider="google", uid="g-1", extra_data={"secret": "no"})
    CommentFactory(post=post, user=reader, body="Exported words")
    client.force_login(reader)
    response = client.get(reverse("accounts:export"))
    assert response["Content-Disposition"].startswith('attachment; filename="dispatch-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == reader.email
    assert data["linked_providers"][0]["provider"] == "google"
    assert data["comments"][0]["body"] == "Exported words"


def test_erasure_needs_the_confirmation_tick(client, reader):
    client.force_login(reader)
    client.post(reverse("accounts:erase"))
    reader.refresh_from_db()
    assert reader.is_active


def test_erasure_anonymises_comments_and_closes_the_account(client, reader, post):
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    SocialAccount.objects.create(user=reader, provider="google", uid="g-1")
    comment = CommentFactory(post=post, user=reader, author_name="Rita", author_email=reader.email,
                             body="Kept text")
    guest_copy = CommentFactory(post=post, author_name="Rita", author_email=reader.email.upper())
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email=reader.email, scope="site")
    client.force_login(reader)
    response = client.post(reverse("accounts:erase"), {"confirm": "1"})
    assert response["Location"] == reverse("blog:home")
    reader.refresh_from_db()
    assert (reader.is_active, reader.email, reader.display_name) == (False, "", "")
    for c in Comment.objects.filter(pk__in=[comment.pk, guest_copy.pk]):
        assert (c.author_name, c.author_email, c.user_id) == ("Anonymous", "", None)
    assert Comment.objects.get(pk=comment.pk).body == "Kept text"
    assert not Subscription.objects.exists()
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_staff_cannot_erase_themselves_here(client, moderator):
    client.force_login(moderator)
    client.post(reverse("accounts:erase"), {"confirm": "1"})
    assert User.objects.get(pk=moderator.pk).is_active


def test_changing_to_another_account_keeps_the_draft(client, reader, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    client.force_login(reader)
    response = client.post(reverse("accounts:comment-login"),
                           {"provider": "google", "comment_post_ID": post.pk, "comment": "Switching, not losing."})
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    providers.TestGoogle().finish(client, query)
    assert client.session["_auth_user_id"] != str(reader.pk)
    assert _draft_in(client, post)["comment"] == "Switching, not losing."


def test_a_cancelled_provider_login_leads_back_to_the_comment_and_closes_a_popup(client, post, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google")
    response = client.post(reverse("accounts:comment-login"),
                           {"provider": "google", "comment_post_ID": post.pk, "comment": "Not lost."})
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = client.get(reverse("google_callback"), {"error": "access_denied", "state": state}, follow=True)
    html = response.content.decode()
    assert "Sign-in cancelled" in html
    assert f'href="{post.get_absolute_url()}#respond"' in html
    assert 'data-social-login-result="failed"' in html and "accounts/popup-complete.js" in html
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert _draft_in(client, post)["comment"] == "Not lost."


def test_a_linked_provider_can_be_disconnected_from_the_profile(client, reader, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("google", "facebook")
    google = SocialAccount.objects.create(user=reader, provider="google", uid="g-1")
    SocialAccount.objects.create(user=reader, provider="facebook", uid="f-1")
    client.force_login(reader)
    response = client.post(reverse("socialaccount_connections"), {"account": google.pk})
    assert response.status_code == 302
    assert list(reader.socialaccount_set.values_list("provider", flat=True)) == ["facebook"]


def test_an_unreachable_provider_sends_the_reader_back_with_the_draft_not_a_500(client, post, settings):
    import responses as mocked

    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [{
        "provider_id": "down", "name": "Down ID", "client_id": "c", "secret": "s",
        "settings": {"server_url": "https://id.down.example"}}]}}
    with mocked.RequestsMock() as mock:
        mock.add(mocked.GET, "https://id.down.example/.well-known/openid-configuration",
                 body=mocked.ConnectionError("refused"))
        response = client.post(reverse("accounts:comment-login"),
                               {"provider": "down", "comment_post_ID": post.pk, "comment": "Safe."})
    assert response["Location"] == post.get_absolute_url() + "#respond"
    assert _draft_in(client, post)["comment"] == "Safe."


def test_erasing_an_account_spares_the_guest_comments_of_an_address_it_never_verified(client, reader, post):
    victim = CommentFactory(post=post, author_name="Vera", author_email="vera@example.com", body="Mine")
    Subscription.objects.create(kind=Subscription.Kind.NEW_POSTS, email="vera@example.com", scope="site")
    reader.email = "vera@example.com"  # signed up with someone else's address, never verified
    reader.save()
    EmailAddress.objects.create(user=reader, email="vera@example.com", verified=False, primary=True)
    client.force_login(reader)
    client.post(reverse("accounts:erase"), {"confirm": "1"})
    victim.refresh_from_db()
    assert (victim.author_name, victim.author_email) == ("Vera", "vera@example.com")
    assert Subscription.objects.filter(email="vera@example.com").exists()


def test_the_export_holds_guest_comments_of_verified_addresses_only(client, reader, post):
    EmailAddress.objects.create(user=reader, email="rita@example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=reader, email="vera@example.com", verified=False, primary=False)
    CommentFactory(post=post, author_email="rita@example.com", body="As a guest")
    CommentFactory(post=post, author_email="vera@example.com", body="Someone else")
    client.force_login(reader)
    data = json.loads(client.get(reverse("accounts:export")).content)
    assert [c["body"] for c in data["comments"]] == ["As a guest"]


def test_an_identicon_is_served_as_svg_cacheable_for_a_year_with_no_cookie(client):
    from accounts.avatars import identicon_svg, identicon_url

    response = client.get(identicon_url("ann@example.com"))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == identicon_svg("ann@example.com")
    assert "max-age=31536000" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert not response.cookies


def test_an_identicon_url_that_is_not_a_hash_is_a_404(client):
    assert client.get("/accounts/avatars/ann@example.com.svg").status_code == 404
    assert client.get("/accounts/avatars/ABCDEF0123456789.svg").status_code == 404
