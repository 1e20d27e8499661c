"""`manage.py pipeline_status` and its dry run."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from blog.moderation import pipeline
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def run(*args, monkeypatch=None, workers=()):
    from io import StringIO

    from blog.moderation.management.commands import pipeline_status

    if monkeypatch:
        monkeypatch.setattr(pipeline_status.Command, "ping", staticmethod(lambda timeout: list(workers)))
    out = StringIO()
    code = 0
    try:
        call_command("pipeline_status", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return out.getvalue(), code


def test_it_reports_the_backlog_and_the_last_decisions(post, monkeypatch):
    CommentFactory(post=post, status="pending", checked_at=None,
                   created_at=timezone.now() - timezone.timedelta(seconds=90))
    decided = CommentFactory(post=post, status="pending", checked_at=None, body="I planted tomatoes last spring.")
    pipeline.comment_screen(comment_id=decided.pk)
    out, code = run(monkeypatch=monkeypatch, workers=["celery@a"])
    assert "unchecked comments: 1" in out
    assert "oldest unchecked: 9" in out  # 90 s or a little more
    assert f"comment {decided.pk}: hold by pipeline: held: first comment from this author" in out
    assert "workers answering: 1 (celery@a)" in out
    assert code == 0


def test_it_fails_when_no_worker_answers(monkeypatch):
    out, code = run(monkeypatch=monkeypatch, workers=[])
    assert "workers answering: 0" in out
    assert code == 1


def test_the_dry_run_counts_what_a_rule_would_hold(post):
    CommentFactory(post=post, body="see http://a.test and http://b.test")
    CommentFactory(post=post, body="no links")
    out, _ = run("--dry-run", "links", "--last", "5")
    assert out.startswith("rule links: would have held 1 of the last 2 comments")
    with pytest.raises(CommandError, match="Unknown rule"):
        call_command("pipeline_status", "--dry-run", "nope")
