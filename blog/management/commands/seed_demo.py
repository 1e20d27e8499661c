"""Demo content for `make run`: users, a developing story, a few more posts, an About page.

Idempotent: running it again changes nothing. `--comments N` adds N approved threaded
comments to the developing story (for benchmarks).
"""

import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from blog.models import Category, Post, PostUpdate, Tag

STORY_SLUG = "river-flooding-live-updates"


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
        password, _ = demo_password()
        users = self._users(password)
        story = self._content(users)
        if comments:
            from blog.demo import add_demo_comments

            add_demo_comments(story, comments, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content ready."))

    def _users(self, password: str) -> dict:
        User = get_user_model()
        users = {}
        for name, staff, superuser in (("admin", True, True), ("author", True, False), ("moderator", True, False)):
            user, created = User.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.com", "is_staff": staff, "is_superuser": superuser}
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save()
            users[name] = user
        from django.contrib.auth.models import Group

        for name, group in (("author", "Authors"), ("moderator", "Moderators")):
            grp = Group.objects.filter(name=group).first()
            if grp:
                users[name].groups.add(grp)
        return users

    def _content(self, users) -> Post:
        now = timezone.now()
        news, _ = Category.objects.get_or_create(slug="news", defaults={"name": "News"})
        weather, _ = Tag.objects.get_or_create(slug="weather", defaults={"name": "Weather"})
        story, created = Post.objects.get_or_create(
            slug=STORY_SLUG,
            defaults={
                "title": "River flooding: live updates",
                "author": users["author"],
                "status": Post.Status.PUBLISHED,
                "published_at": now - timedelta(days=1),
                "excerpt": "The river rose above its banks overnight. We are following the story.",
                "body": (
                    "The river rose above its banks overnight, closing two bridges and the "
                    "road along the quay.\n\n"
                    "> \"We have never seen the water this high in March,\" said a lock keeper.\n\n"
                    "What we know so far:\n\n- Both bridges are closed\n- Schools are open\n"
                    "- The water is expected to peak at noon\n\n"
                    "https://www.youtube.com/watch?v=aqz-KE-bpKQ\n"
                ),
            },
        )
        if created:
            story.categories.add(news)
            story.tags.add(weather)
            PostUpdate.objects.create(post=story, published_at=now - timedelta(hours=20),
                                      body="The east bridge has reopened to pedestrians.")
            PostUpdate.objects.create(post=story, published_at=now - timedelta(hours=2),
                                      body="The water has peaked and is falling slowly.")
        Post.objects.get_or_create(
            slug="about",
            defaults={"title": "About", "kind": Post.Kind.PAGE, "author": users["admin"],
                      "status": Post.Status.PUBLISHED, "published_at": now - timedelta(days=30),
                      "body": "Dispatch is a small newsroom blog."},
        )
        return story
