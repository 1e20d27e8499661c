from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Users, social login (allauth adapters), avatars, staff roles, ban/trust flags."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts.roles import ensure_staff_groups  # needs the auth models: loaded by now

        # After each app's migrate (its permissions exist by then): groups get what exists.
        post_migrate.connect(ensure_staff_groups, dispatch_uid="accounts.ensure_staff_groups")
