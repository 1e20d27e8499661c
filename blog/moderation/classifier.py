"""The local spam classifier: naive Bayes over words and the comment's structure, calibrated.

Why a short module and not a dependency: comment spam is mostly vocabulary ("check out my
channel", "call our toll-free number") plus a few structural tells (links and their domains,
phone numbers, e-mail addresses, keyword-stuffed names, text that has nothing to do with the
post); scikit-learn would add a large dependency for no measurable gain, while counts learn
incrementally from every moderator decision with two UPDATE statements.

Model:
- `features()` turns a comment into distinct features: folded words (not word pairs: with a
  few hundred labelled blog comments, pairs are mostly noise — dropping them lifted the
  held-out blog AUC from 0.79 to 0.82), and structure features (`has:link`, `links:many`,
  `link:elsewhere` (not a code host, Q&A or reference site), `domain:<host>`, `has:phone`,
  `has:email`, `has:commercial`, the promotion tells of `rules.promotion` (`has:service`,
  `has:selling`, `has:contact-me`, `has:anchor`, `has:keyword-trail`, `link:homepage`),
  `has:question`, `has:code`, `name:keywords`, `url:keywords`, `has:website`, `topic:title` /
  `topic:none` against the post it is under, a length bucket).
- Structural tells carry what is known about them before any data (`TELLS`: their rates in
  spam and in genuine comments, as `TELL_WEIGHT` comments of evidence), so a seed with 33
  blog spam comments cannot unlearn that a hand-written `<a href>` is a backlink.
- Two sets of counts: the **seed** (a weak prior, read from the shipped CSVs in
  `blog/moderation/data/`, kept in memory, never in the database) and the **site's own
  moderator decisions** (`SpamToken` rows; the row `__docs__` counts the decisions). A site
  decision weighs `SITE_WEIGHT` seed comments, so the site's own judgement takes over as it
  accumulates.
- The raw score sums the smoothed log-likelihood ratios of the `INTERESTING` most telling
  features; `Calibration` (Platt scaling, fitted on out-of-fold scores of the blog seed,
  folds by article) turns it into a probability that means what it says.

Seeds: `spam_seed.csv` (every fourth row of the YouTube Spam Collection, CC BY 4.0, see
LICENSE-spam-seed.txt) and `blog_seed.csv` (361 hand-labelled reader comments under 50 blog
articles, see LICENSE-blog-seed.txt).
"""

from __future__ import annotations

import csv
import functools
import html
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F

from blog.moderation.models import SpamToken
from blog.moderation.rules import (
    EMAIL,
    domain_of,
    extract_links,
    is_reference,
    normalise,
    phone_numbers,
    promotion,
)

DATA = Path(__file__).resolve().parent / "data"
SEED_FILE = DATA / "spam_seed.csv"
BLOG_SEED_FILE = DATA / "blog_seed.csv"
DOCS = "__docs__"
MAX_FEATURES = 300
INTERESTING = 15
ALPHA = 1.0  # additive smoothing of each class's feature counts
CAP = 4.0  # no single feature moves the log-odds by more than this
SITE_WEIGHT = 3.0  # one moderator decision of this site counts as this many seed comments
# One seed comment of each source counts this much: YouTube comments lend vocabulary, blog
# comments are what a site gets (half weight lifted the blog AUC, cross-validated, 0.73 -> 0.75).
SOURCE_WEIGHT = {"youtube": 0.5, "blog": 1.0}
_WORD = re.compile(r"[^\W_]{2,40}")
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"\w\(|\)\s*$|\w\.\w+\(|\s=\s|==|\[\d|^\s*(?:import|from|def|library|print)\b|Traceback|Error\b|\.py\b|\.csv\b",
                   re.MULTILINE)
_COMMERCIAL = re.compile(
    r"\b(toll[\s-]?free|customer (?:care|service|support)|help ?line|helpdesk|tech(?:nical)? support|"
    r"support number|phone number|contact number|call (?:us|now|at)|dial|buy|cheap|discount|offer|deals?|"
    r"promo|coupon|casino|betting|loans?|viagra|seo|backlinks?|followers|earn money|make money|"
    r"work from home|subscribe|my channel|check out my|visit (?:my|our)|click here|free (?:gift|money|codes?))\b"
)
_STOPWORDS_TEXT = """
the a an and or but if of to in on at by for with from as is are was were be been being it its this that
these those i you he she we they me my your our their his her them us do does did have has had not no so
can could will would should may might just very really also about into than then there here what which
who how why when where all any some more most much many one two get got like make made use using used
thanks thank great good nice post article tutorial
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())  # words too common to tell what a comment is about
# The YouTube seed's videos, as titles, so its comments have a post to be relevant to.
VIDEO_TITLES = {"Psy": "PSY Gangnam Style official music video", "KatyPerry": "Katy Perry Roar",
                "LMFAO": "LMFAO Party Rock Anthem ft Lauren Bennett GoonRock", "Eminem":
                "Eminem Love The Way You Lie ft Rihanna"}


@dataclass(frozen=True)
class SpamScore:
    probability: float  # calibrated P(spam)
    top_tokens: tuple[str, ...] = ()  # the features that pushed most toward spam, strongest first
    site_decisions: int = 0  # how many of this site's moderator decisions the model was trained on


@dataclass(frozen=True)
class Topic:
    """The content words of the post a comment is under."""

    title: frozenset[str]
    body: frozenset[str] = frozenset()


def content_words(text: str) -> list[str]:
    plain = _TAG.sub(" ", html.unescape(text or ""))
    return [w for w in _WORD.findall(normalise(plain)) if w not in STOPWORDS and not w.isdigit()]


def post_topic(title: str, body: str = "") -> Topic:
    return Topic(frozenset(content_words(title)), frozenset(content_words(body)))


def _keywordy(value: str) -> bool:
    """An author name or URL that reads like keywords: many words, or commercial ones."""
    words = _WORD.findall(normalise(value.replace("-", " ").replace("_", " ")))
    return len(words) >= 4 or bool(_COMMERCIAL.search(" ".join(words)))


def features(text: str, *, urls: Iterable[str] = (), name: str = "", topic: Topic | None = None) -> list[str]:
    """The distinct features of a comment (see the module docstring). `urls`: the author's
    website field; `topic`: the post it is under (None: relevance not judged)."""
    plain = _TAG.sub(" ", html.unescape(text))
    folded = normalise(plain)
    words = [w for w in _WORD.findall(folded) if not w.isdigit() or len(w) >= 5]
    urls = [u for u in urls if u]
    in_text = extract_links(html.unescape(text))  # hrefs too: an anchor hides its link from the prose
    links = [*in_text, *urls]
    out: dict[str, None] = {"len:" + ("short" if len(words) < 6 else "medium" if len(words) < 20 else "long"): None}
    if in_text:
        out["has:link"] = None
        if len(in_text) >= 2:
            out["links:many"] = None
        if any(not is_reference(link) for link in in_text):
            out["link:elsewhere"] = None
    if urls:
        out["has:website"] = None
        if any(_keywordy(urlpath(u)) for u in urls):
            out["url:keywords"] = None
    if phone_numbers(plain):
        out["has:phone"] = None
    if EMAIL.search(plain):
        out["has:email"] = None
    if "?" in plain:
        out["has:question"] = None
    if _CODE.search(plain):
        out["has:code"] = None
    if _COMMERCIAL.search(folded):
        out["has:commercial"] = None
    out.update(dict.fromkeys(tell for tell, _why in promotion(text, in_text)))
    if name and _keywordy(name):
        out["name:keywords"] = None
    if topic is not None and (topic.title or topic.body):
        mine = set(content_words(plain))
        if mine & topic.title:
            out["topic:title"] = None
        elif not mine & topic.body:
            out["topic:none"] = None
    out.update(dict.fromkeys(f"domain:{host}"[:100] for host in map(domain_of, links) if host))
    out.update(dict.fromkeys(w[:100] for w in words))
    return list(out)[:MAX_FEATURES]


def urlpath(url: str) -> str:
    return re.sub(r"^\w+://", "", url).removeprefix("www.")


# --- The pure model -------------------------------------------------------------------------

@dataclass
class Counts:
    """Per-feature document counts (weighted by source) of labelled comments."""

    spam: Counter
    ham: Counter
    spam_docs: float = 0
    ham_docs: float = 0

    @classmethod
    def of(cls, rows: Iterable[tuple[list[str], bool]], *, weights: Iterable[float] | None = None) -> Counts:
        c = cls(Counter(), Counter())
        rows = list(rows)
        for (feats, is_spam), w in zip(rows, weights or [1.0] * len(rows), strict=True):
            (c.spam if is_spam else c.ham).update(dict.fromkeys(feats, w))
            if is_spam:
                c.spam_docs += w
            else:
                c.ham_docs += w
        return c


# What each structural tell is known to mean before any data: (share of spam comments that show
# it, share of genuine comments that do), from how comment spam is known to work rather than
# from the seed's rows. It enters each count as TELL_WEIGHT comments' worth of evidence
# (an m-estimate), so a few dozen labelled comments cannot erase what is known to be a tell,
# and the site's own decisions, as they accumulate, can move it.
TELLS = {
    "has:anchor": (0.15, 0.003),         # hand-written <a href>: backlinks with keyword anchor text
    "link:homepage": (0.2, 0.01),        # a bare home page: promotion, not a reference
    "link:elsewhere": (0.45, 0.08),      # a link that is not to a code host, Q&A or reference site
    "has:service": (0.2, 0.01),          # a brand's customer service or support number
    "has:selling": (0.25, 0.01),         # courses in a city, essays to order, pharmacies, free codes
    "has:contact-me": (0.15, 0.01),      # "add me on WeChat", "email me"
    "has:keyword-trail": (0.08, 0.005),  # "keyword | keyword | keyword"
    "has:phone": (0.15, 0.003),
    "has:email": (0.08, 0.01),
}
TELL_WEIGHT = 30.0


def llr(spam: float, ham: float, *, spam_docs: float, ham_docs: float,
        prior: tuple[float, float] | None = None) -> float:
    """A feature's smoothed log-likelihood ratio, capped: log P(f|spam) - log P(f|ham); with
    `prior` (a tell's known rates) as TELL_WEIGHT comments of evidence."""
    if prior is None:
        ratio = math.log((spam + ALPHA) / (spam_docs + 2 * ALPHA)) - math.log((ham + ALPHA) / (ham_docs + 2 * ALPHA))
    else:
        m = TELL_WEIGHT
        ratio = math.log((spam + m * prior[0]) / (spam_docs + m)) - math.log((ham + m * prior[1]) / (ham_docs + m))
    return max(-CAP, min(CAP, ratio))


def raw_score(feats: list[str], seed: Counts, site: dict[str, tuple[int, int]] | None = None,
              site_docs: tuple[int, int] = (0, 0)) -> tuple[float, tuple[str, ...]]:
    """The uncalibrated log-odds of the most telling features, and the spammy ones."""
    site = site or {}
    w = SITE_WEIGHT
    spam_docs = seed.spam_docs + w * site_docs[0]
    ham_docs = seed.ham_docs + w * site_docs[1]
    ratios = {}
    for f in feats:
        s_site, h_site = site.get(f, (0, 0))
        s, h = seed.spam[f] + w * s_site, seed.ham[f] + w * h_site
        if s or h or f in TELLS:
            ratios[f] = llr(s, h, spam_docs=spam_docs, ham_docs=ham_docs, prior=TELLS.get(f))
    telling = sorted(ratios, key=lambda f: -abs(ratios[f]))[:INTERESTING]
    return sum(ratios[f] for f in telling), tuple(f for f in telling if ratios[f] > 0.3)


@dataclass(frozen=True)
class Calibration:
    """Platt scaling: P(spam) = 1 / (1 + exp(-(a * raw + b)))."""

    a: float = 1.0
    b: float = 0.0

    def __call__(self, raw: float) -> float:
        z = max(-30.0, min(30.0, self.a * raw + self.b))
        return 1 / (1 + math.exp(-z))

    @classmethod
    def fit(cls, scored: list[tuple[float, bool]], iterations: int = 100) -> Calibration:
        """Logistic regression on one variable (Newton's method with step halving), with
        Platt's smoothed targets so a separable fold cannot push the slope to infinity."""
        n_pos = sum(1 for _, y in scored if y)
        n_neg = len(scored) - n_pos
        hi, lo = (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2)
        data = [(x, hi if y else lo) for x, y in scored]

        def loss(a: float, b: float) -> float:
            total = 0.0
            for x, t in data:
                z = a * x + b
                # log(1 + e^z) - t z, computed without overflow
                total += (z if z > 0 else 0) + math.log1p(math.exp(-abs(z))) - t * z
            return total

        a, b = 1.0, 0.0
        current = loss(a, b)
        for _ in range(iterations):
            g_a = g_b = h_aa = h_ab = h_bb = 0.0
            for x, t in data:
                p = cls(a, b)(x)
                d, wgt = p - t, max(p * (1 - p), 1e-9)
                g_a, g_b = g_a + d * x, g_b + d
                h_aa, h_ab, h_bb = h_aa + wgt * x * x, h_ab + wgt * x, h_bb + wgt
            det = h_aa * h_bb - h_ab * h_ab + 1e-12
            step_a, step_b = (h_bb * g_a - h_ab * g_b) / det, (h_aa * g_b - h_ab * g_a) / det
            scale = 1.0
            while scale > 1e-6 and loss(a - scale * step_a, b - scale * step_b) > current:
                scale /= 2
            a, b = a - scale * step_a, b - scale * step_b
            previous, current = current, loss(a, b)
            if previous - current < 1e-9:
                break
        return cls(round(a, 6), round(b, 6))


@dataclass(frozen=True)
class Example:
    feats: list[str]
    is_spam: bool
    group: str  # the article or video it was left under: cross-validation folds by group
    source: str  # "blog" or "youtube"

    @property
    def weight(self) -> float:
        return SOURCE_WEIGHT.get(self.source, 1.0)


def out_of_fold(examples: list[Example], *, folds: int = 5) -> list[tuple[float, Example]]:
    """Raw scores of every example by a model trained without its group's fold (groups are
    assigned to folds in a fixed order, so the same comment is never both trained on and
    scored, and no article or video is split)."""
    groups = sorted({e.group for e in examples})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    total = Counts.of(((e.feats, e.is_spam) for e in examples), weights=(e.weight for e in examples))
    out = []
    for k in range(folds):
        held = [e for e in examples if fold_of[e.group] == k]
        minus = Counts.of(((e.feats, e.is_spam) for e in held), weights=(e.weight for e in held))
        train = Counts(total.spam - minus.spam, total.ham - minus.ham,
                       total.spam_docs - minus.spam_docs, total.ham_docs - minus.ham_docs)
        out += [(raw_score(e.feats, train)[0], e) for e in held]
    return out


def seed_examples() -> list[Example]:
    """The shipped seed as labelled examples (with the post each comment was under)."""
    out = []
    with SEED_FILE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            video = row.get("video", "")
            topic = post_topic(VIDEO_TITLES.get(video, "")) if video else None
            out.append(Example(features(row["content"], name=row.get("author", ""), topic=topic),
                               row["label"] == "1", f"video:{video}", "youtube"))
    with BLOG_SEED_FILE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append(Example(features(row["comment"], topic=post_topic(row["article"])), row["label"] == "1",
                               f"article:{row['article']}", "blog"))
    return out


@dataclass(frozen=True)
class SeedModel:
    counts: Counts
    calibration: Calibration


def build_seed_model(examples: list[Example]) -> SeedModel:
    """Counts of every example; the calibration fitted on the blog examples' out-of-fold
    scores (blog comments are what a site gets; YouTube comments only lend vocabulary)."""
    scored = [(raw, e.is_spam) for raw, e in out_of_fold(examples) if e.source == "blog"]
    counts = Counts.of(((e.feats, e.is_spam) for e in examples), weights=(e.weight for e in examples))
    return SeedModel(counts, Calibration.fit(scored))


@functools.cache
def seed_model() -> SeedModel:
    """Built once per process from the shipped CSVs (about a second)."""
    return build_seed_model(seed_examples())


def ensure_seeded() -> None:
    """Build the seed model now (at worker start or before a benchmark) rather than on the
    first comment."""
    seed_model()


# --- Scoring and learning against the site's counts -------------------------------------------

def score(text: str, *, urls: Iterable[str] = (), name: str = "", topic: Topic | None = None) -> SpamScore:
    return score_features(features(text, urls=urls, name=name, topic=topic))


def comment_topic(comment) -> Topic | None:
    post = getattr(comment, "post", None)
    return post_topic(post.title, post.body) if post is not None else None


def comment_features(comment, *, topic: Topic | None = None) -> list[str]:
    """The features `learn` trains on and `score_comment` scores (the post's topic included)."""
    topic = topic if topic is not None else comment_topic(comment)
    return features(comment.body, urls=[comment.author_url] if comment.author_url else [],
                    name=comment.author_name, topic=topic)


def score_comment(comment, *, topic: Topic | None = None) -> SpamScore:
    return score_features(comment_features(comment, topic=topic))


def score_features(feats: list[str]) -> SpamScore:
    """One query: the site's counts for these features."""
    model = seed_model()
    rows = {t: (s, h) for t, s, h in SpamToken.objects.filter(token__in=[*feats, DOCS])
            .values_list("token", "spam", "ham")}
    site_docs = rows.pop(DOCS, (0, 0))
    raw, top = raw_score(feats, model.counts, rows, site_docs)
    return SpamScore(round(model.calibration(raw), 4), top, site_docs[0] + site_docs[1])


def site_decisions() -> int:
    """How many moderator decisions of this site the classifier has learned."""
    row = SpamToken.objects.filter(token=DOCS).values_list("spam", "ham").first()
    return sum(row) if row else 0


def learn(comment, *, is_spam: bool, undo: bool = False) -> None:
    """Train on a moderator's spam/ham decision (`undo` takes a previous one back)."""
    learn_features(comment_features(comment), is_spam=is_spam, undo=undo)


@transaction.atomic
def learn_features(feats: list[str], *, is_spam: bool, undo: bool = False) -> None:
    column = "spam" if is_spam else "ham"
    tokens = [*feats, DOCS]
    if undo:
        SpamToken.objects.filter(token__in=tokens, **{f"{column}__gt": 0}).update(**{column: F(column) - 1})
        return
    SpamToken.objects.bulk_create([SpamToken(token=t) for t in tokens], ignore_conflicts=True)
    SpamToken.objects.filter(token__in=tokens).update(**{column: F(column) + 1})


def retrain(*, decisions) -> int:
    """Rebuild the site's counts from `decisions` (iterable of (comment, is_spam)) in one
    transaction: the nightly task does this so that undone or changed decisions do not drift
    the counts forever. Returns how many decisions were used."""
    counts = {True: Counter(), False: Counter()}
    docs = Counter()
    for comment, is_spam in decisions:
        counts[bool(is_spam)].update(comment_features(comment))
        docs[bool(is_spam)] += 1
    with transaction.atomic():
        SpamToken.objects.all().delete()
        tokens = set(counts[True]) | set(counts[False])
        SpamToken.objects.bulk_create(
            [SpamToken(token=DOCS, spam=docs[True], ham=docs[False])]
            + [SpamToken(token=t, spam=counts[True][t], ham=counts[False][t]) for t in tokens],
            batch_size=500,
        )
    return sum(docs.values())
