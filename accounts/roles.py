"""The staff roles, as groups with permissions, defined in one place.

Authors write their own posts (blog.edit_others_posts is what Editors add); Moderators
review comments (comments.moderate_comment) and may ban or trust commenters. Permissions
are named "app_label.codename" strings, so this module imports no app above accounts.
`ensure_staff_groups` runs after every `migrate` (post_migrate, connected in
AccountsConfig.ready) and is idempotent: it adds what is missing and never removes
what a site owner granted by hand.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

_AUTHOR = [
    "blog.add_post", "blog.change_post", "blog.view_post", "blog.add_postupdate", "blog.change_postupdate",
    "blog.view_postupdate", "blog.delete_postupdate", "blog.view_category", "blog.add_tag", "blog.view_tag",
    "media.add_image", "media.change_image", "media.view_image", "media.add_gallery", "media.change_gallery",
    "media.view_gallery", "comments.view_comment",
]

STAFF_GROUPS: dict[str, list[str]] = {
    "Authors": _AUTHOR,
    "Editors": [
        *_AUTHOR, "blog.delete_post", "blog.edit_others_posts", "media.delete_image", "blog.add_category",
        "blog.change_category", "blog.change_tag",
    ],
    "Moderators": [
        "comments.moderate_comment", "comments.view_comment", "comments.change_comment", "blog.view_post",
        "comments.view_commentreport", "accounts.view_user", "accounts.add_commenterflag",
        "accounts.change_commenterflag", "accounts.view_commenterflag", "accounts.delete_commenterflag",
        "socialaccount.view_socialaccount",
    ],
}


def _permissions(names: list[str]):
    q = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        q |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(q)


def ensure_staff_groups(**kwargs) -> None:
    """Create the staff groups and give them their permissions (those that exist yet)."""
    for name, perms in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(perms))
