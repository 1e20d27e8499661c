"""`manage.py pipeline_status`: is the moderation pipeline keeping up?

Prints the unchecked count and the oldest unchecked age, the last decisions with their
reasons, and whether any worker answers a ping. `--dry-run RULE [--last N]` answers "how many
of the last N comments would this rule have held?". Exit status 1 when no worker answers or
a comment has waited longer than --max-age seconds (for monitoring).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from blog.comments.models import Comment
from blog.moderation import pipeline
from blog.moderation.models import ModerationEvent
from config.celery import app


class Command(BaseCommand):
    help = "Unchecked comments, the oldest one's age, the last decisions and worker reachability."

    def add_arguments(self, parser):
        parser.add_argument("--last", type=int, default=10, help="How many recent decisions to show (default 10).")
        parser.add_argument("--timeout", type=float, default=2.0, help="Seconds to wait for workers to answer.")
        parser.add_argument("--max-age", type=float, default=300, help="Unchecked age (s) that counts as a failure.")
        parser.add_argument("--dry-run", metavar="RULE", help="Replay the last --last comments through one rule.")

    def handle(self, *args, last, timeout, max_age, dry_run, **options):
        if dry_run:
            try:
                result = pipeline.dry_run(rule=dry_run, last=last)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"rule {result.rule}: would have held {result.held} of the last {result.examined} "
                              f"comments {list(result.comment_ids)}")
            return
        unchecked = Comment.objects.unchecked()
        count = unchecked.count()
        oldest = unchecked.aggregate(oldest=Min("created_at"))["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        self.stdout.write(f"unchecked comments: {count}")
        self.stdout.write(f"oldest unchecked: {age:.0f} s" if oldest else "oldest unchecked: -")
        self.stdout.write("last decisions:")
        events = ModerationEvent.objects.select_related("actor").order_by("-created_at", "-pk")[:last]
        for e in events:
            who = e.actor.get_username() if e.actor else "pipeline"
            why = "; ".join(r.get("text", "") for r in e.reasons) or "-"
            shadow = " (shadow)" if e.shadow else ""
            self.stdout.write(f"  {e.created_at:%Y-%m-%d %H:%M:%S} comment {e.comment_id}: {e.action} by {who}"
                              f"{shadow}: {why}")
        if not events:
            self.stdout.write("  (none)")
        workers = self.ping(timeout)
        self.stdout.write(f"workers answering: {len(workers)}" + (f" ({', '.join(sorted(workers))})" if workers else ""))
        if not workers or age > max_age:
            raise SystemExit(1)

    @staticmethod
    def ping(timeout: float) -> list[str]:
        try:
            replies = app.control.ping(timeout=timeout) or []
        except Exception:  # a broker that is down means no worker can be reached
            return []
        return [name for reply in replies for name in reply]
