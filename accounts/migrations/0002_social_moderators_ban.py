"""Moderators may ban (or trust) a commenter from the admin: they can see users and their
linked social accounts and manage CommenterFlag rows."""

from django.db import migrations

CODENAMES = {
    "accounts": ["view_user", "add_commenterflag", "change_commenterflag", "view_commenterflag",
                 "delete_commenterflag"],
    "socialaccount": ["view_socialaccount"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codenames in CODENAMES.items():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("blog", "0002_groups"),
        ("socialaccount", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
