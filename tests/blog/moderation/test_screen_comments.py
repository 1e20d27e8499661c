"""`manage.py screen_comments`: a dry run of the whole decision over a CSV, saving nothing."""

import csv
import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import CommenterFlag
from blog.comments.models import DiscussionSettings
from blog.moderation import classifier
from blog.moderation.models import SpamToken
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def write_csv(path, rows, columns=("comment", "name", "email", "url")):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def screen(*args) -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    call_command("screen_comments", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()]


ROWS = [
    {"comment": "How do I change the colours of the word cloud?", "name": "Ann", "email": "ann@example.com", "url": ""},
    {"comment": "queue-1 comment number 0 with a link https://example.net/0", "name": "Bo", "email": "bo@example.com",
     "url": ""},
    {"comment": "first thoughts", "name": "Cy", "email": "cy@example.com", "url": "https://cy.example/"},
    {"comment": "Buy cheap casino chips", "name": "Dee", "email": "dee@example.com", "url": ""},
]


def test_it_prints_one_judgement_per_row_in_order_with_status_score_and_reasons(tmp_path):
    ds = DiscussionSettings.load()
    ds.disallowed_words = "casino"
    ds.save()
    results = screen(write_csv(tmp_path / "c.csv", ROWS))
    assert [r["row"] for r in results] == [1, 2, 3, 4]
    assert [r["status"] for r in results] == ["pending", "pending", "pending", "spam"]
    assert all(0 <= r["spam_score"] <= 1 for r in results)
    assert results[0]["reasons"][0] == "held: first comment from this author"
    assert results[3]["reasons"] == ["spam: disallowed word 'casino' in the text"]


def test_returning_judges_each_row_as_from_a_commenter_with_one_approved_comment(tmp_path):
    results = screen(write_csv(tmp_path / "c.csv", ROWS[:1]), "--returning")
    assert results[0]["status"] == "approved" and results[0]["reasons"] == []


def test_only_the_comment_column_is_required_and_a_banned_email_is_judged(tmp_path):
    CommenterFlag.objects.create(kind="ban", email="dee@example.com")
    plain = screen(write_csv(tmp_path / "p.csv", [{"comment": "Hello"}], columns=("comment",)))
    assert plain[0]["status"] == "pending"
    banned = screen(write_csv(tmp_path / "b.csv", ROWS[3:]), "--returning")
    assert banned[0]["status"] == "spam" and "spam: the author is banned" in banned[0]["reasons"]


def test_the_post_decides_relevance(tmp_path):
    PostFactory(slug="word-clouds", title="Generating word clouds in Python", body="Word frequencies with nltk.")
    PostFactory(slug="floods", title="Flood warnings for the valley", body="The river rose overnight.")
    path = write_csv(tmp_path / "c.csv", [{"comment": "My word cloud in Python shows only stopwords"}],
                     columns=("comment",))
    on_topic = screen(path, "--post", "word-clouds")[0]
    off_topic = screen(path, "--post", "floods")[0]
    assert on_topic["spam_score"] < off_topic["spam_score"]
    with pytest.raises(CommandError, match="No published post"):
        screen(path, "--post", "nope")


def test_it_saves_nothing(tmp_path):
    post = PostFactory()
    CommentFactory(post=post, author_email="ann@example.com", status="approved")
    classifier.learn(CommentFactory(post=post, body="zorblax"), is_spam=True)
    models = [m for m in apps.get_models() if not m._meta.proxy]

    def snapshot():
        return {m._meta.label: m._default_manager.count() for m in models}

    before = snapshot()
    tokens = sorted(SpamToken.objects.values_list("token", "spam", "ham"))
    rows = ROWS * 60  # long enough for the progress bar too
    results = screen(write_csv(tmp_path / "c.csv", rows))
    assert len(results) == len(rows)
    assert snapshot() == before
    assert sorted(SpamToken.objects.values_list("token", "spam", "ham")) == tokens
    assert not DiscussionSettings.objects.exists()


def test_a_file_without_a_comment_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no `comment` column"):
        screen(write_csv(tmp_path / "c.csv", [{"text": "hi"}], columns=("text",)))


def test_a_title_column_gives_each_row_its_post_and_without_one_relevance_is_not_judged(tmp_path):
    PostFactory(slug="floods", title="Flood warnings for the valley", body="The river rose overnight.")
    text = "My word cloud in Python shows only stopwords"
    with_titles = screen(write_csv(tmp_path / "t.csv", [
        {"comment": text, "title": "Generating word clouds in Python"},
        {"comment": text, "title": "Flood warnings for the valley"}], columns=("comment", "title")))
    assert with_titles[0]["spam_score"] < with_titles[1]["spam_score"]
    # No --post and no title: judged on its own, not against whatever post is the latest here.
    plain = screen(write_csv(tmp_path / "p.csv", [{"comment": text}], columns=("comment",)))[0]
    off_topic = screen(write_csv(tmp_path / "p.csv", [{"comment": text}], columns=("comment",)), "--post", "floods")[0]
    assert plain["spam_score"] < off_topic["spam_score"]
    assert not [f for f in plain["top_features"] if f.startswith("topic:")]


def test_a_regular_readers_comment_with_one_ordinary_link_is_never_spam(tmp_path):
    rows = [{"comment": f"queue-{i} comment number {i} with a link https://example.net/{i}"} for i in range(5)]
    path = write_csv(tmp_path / "c.csv", rows, columns=("comment",))
    for args in ((), ("--returning",)):
        assert {r["status"] for r in screen(path, *args)} <= {"pending", "approved"}
