"""The admin: each user's social accounts, and moderators banning a commenter."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import CommenterFlag

pytestmark = pytest.mark.django_db


def test_a_users_page_shows_their_social_accounts(client, admin_user, reader):
    SocialAccount.objects.create(user=reader, provider="google", uid="g-42")
    client.force_login(admin_user)
    html = client.get(reverse("admin:accounts_user_change", args=[reader.pk])).content.decode()
    assert "g-42" in html
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "google" in listing


def test_a_moderator_can_ban_a_user_from_commenting_once(client, moderator, reader):
    client.force_login(moderator)
    for _ in range(2):
        response = client.post(reverse("admin:accounts_user_changelist"),
                               {"action": "ban_from_commenting", "_selected_action": [reader.pk]})
        assert response.status_code == 302
    flag = CommenterFlag.objects.get()
    assert (flag.kind, flag.user, flag.created_by) == ("ban", reader, moderator)


def test_a_moderator_can_add_a_ban_by_email(client, moderator):
    client.force_login(moderator)
    response = client.post(reverse("admin:accounts_commenterflag_add"),
                           {"kind": "ban", "email": "troll@example.com", "reason": "abuse"})
    assert response.status_code == 302
    assert CommenterFlag.objects.get().created_by == moderator


def test_a_moderator_cannot_edit_users(client, moderator, reader):
    client.force_login(moderator)
    response = client.post(reverse("admin:accounts_user_change", args=[reader.pk]), {"username": "hijacked"})
    assert response.status_code == 403
