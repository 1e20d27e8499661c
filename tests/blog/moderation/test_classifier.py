"""The naive Bayes spam classifier: features, seeding, learning, and held-out accuracy."""

import csv
import time
from pathlib import Path

import pytest

from blog.moderation import classifier as spam
from blog.moderation.models import SpamToken
from tests.factories import CommentFactory


def held_out_rows(data_dir: Path) -> list[tuple[str, bool]]:
    """The rows of the YouTube Spam Collection files (tests/data/youtube-spam/) that are NOT
    in the shipped seed (seed: index % 4 == 0)."""
    paths = sorted((data_dir / "youtube-spam").glob("Youtube0*.csv"))
    assert len(paths) == 4, paths
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i % 4:
                    rows.append((row["CONTENT"], row["label"] == "1"))
    return rows


def test_features_are_folded_words_and_link_domains():
    feats = spam.features("Check my CHANNEL at https://www.spam.test/x and c\u0430sino", urls=["http://shop.test"])
    assert {"check", "channel", "casino", "domain:spam.test", "domain:shop.test", "has:link"} <= set(feats)
    assert len(feats) == len(set(feats))


def test_an_unknown_word_is_neutral_and_a_spam_only_word_is_spammy():
    assert spam.token_probability(0, 0, spam_docs=10, ham_docs=10) == 0.5
    assert spam.token_probability(9, 0, spam_docs=10, ham_docs=10) > 0.85
    assert spam.token_probability(0, 9, spam_docs=10, ham_docs=10) < 0.15


@pytest.mark.django_db
def test_it_seeds_itself_from_the_shipped_corpus_on_first_use():
    assert not SpamToken.objects.exists()
    spam.score("hello")
    docs = SpamToken.objects.get(token=spam.DOCS)
    assert docs.spam + docs.ham == len(spam.seed_rows()) == 398
    spam.ensure_seeded()
    assert SpamToken.objects.filter(token=spam.DOCS).count() == 1


@pytest.mark.django_db
def test_it_scores_channel_promotion_as_spam_and_a_reply_as_ham():
    promo = spam.score("Please subscribe to my channel and check out my new video http://bit.ly/x")
    reply = spam.score("This song always reminds me of summer, love it")
    assert promo.probability > 0.9 > 0.5 > reply.probability
    assert "subscribe" in promo.top_tokens


@pytest.mark.django_db
def test_it_learns_from_a_moderator_decision():
    text = "zorblax quintessential flumph"
    before = spam.score(text).probability
    for _ in range(3):
        spam.learn(CommentFactory(body=text, author_url="https://zorblax.test/"), is_spam=True)
    after = spam.score(text, urls=["https://zorblax.test/"])
    assert before < 0.5
    assert after.probability > 0.9
    assert "zorblax" in after.top_tokens
    assert SpamToken.objects.get(token="zorblax").spam == 3


@pytest.mark.django_db
def test_undoing_a_decision_takes_the_counts_back():
    comment = CommentFactory(body="zorblax")
    spam.learn(comment, is_spam=True)
    spam.learn(comment, is_spam=True, undo=True)
    assert SpamToken.objects.get(token="zorblax").spam == 0


@pytest.mark.django_db
def test_retrain_rebuilds_from_seed_and_decisions():
    spam.learn(CommentFactory(body="zorblax"), is_spam=True)
    n = spam.retrain(decisions=[(CommentFactory(body="flumph"), False)])
    assert n == 1
    assert not SpamToken.objects.filter(token="zorblax").exists()
    assert SpamToken.objects.get(token="flumph").ham == 1


@pytest.mark.django_db
def test_scoring_takes_one_query_once_seeded(django_assert_num_queries):
    spam.ensure_seeded()
    with django_assert_num_queries(2):  # the seeded check and the counts
        spam.score("check out my channel")


@pytest.mark.django_db
def test_held_out_accuracy_on_the_youtube_spam_collection(capsys, data_dir):
    rows = held_out_rows(data_dir)
    assert len(rows) > 1000
    spam.ensure_seeded()
    started = time.perf_counter()
    scored = [(spam.score(text).probability, is_spam) for text, is_spam in rows]
    elapsed = time.perf_counter() - started
    accuracy = sum((p >= 0.5) == is_spam for p, is_spam in scored) / len(rows)
    hams = [p for p, is_spam in scored if not is_spam]
    spams = [p for p, is_spam in scored if is_spam]
    ham_to_spam = sum(p >= 0.9 for p in hams) / len(hams)
    spam_caught = sum(p >= 0.9 for p in spams) / len(spams)
    with capsys.disabled():
        print(f"\nspam classifier: held-out accuracy {accuracy:.3f} on {len(rows)} comments "
              f"(seed {len(spam.seed_rows())}); at the 0.9 spam threshold {spam_caught:.1%} of spam caught, "
              f"{ham_to_spam:.1%} of ham wrongly sent to spam; {len(rows) / elapsed:.0f} scores/s")
    assert accuracy >= 0.85
    assert ham_to_spam <= 0.03
