"""Social login for commenters end to end, against a REAL OpenID Connect provider
(django-oauth-toolkit, OIDC on) running as a second local server process."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
import responses
from playwright.sync_api import expect

from accounts import pictures
from accounts.models import User
from tests.factories import PostFactory, UserFactory, jpeg

ROOT = Path(__file__).resolve().parents[2]
# The live server (localhost) and the local OpenID provider (127.0.0.1): no other host.
LOOPBACK = {"127.0.0.1", "localhost"}
DRAFT = "A thought I typed before signing in — every word of it."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The provider process; keep the issuer host identical (127.0.0.1) for browser and server."""
    port = _free_port()
    callback = f"{live_server.url}/accounts/oidc/localid/login/callback/"
    log = tmp_path_factory.mktemp("oidc") / "server.log"  # a file, not a pipe that could fill up
    process = subprocess.Popen([sys.executable, "-m", "tests.oidc_provider.serve", str(port), callback],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"),
                               env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings"})
    url = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urlopen(url + "/.well-known/openid-configuration", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the local OIDC provider did not start: " + log.read_text()[-2000:])
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def article(transactional_db):
    """A published post (built here: a transactional test loses the migrations' groups)."""
    return PostFactory(author=UserFactory(username="writer"))


@pytest.fixture
def site(settings, oidc_provider, live_server):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [{
        "provider_id": "localid", "name": "Local ID", "client_id": "dispatch-e2e",
        "secret": "dispatch-e2e-secret", "settings": {"server_url": oidc_provider, "oauth_pkce_enabled": True},
    }]}}
    return live_server


def _sign_in_at_the_provider(page):
    page.wait_for_selector("#provider-sign-in")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "lovelace-1815")


def _back_with_the_draft_and_the_identity(page, site, post):
    page.wait_for_url(f"{site.url}{post.get_absolute_url()}#respond")
    expect(page.locator("#comment")).to_have_value(DRAFT)
    expect(page.locator(".identity-using")).to_have_text("You are commenting using your Local ID account.")


def _post_comment(page, post):
    with page.expect_response(lambda r: r.url.endswith("/comments/post/")):
        page.click("#submit")
    expect(page.locator("#comments .comment-list")).to_contain_text(DRAFT)
    comment = post.comments.get()
    assert comment.user == User.objects.get(socialaccount__provider="localid")


@pytest.mark.django_db(transaction=True)
def test_a_reader_signs_in_through_a_popup_without_losing_the_typed_comment(page, site, article):
    page.goto(site.url + article.get_absolute_url())
    page.fill("#comment", DRAFT)
    with page.expect_popup() as popup_info:
        page.click(".social-login[data-provider=localid]")
    expect(page.locator(".social-login-status")).to_have_text("Connecting to Local ID…")
    popup = popup_info.value
    _sign_in_at_the_provider(popup)
    # The completion page reports to this page (postMessage, our origin) and closes itself.
    with popup.expect_event("close", timeout=20_000):
        popup.click("#provider-sign-in")
    expect(page.locator(".identity-using")).to_have_text("You are commenting using your Local ID account.")
    expect(page.locator(".identity-name")).to_have_text("Ada Lovelace")
    expect(page.locator(".comment-guest")).to_be_hidden()
    expect(page.locator("#comment")).to_have_value(DRAFT)
    user = User.objects.get(socialaccount__provider="localid")
    assert (user.email, user.display_name) == ("ada@example.com", "Ada Lovelace")
    _post_comment(page, article)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_redirect_path_brings_the_draft_back(browser, site, article):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + article.get_absolute_url())
    page.fill("#comment", DRAFT)
    page.fill("#author", "Ada")
    page.click(".social-login[data-provider=localid]")
    _sign_in_at_the_provider(page)
    page.click("#provider-sign-in")
    _back_with_the_draft_and_the_identity(page, site, article)
    _post_comment(page, article)
    context.close()



def _signed_in_without_a_popup(page, site, article) -> None:
    """With window.open blocked, the provider button falls back to the redirect: sign in there
    and come back to the article with the draft and the identity."""
    page.add_init_script("window.open = function () { return null; };")
    page.goto(site.url + article.get_absolute_url())
    page.fill("#comment", DRAFT)
    page.click(".social-login[data-provider=localid]")
    _sign_in_at_the_provider(page)
    page.click("#provider-sign-in")
    _back_with_the_draft_and_the_identity(page, site, article)

@pytest.mark.django_db(transaction=True)
def test_a_blocked_popup_falls_back_to_the_redirect_and_log_out_keeps_the_comment(page, site, article):
    _signed_in_without_a_popup(page, site, article)  # a popup blocker
    page.get_by_role("button", name="Log Out").click()
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator(".comment-signed-in")).to_be_hidden()
    expect(page.locator("#comment")).to_have_value(DRAFT)


@pytest.mark.django_db(transaction=True)
def test_a_social_commenters_pages_make_no_request_to_any_other_host(page, site, article):
    """The provider gives a picture on Google's servers: neither the signed-in reader's identity
    block nor the thread ever loads it; the identicon shows until the worker has stored the
    picture on our origin, and then that copy does."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    _signed_in_without_a_popup(page, site, article)  # the redirect path, one page
    _post_comment(page, article)
    page.reload()
    expect(page.locator(".identity-avatar")).to_be_visible()
    assert hosts and hosts <= LOOPBACK, hosts
    user = User.objects.get(socialaccount__provider="localid")
    assert user.avatar_url == ""  # not fetched yet: no worker runs in this test
    expect(page.locator("#comments .comment-list img.avatar").first).to_have_attribute(
        "src", re.compile(r"^/accounts/avatars/[0-9a-f]{16}\.svg$"))

    provider_picture = "https://lh3.googleusercontent.com/a/ada-lovelace"
    with responses.RequestsMock() as mock:  # what the worker's task does, with Google's answer mocked
        mock.get(provider_picture, body=jpeg())
        stored = pictures.picture_store(user_id=user.pk, url=provider_picture)
    assert stored.startswith("/media/avatars/")
    page.reload()
    expect(page.locator(".identity-avatar")).to_have_attribute("src", stored)
    expect(page.locator("#comments .comment-list img.avatar").first).to_have_attribute("src", stored)
    assert hosts <= LOOPBACK, hosts
