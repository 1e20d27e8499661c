"""The moderation decision on comments the classifier has not trained on.

Cross-validated: the blog comments (tests/data/blog-comments/) in five folds by article,
the YouTube comments (tests/data/youtube-spam/) by video. For each fold the seed model is
rebuilt without that fold — its counts AND its calibration (fitted on out-of-fold scores of
the training part only), so nothing is tuned on the comments being judged. Each held-out
comment then goes through the real rules with the default Discussion settings, as from a
first-time commenter and as from a returning one (one approved comment before), on a site's
first day (no moderator decision learned) and on a site whose classifier has learned enough
decisions to send to spam.

Prints, per data set and commenter: the share of genuine comments sent to spam, the share of
genuine comments approved without a human, the share of spam not published; a reliability
table (predicted vs observed spam rate per bucket); and the hold threshold's trade-off.

And a site that learns: in each held-out fold, the site's moderators decide the first N
comments (in a fixed shuffled order) and the classifier learns them as the site's own
decisions (SpamToken counts, each worth SITE_WEIGHT seed comments); the fold's other comments
are then judged with spam allowed (N >= spam_min_decisions). This is what "spam needs
evidence" has to survive: no genuine comment sent to spam once the site's own decisions
support a verdict.
"""

import csv
import math
import random
from collections import Counter

from tests.conftest import DATA_DIR

BUCKETS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.01)


def blog_rows() -> list[dict]:
    with open(DATA_DIR / "blog-comments" / "datacamp_train_half.csv", newline="", encoding="utf-8") as fh:
        return [{"text": r["comment"], "spam": r["label"] == "1", "group": f"article:{r['article']}",
                 "title": r["article"], "name": ""} for r in csv.DictReader(fh)]


def youtube_rows() -> list[dict]:
    rows = []
    for path in sorted((DATA_DIR / "youtube-spam").glob("Youtube0*.csv")):
        video = path.stem.split("-", 1)[1]
        with open(path, newline="", encoding="utf-8") as fh:
            rows += [{"text": r["CONTENT"], "spam": r["label"] == "1", "group": f"video:{video}", "video": video,
                      "name": r["AUTHOR"]} for r in csv.DictReader(fh)]
    return rows


def held_out_folds(rows: list[dict], *, folds: int):
    """(k, seed model built without fold k, the rows of fold k) for each fold: folds are
    whole groups (an article, a video), assigned in a fixed order."""
    from blog.moderation import classifier as spam

    seed = spam.seed_examples()
    groups = sorted({r["group"] for r in rows})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    for k in range(folds):
        held = {g for g, f in fold_of.items() if f == k}
        yield k, spam.build_seed_model([e for e in seed if e.group not in held]), [r for r in rows if r["group"] in held]


def held_out_predictions(rows: list[dict], *, folds: int) -> list[tuple[float, tuple[str, ...], dict]]:
    """(calibrated probability, spammy features, row) for every row, each scored by a seed
    model built without the row's fold."""
    from blog.moderation import classifier as spam

    out = []
    for _k, model, fold in held_out_folds(rows, folds=folds):
        for r in fold:
            raw, top = spam.raw_score(_features(spam, r), model.counts)
            out.append((model.calibration(raw), top, r))
    return out


def site_learning(rows: list[dict], *, folds: int, decided: int) -> list[tuple[float, tuple[str, ...], dict]]:
    """(probability, spammy features, row) for the comments of each held-out fold after the
    site has learned `decided` of that fold's other comments from its moderators."""
    from blog.moderation import classifier as spam

    out = []
    for k, model, fold in held_out_folds(rows, folds=folds):
        random.Random(k).shuffle(fold)
        learned, judged = fold[:decided], fold[decided:]
        site, docs = {True: Counter(), False: Counter()}, Counter()
        for r in learned:
            site[r["spam"]].update(_features(spam, r))
            docs[r["spam"]] += 1
        counts = {f: (site[True][f], site[False][f]) for f in set(site[True]) | set(site[False])}
        for r in judged:
            raw, top = spam.raw_score(_features(spam, r), model.counts, counts, (docs[True], docs[False]))
            out.append((model.calibration(raw), top, r))
    return out


def _features(spam, r: dict) -> list[str]:
    title = r.get("title") or spam.VIDEO_TITLES.get(r.get("video", ""), "")
    return spam.features(r["text"], name=r["name"], topic=spam.post_topic(title))


def judge(predictions, *, returning: bool, site_decisions: int, settings) -> dict[str, float]:
    from blog.moderation import rules

    genuine = spam_total = genuine_spam = genuine_approved = spam_stopped = 0
    for p, top, r in predictions:
        facts = rules.CommentFacts(text=r["text"], name=r["name"] or "Reader", email="reader@example.com",
                                   links=tuple(rules.extract_links(r["text"])), form_age=30.0,
                                   approved_before=int(returning), spam_score=p, spam_tokens=top,
                                   site_decisions=site_decisions)
        status = rules.evaluate(facts, settings)[0].status
        if r["spam"]:
            spam_total += 1
            spam_stopped += status != "approved"
        else:
            genuine += 1
            genuine_spam += status == "spam"
            genuine_approved += status == "approved"
    return {"genuine to spam": genuine_spam / genuine, "genuine approved": genuine_approved / genuine,
            "spam not published": spam_stopped / spam_total, "n genuine": genuine, "n spam": spam_total,
            "genuine to spam (count)": genuine_spam}


def reliability(predictions) -> list[str]:
    lines = ["   bucket       n   predicted  observed"]
    for lo, hi in zip(BUCKETS, BUCKETS[1:], strict=False):
        inside = [(p, r["spam"]) for p, _, r in predictions if lo <= p < hi]
        if inside:
            predicted = sum(p for p, _ in inside) / len(inside)
            observed = sum(y for _, y in inside) / len(inside)
            lines.append(f"   {lo:.2f}-{min(hi, 1):.2f} {len(inside):5d}   {predicted:8.3f}  {observed:8.3f}")
    scored = [(p, r["spam"]) for p, _, r in predictions]
    brier = sum((p - y) ** 2 for p, y in scored) / len(scored)
    loss = -sum(math.log(max(1e-9, p if y else 1 - p)) for p, y in scored) / len(scored)
    lines.append(f"   Brier score {brier:.3f}, log loss {loss:.3f}")
    return lines


def auc(predictions) -> float:
    pos = [p for p, _, r in predictions if r["spam"]]
    neg = [p for p, _, r in predictions if not r["spam"]]
    return sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))


def run() -> dict[str, float | str]:
    from blog.comments.models import DiscussionSettings
    from blog.moderation.pipeline import rule_settings

    ds = DiscussionSettings()  # the defaults a new site starts with
    settings = rule_settings(ds)
    result: dict[str, float | str] = {
        "thresholds": f"hold {ds.hold_threshold:g}, spam {ds.spam_threshold:g}, "
                      f"spam needs {ds.spam_min_decisions} site decisions",
    }
    n = ds.spam_min_decisions
    # A blog fold has about 70 comments, a YouTube one about 400.
    for name, rows, folds, sizes in (("blog", blog_rows(), 5, (n,)), ("youtube", youtube_rows(), 4, (n, 4 * n))):
        predictions = held_out_predictions(rows, folds=folds)
        result[f"{name} AUC (held out)"] = auc(predictions)
        runs = [("first day", 0, predictions)]
        runs += [(f"after the site learned {k} decisions", k, site_learning(rows, folds=folds, decided=k)) for k in sizes]
        for day, decisions, judged in runs:
            for who in ("first-time", "returning"):
                m = judge(judged, returning=who == "returning", site_decisions=decisions, settings=settings)
                result[f"{name} {day} {who}"] = (
                    f"genuine to spam {m['genuine to spam']:.1%} ({m['genuine to spam (count)']} of "
                    f"{m['n genuine']}), genuine approved {m['genuine approved']:.1%}, "
                    f"spam not published {m['spam not published']:.1%} (of {m['n spam']})")
        print(f"   {name}: reliability of the held-out probabilities", flush=True)
        print("\n".join(reliability(predictions)), flush=True)
        print(f"   {name}: hold threshold trade-off (returning commenters)", flush=True)
        for hold in (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5):
            trial = rule_settings(ds)
            trial = type(trial)(**{**trial.__dict__, "hold_threshold": hold})
            m = judge(predictions, returning=True, site_decisions=0, settings=trial)
            print(f"   hold {hold:.2f}: genuine approved {m['genuine approved']:.1%}, "
                  f"spam not published {m['spam not published']:.1%}", flush=True)
    return result
