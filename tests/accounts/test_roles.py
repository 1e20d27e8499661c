"""accounts.roles: the staff groups and their permissions, created after every migrate."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import STAFF_GROUPS, ensure_staff_groups

pytestmark = pytest.mark.django_db


def _names(permissions) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions.select_related("content_type")}


@pytest.mark.parametrize("group", sorted(STAFF_GROUPS))
def test_every_permission_a_staff_group_names_exists(group):
    # A misspelt or renamed permission would otherwise be skipped without a word.
    assert set(STAFF_GROUPS[group]) - _names(Permission.objects.all()) == set()


@pytest.mark.parametrize("group", sorted(STAFF_GROUPS))
def test_after_migrate_each_staff_group_has_exactly_its_permissions(group):
    assert _names(Group.objects.get(name=group).permissions.all()) == set(STAFF_GROUPS[group])


def test_ensuring_the_groups_again_adds_nothing_twice_and_keeps_what_an_owner_granted():
    moderators = Group.objects.get(name="Moderators")
    by_hand = Permission.objects.get(content_type__app_label="blog", codename="change_post")
    moderators.permissions.add(by_hand)
    ensure_staff_groups()
    assert Group.objects.filter(name="Moderators").count() == 1
    assert _names(moderators.permissions.all()) == {*STAFF_GROUPS["Moderators"], "blog.change_post"}
