"""The staff groups: Authors write their own posts, Editors all posts, Moderators review
comments (blog.moderate_comment)."""

from django.db import migrations

GROUPS = {
    "Authors": [
        "add_post", "change_post", "view_post", "add_postupdate", "change_postupdate", "view_postupdate",
        "delete_postupdate", "add_image", "change_image", "view_image", "add_gallery", "change_gallery",
        "view_gallery", "view_category", "add_tag", "view_tag", "view_comment",
    ],
    "Editors": [
        "add_post", "change_post", "delete_post", "view_post", "edit_others_posts", "add_postupdate",
        "change_postupdate", "delete_postupdate", "view_postupdate", "add_image", "change_image",
        "delete_image", "view_image", "add_gallery", "change_gallery", "view_gallery", "add_category",
        "change_category", "view_category", "add_tag", "change_tag", "view_tag", "view_comment",
    ],
    "Moderators": ["moderate_comment", "view_comment", "change_comment", "view_post", "view_commentreport"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="blog", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
