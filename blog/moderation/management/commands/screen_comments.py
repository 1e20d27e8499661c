"""`manage.py screen_comments FILE.csv [--returning] [--post SLUG]`: a dry run of the whole
moderation decision (rules, classifier, this site's Discussion settings) over a CSV.

The CSV has a `comment` column and optionally `name`, `email`, `url`, and `title` (or
`article`): the title of the post the comment was left under, for relevance. Each row is
judged as an unsaved comment from a first-time commenter (or, with `--returning`, from one
with one approved comment before) under `--post SLUG`; with neither a post nor a title, its
relevance is not judged (judging an export's comments against whatever post happens to be the
latest here would call them all off-topic). One JSON object per line is printed, in input order: `row`, `status` (approved / pending
/ spam / trash), `spam_score`, `reasons`, `top_features`. Akismet is not asked (it is an
outside service). Nothing is saved: the run happens in a transaction that is rolled back.
A progress bar goes to stderr for files of more than PROGRESS_ROWS rows.
"""

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from blog.comments.models import Comment, DiscussionSettings
from blog.models import Post
from blog.moderation import classifier, pipeline

PROGRESS_ROWS = 200


class Command(BaseCommand):
    help = "Dry run of the moderation decision over a CSV of comments; prints one JSON object per row."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with a `comment` column (optional `name`, `email`, `url`, `title`)")
        parser.add_argument("--returning", action="store_true",
                            help="judge each row as from a commenter with one approved comment before")
        parser.add_argument("--post", metavar="SLUG",
                            help="the published post the comments are under (default: each row's `title`, if any)")

    def handle(self, *args, file: str, returning: bool = False, post: str | None = None, **options):
        rows = self._read(file)
        target = self._post(post) if post else None
        topic = classifier.post_topic(target.title, target.body) if target else None
        # Read, never created: a dry run writes no Discussion settings row either.
        ds = DiscussionSettings.objects.filter(pk=1).first() or DiscussionSettings()
        now = timezone.now()
        bar = tqdm(total=len(rows), desc="comments", unit="comment", file=getattr(self.stderr, "_out", sys.stderr),
                   disable=len(rows) <= PROGRESS_ROWS or options.get("verbosity", 1) == 0)
        with transaction.atomic():
            for number, row in enumerate(rows, start=1):
                comment = Comment(post=target, body=row["comment"], author_name=(row.get("name") or "").strip(),
                                  author_email=(row.get("email") or "").strip(),
                                  author_url=(row.get("url") or "").strip(), created_at=now)
                title = (row.get("title") or row.get("article") or "").strip()
                judged = pipeline.comment_judge(comment, ds=ds, approved_before=1 if returning else 0, use_akismet=False,
                                                topic=topic or (classifier.post_topic(title) if title else None))
                self.stdout.write(json.dumps({
                    "row": number,
                    "status": judged.verdict.status,
                    "spam_score": judged.score.probability,
                    "reasons": [r.text for r in judged.verdict.reasons],
                    "top_features": list(judged.score.top_tokens[:5]),
                }, ensure_ascii=False))
                bar.update()
            transaction.set_rollback(True)  # a dry run: whatever a rule might have written goes
        bar.close()

    def _read(self, file: str) -> list[dict]:
        try:
            with open(file, newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                if "comment" not in (reader.fieldnames or []):
                    raise CommandError(f"{file} has no `comment` column (columns: {', '.join(reader.fieldnames or [])})")
                return list(reader)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None

    def _post(self, slug: str) -> Post:
        found = Post.objects.published().filter(slug=slug).order_by("-published_at").first()
        if found is None:
            raise CommandError(f"No published post with the slug {slug!r}.")
        return found
