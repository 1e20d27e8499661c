"""Demo content for `make run`: users, a developing story, a few more posts, an About page.

Idempotent: running it again changes nothing (every row is found by a natural key first).
`--comments N` adds N approved threaded comments to the developing story (for benchmarks).
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from blog.demo import STORY_SLUG, add_demo_comments, demo_conversation, seed_content

__all__ = ["STORY_SLUG", "Command", "demo_password"]


def demo_password() -> tuple[str, bool]:
    """DEMO_PASSWORD, else one generated once and kept under var/. Returns (password, generated)."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD, False
    path = settings.VAR_DIR / "demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        os.chmod(path, 0o600)
    return path.read_text().strip(), True


class Command(BaseCommand):
    help = "Create demo users and content (idempotent). --comments N adds N comments to one post."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=0, help="approved threaded comments to add")

    def handle(self, *args, comments: int = 0, **options):
        if comments < 0:
            raise CommandError("--comments must be zero or more.")
        password, generated = demo_password()
        users = self._users(password)
        story = seed_content(users)
        with transaction.atomic():  # the worker screens these once they are committed
            demo_conversation(story, users["moderator"])
        if comments:
            add_demo_comments(story, comments, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content ready."))
        self.stdout.write(f"  Site:   {settings.SITE_URL}/")
        self.stdout.write(f"  Admin:  {settings.SITE_URL}/admin/")
        self.stdout.write("  Logins: admin (superuser), author, moderator")
        source = "generated once, kept in var/demo-password" if generated else "from DEMO_PASSWORD"
        self.stdout.write(f"  Password: {password}  ({source})")

    def _users(self, password: str) -> dict:
        User = get_user_model()
        users = {}
        for name, display, superuser in (
            ("admin", "Site Admin", True),
            ("author", "Alex Author", False),
            ("moderator", "Morgan Moderator", False),
        ):
            user, created = User.objects.get_or_create(
                username=name,
                defaults={"email": f"{name}@example.com", "is_staff": True, "is_superuser": superuser,
                          "display_name": display},
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save()
            users[name] = user
        for name, group in (("author", "Authors"), ("moderator", "Moderators")):
            grp = Group.objects.filter(name=group).first()
            if grp:
                users[name].groups.add(grp)
        return users
