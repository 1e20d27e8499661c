"""accounts.services: the export and the erasure of a commenter's data. What the apps above
hold comes and goes through accounts.signals (the comments app's answers are tested in
tests/blog/comments/test_receivers.py)."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts import pictures
from accounts.models import User
from accounts.services import erase_commenter, export_data
from accounts.signals import user_data_erase, user_data_export

pytestmark = pytest.mark.django_db


def test_the_export_adds_each_apps_sections_after_the_accounts_own(reader, connect):
    connect(user_data_export, lambda sender, user, **kwargs: {"notes": [f"about {user.username}"]})
    connect(user_data_export, lambda sender, user, **kwargs: None)  # an app that holds nothing
    data = export_data(user=reader)
    assert list(data)[:3] == ["exported_at", "account", "linked_providers"]
    assert data["account"]["email"] == "reader@example.com"
    assert data["notes"] == ["about reader"]


def test_the_erasure_tells_the_apps_above_while_the_account_still_has_its_verified_addresses(reader, connect):
    EmailAddress.objects.create(user=reader, email="reader@example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=reader, email="rita@elsewhere.example", verified=True, primary=False)
    EmailAddress.objects.create(user=reader, email="typed@elsewhere.example", verified=False, primary=False)
    seen = []
    connect(user_data_erase, lambda sender, user, emails, **kwargs: seen.append(
        (sender, user.email, user.is_active, emails)))
    erase_commenter(user=reader)
    assert seen == [(User, "reader@example.com", True, frozenset({"reader@example.com", "rita@elsewhere.example"}))]
    reader.refresh_from_db()
    assert (reader.is_active, reader.email, reader.username) == (False, "", f"erased-{reader.pk}")
    assert not EmailAddress.objects.filter(user=reader).exists()


def test_an_app_that_fails_to_erase_undoes_the_whole_erasure(reader, connect):
    SocialAccount.objects.create(user=reader, provider="google", uid="g-1")

    def fail(**kwargs):
        raise RuntimeError("the comments table is locked")

    connect(user_data_erase, fail)
    with pytest.raises(RuntimeError):
        erase_commenter(user=reader)
    reader.refresh_from_db()
    assert (reader.is_active, reader.email) == (True, "reader@example.com")
    assert SocialAccount.objects.filter(user=reader).exists()


def test_the_erasure_deletes_the_stored_provider_picture(reader, django_capture_on_commit_callbacks):
    name = pictures.stored_name("https://lh3.googleusercontent.com/a/rita")
    default_storage.save(name, ContentFile(b"webp"))
    reader.avatar_url = default_storage.url(name)
    reader.save()
    with django_capture_on_commit_callbacks(execute=True):
        erase_commenter(user=reader)
    assert not default_storage.exists(name)
    reader.refresh_from_db()
    assert reader.avatar_url == ""
