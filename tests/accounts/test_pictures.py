"""accounts.pictures: a provider's picture is fetched over https from its image hosts only,
size-capped, re-encoded by Pillow and stored on our origin; only HTTP is mocked."""

import io

import pytest
import requests
import responses
from django.core.files.storage import default_storage
from PIL import Image

from accounts import pictures
from accounts.tasks import store_picture
from tests.factories import UserFactory, jpeg

GOOGLE = "https://lh3.googleusercontent.com/a/grace=s96-c"


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.mark.parametrize("url", [
    "http://lh3.googleusercontent.com/a/grace", "https://evil.example/a.png", "https://lh3.googleusercontent.com.evil.example/a",
    "https://user:pw@lh3.googleusercontent.com/a", "https://lh3.googleusercontent.com:8443/a", "ftp://pbs.twimg.com/a",
    "//pbs.twimg.com/a", "", "https://[::1/a",
])
def test_only_https_urls_on_the_providers_image_hosts_are_allowed(url):
    assert pictures.is_allowed(url) is False


@pytest.mark.parametrize("url", [GOOGLE, "https://pbs.twimg.com/profile_images/1/a.jpg",
                                 "https://platform-lookaside.fbsbx.com/p?asid=1", "https://scontent.xx.fbcdn.net/v/a.jpg"])
def test_the_providers_image_hosts_are_allowed(url):
    assert pictures.is_allowed(url) is True


def test_a_plain_http_picture_is_refused_without_a_request(mock):
    with pytest.raises(pictures.PictureRefused):
        pictures.download("http://lh3.googleusercontent.com/a/grace")
    assert not mock.calls


def test_a_host_not_allowed_is_refused_without_a_request(mock):
    with pytest.raises(pictures.PictureRefused):
        pictures.download("https://tracker.example/pixel.png")
    assert not mock.calls


def test_a_redirect_to_a_host_not_allowed_is_refused(mock):
    mock.get(GOOGLE, status=302, headers={"Location": "https://tracker.example/pixel.png"})
    with pytest.raises(pictures.PictureRefused):
        pictures.download(GOOGLE)
    assert [call.request.url for call in mock.calls] == [GOOGLE]


def test_a_redirect_to_an_allowed_host_is_followed(mock):
    mock.get("https://graph.facebook.com/1/picture", status=302, headers={"Location": "https://scontent.xx.fbcdn.net/p.jpg"})
    mock.get("https://scontent.xx.fbcdn.net/p.jpg", body=jpeg())
    assert pictures.download("https://graph.facebook.com/1/picture") == jpeg()


def test_a_picture_declared_too_big_is_refused(mock):
    mock.get(GOOGLE, body=b"x" * 10, headers={"Content-Length": str(pictures.MAX_BYTES + 1)}, auto_calculate_content_length=False)
    with pytest.raises(pictures.PictureRefused, match="bytes"):
        pictures.download(GOOGLE)


def test_a_picture_streamed_past_the_cap_is_refused(mock, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_BYTES", 1000)
    mock.get(GOOGLE, body=b"\xff" * 1001)
    with pytest.raises(pictures.PictureRefused, match="over 1000 bytes"):
        pictures.download(GOOGLE)


def test_a_picture_at_the_cap_is_accepted(mock, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_BYTES", 1000)
    mock.get(GOOGLE, body=b"\xff" * 1000)
    assert len(pictures.download(GOOGLE)) == 1000


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(pictures.PictureRefused, match="not a readable image"):
        pictures.reencode(b"<html>Sign in to continue</html>")


def test_a_truncated_image_is_refused():
    with pytest.raises(pictures.PictureRefused):
        pictures.reencode(jpeg()[:300])


def test_the_stored_picture_is_a_fresh_square_webp_without_exif():
    out = pictures.reencode(jpeg((300, 200)))
    with Image.open(io.BytesIO(out)) as im:
        assert im.format == "WEBP"
        assert im.size == (pictures.SIZE, pictures.SIZE)
        assert not im.getexif()
        assert "exif" not in im.info and "icc_profile" not in im.info
    assert b"Secret Camera" not in out


@pytest.mark.django_db
def test_the_task_stores_the_picture_on_our_origin_and_makes_it_the_users_avatar(mock):
    user = UserFactory()
    mock.get(GOOGLE, body=jpeg())
    local = store_picture.apply(args=[user.pk, GOOGLE]).get()
    user.refresh_from_db()
    assert user.avatar_url == local == pictures.local_url(GOOGLE)
    assert local.startswith("/media/avatars/") and local.endswith(".webp") and "grace" not in local
    assert default_storage.exists(pictures.stored_name(GOOGLE))


@pytest.mark.django_db
def test_a_picture_already_stored_is_not_fetched_again(mock):
    first, second = UserFactory(), UserFactory()
    mock.get(GOOGLE, body=jpeg())
    pictures.picture_store(user_id=first.pk, url=GOOGLE)
    pictures.picture_store(user_id=second.pk, url=GOOGLE)
    assert len(mock.calls) == 1
    second.refresh_from_db()
    assert second.avatar_url == pictures.local_url(GOOGLE)


@pytest.mark.django_db
def test_a_refused_picture_leaves_the_avatar_empty(mock):
    user = UserFactory(avatar_url="")
    mock.get(GOOGLE, body=b"not an image")
    assert pictures.picture_store(user_id=user.pk, url=GOOGLE) == ""
    user.refresh_from_db()
    assert user.avatar_url == ""
    assert not default_storage.exists(pictures.stored_name(GOOGLE))


@pytest.mark.django_db
def test_a_network_failure_is_retried_by_the_task(mock):
    user = UserFactory()
    mock.get(GOOGLE, body=requests.ConnectionError("reset"))
    result = store_picture.apply(args=[user.pk, GOOGLE])
    assert isinstance(result.result, requests.ConnectionError)
    assert store_picture.max_retries == 4 and requests.ConnectionError in store_picture.autoretry_for
