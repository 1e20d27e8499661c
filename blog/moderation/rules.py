"""The site's discussion rules as pure functions over plain values.

No ORM, no clock, no settings in here: `blog.pipeline` gathers `CommentFacts` and
`RuleSettings` from the database and this module says what to do and why. That keeps every
rule testable without a database and lets a dry run replay old comments through any rule.

Each rule returns a list of `Finding`s (an action with a reason); `decide` folds them into a
`Verdict`, the most severe action winning: trash > spam > hold > approve. Rules named in
`shadow` are evaluated but only reported, never applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

APPROVE, HOLD, SPAM, TRASH = "approve", "hold", "spam", "trash"
# The Comment.status each action leads to.
STATUS_FOR = {APPROVE: "approved", HOLD: "pending", SPAM: "spam", TRASH: "trash"}
_SEVERITY = {APPROVE: 0, HOLD: 1, SPAM: 2, TRASH: 3}


@dataclass(frozen=True)
class Reason:
    code: str
    text: str

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class Finding:
    """What one rule wants (`action`) and why."""

    action: str
    reason: Reason


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[Reason, ...] = ()

    @property
    def reason_dicts(self) -> list[dict]:
        return [r.as_dict() for r in self.reasons]


@dataclass(frozen=True)
class CommentFacts:
    """Everything the rules may look at, as plain values."""

    text: str
    name: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    user_agent: str = ""
    links: tuple[str, ...] = ()
    form_age: float | None = None  # seconds between form render and submit (signed)
    approved_before: int = 0  # earlier approved comments by this e-mail or account
    spam_before: int = 0
    is_trusted: bool = False
    is_banned: bool = False
    is_post_author: bool = False
    is_staff: bool = False  # a signed-in member of staff (authors, moderators, admins)
    spam_score: float | None = None  # the classifier's calibrated probability
    spam_tokens: tuple[str, ...] = ()
    site_decisions: int = 0  # moderator decisions of this site the classifier has learned
    spam_domains: tuple[str, ...] = ()  # link domains of this comment the site's moderators marked as spam
    akismet: str | None = None  # "spam", "ham", or "error: ..." when the check failed


@dataclass(frozen=True)
class RuleSettings:
    manual_approval: bool = False
    require_previous_approval: bool = True
    link_threshold: int = 2  # hold at N links or more; 0 turns it off
    site_domain: str = ""
    link_allowlist: tuple[str, ...] = ()
    moderation_words: tuple[str, ...] = ()
    disallowed_words: tuple[str, ...] = ()
    disallowed_action: str = SPAM
    min_submit_seconds: float = 3
    spam_threshold: float = 0.95  # calibrated probabilities; defaults as DiscussionSettings'
    hold_threshold: float = 0.2
    spam_min_decisions: int = 50  # the classifier may send to spam only after this many site decisions
    shout_min_letters: int = 20
    shout_ratio: float = 0.7
    repeat_ratio: float = 0.5
    repeat_min_words: int = 12
    shadow: frozenset[str] = field(default_factory=frozenset)


# --- Normalisation ------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"))
# Letters from other scripts that look like Latin ones (after NFKC, which already folds
# full-width and mathematical letters). Enough to defeat "саsino" with Cyrillic а/с.
_HOMOGLYPHS = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ԛ": "q", "ԝ": "w", "ı": "i", "ł": "l", "ø": "o",
})


def normalise(value: str) -> str:
    """Fold text so that look-alike spellings of a word compare equal: NFKC, zero-width
    characters removed, case folded, homoglyphs mapped to Latin, accents dropped."""
    value = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH).casefold().translate(_HOMOGLYPHS)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_pattern(term: str) -> re.Pattern:
    """`term` as a whole word (or whole e-mail/IP/domain): not inside a longer word."""
    return re.compile(rf"(?<!\w){re.escape(normalise(term.strip()))}(?!\w)")


def find_term(terms: Iterable[str], fields: dict[str, str]) -> tuple[str, str] | None:
    """The first (term, field name) where a term occurs as a word in a field, or None."""
    folded = {name: normalise(value) for name, value in fields.items() if value}
    for term in terms:
        if not term.strip():
            continue
        pattern = word_pattern(term)
        for name, value in folded.items():
            if pattern.search(value):
                return term.strip(), name
    return None


_LINK = re.compile(r"(?:https?://|www\.)[^\s\"'<>]+", re.IGNORECASE)


def extract_links(text: str) -> list[str]:
    """Every URL in a comment's text, bare or inside an <a href>."""
    return [m.rstrip(".,;:!?)]") for m in _LINK.findall(text)]


def domain_of(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


# A phone number (ten digits or more, with the usual separators) and an e-mail address in
# a comment's text: contact details are how tech-support and SEO spam reach their victims.
PHONE = re.compile(r"(?<![\w.])\+?\d[\d\s().\-]{8,}\d(?![\w.])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Words that make a link's domain read like an advertisement ("livetechsupport.org").
COMMERCIAL_DOMAIN = re.compile(r"support|service|helpline|customer|deal|cheap|discount|casino|loan|essay|pharma|pills|"
                               r"seo|backlink|followers|money|cash|coupon|escort|replica")


# What a phone number looks like when it is written for people to dial: "+1 (888) 555-0199",
# "1-800-123-4567", "020 7946 0958". A bare run of digits ("9876543210" in a regex example, an ID,
# a decimal, a date and time from a log) counts only beside a word that says it is a number to
# call or write to.
_DIAL_GROUPS = re.compile(r"^(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)|\d{1,5})(?:[\s.-]\d{2,5}){2,4}$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})+$")  # 2.124.821.694 views
_NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d\.\d{5,}|\d{2}:\d{2}")
_PHONE_CONTEXT = re.compile(r"\b(?:call|calling|phone|tel|telephone|mobile|cell|number|no|contact|dial|toll|helpline|"
                            r"hotline|whats ?app|wechat|telegram|viber|line id|sms|text me|support|customer|service|"
                            r"reservations?)\b\W*(?:\w+\W+){0,4}$", re.IGNORECASE)


def phone_numbers(text: str) -> list[str]:
    found = []
    for m in PHONE.finditer(text):
        number = m.group().strip()
        digits = sum(c.isdigit() for c in number)
        if not 10 <= digits <= 15 or _NOT_A_PHONE.search(number) or _THOUSANDS.match(number):
            continue
        if _DIAL_GROUPS.match(number) or _PHONE_CONTEXT.search(text[max(0, m.start() - 60):m.start()]):
            found.append(number)
    return found


# The kinds of promotion every blog's comments get, as spam filters' rule sets know them
# (not learned from any one data set): a brand's "customer service number" (airlines, e-mail,
# printers, accounting software), courses "in <city>", essays written to order, pharmacies,
# free game codes, a link written by hand as HTML (keyword anchor text for a backlink), a
# link to a site's bare home page, "add me on WeChat", and a trail of keywords between pipes.
_SERVICE = re.compile(
    r"\b(?:customer (?:care|service|support)|tech(?:nical)? support (?:number|team|service)|support (?:number|team)|"
    r"service number|help ?line|helpdesk|hotline|toll[\s-]?free|reservations? (?:number|desk)|"
    r"(?:flights?|airlines?|airways) (?:booking|reservations?|tickets?|deals?|number|customer)|"
    r"(?:e?mail|printer|router|antivirus|quickbooks|norton|mcafee) (?:support|recovery|login|error|issues?|problems?)|"
    r"(?:australia|uk|usa|canada|india|nz|dubai) (?:support|helpline|customer (?:care|service)))\b"
)
_SELLING = re.compile(
    r"\b(?:training (?:in|institutes?|cent(?:er|re)s?) (?!the\b|a\b|an\b|my\b|your\b|this\b)[a-z]+|"
    r"(?:courses?|classes|coaching|institutes?) in (?!the\b|a\b|an\b|my\b|your\b|this\b|our\b)[a-z]+|"
    r"(?:essay|assignment|homework|dissertation|thesis) (?:writing|help|writers?|services?)|do my (?:essay|homework|assignment)|"
    r"write my (?:essay|paper|assignment)|online pharmacy|pills|cbd oil|keto|weight loss|replica|escorts?|"
    r"call girls?|casino|poker|betting|lottery|forex signals?|crypto recovery|hire a hacker|"
    r"free (?:xbox|psn|steam|robux|v ?bucks|gift cards?|codes)|gift cards?|packers and movers|"
    r"(?:web design|digital marketing|seo) (?:company|agency|services?)|guest posts?|write for us|"
    r"buy (?:followers|likes|reviews))\b"
)
_CONTACT_ME = re.compile(r"\b(?:contact me (?:on|at|via)|add me (?:on|at)|dm me|whats ?app|wechat|telegram|skype id|"
                         r"my (?:id|number|whatsapp|wechat) is)\b")
_KEYWORD_WORDS = r"[^\W\d_]+(?:[^\S\n][^\W\d_]+){0,3}"
_KEYWORD_TRAIL = re.compile(rf"(?:{_KEYWORD_WORDS}\s*\|\s*){{2,}}{_KEYWORD_WORDS}\s*$")  # what the comment ends with
_ANCHOR = re.compile(r"<a\s[^>]*href|\[url=", re.IGNORECASE)
# Where readers' links go when they help: code hosts, Q&A and reference sites, documentation.
REFERENCE_HOSTS = ("github.com", "githubusercontent.com", "github.io", "gitlab.com", "bitbucket.org",
                   "stackoverflow.com", "stackexchange.com", "superuser.com", "serverfault.com", "askubuntu.com",
                   "wikipedia.org", "wikimedia.org", "python.org", "pypi.org", "r-project.org", "readthedocs.io",
                   "readthedocs.org", "arxiv.org", "doi.org", "kaggle.com", "jupyter.org", "mozilla.org", "w3.org",
                   "archive.org", "openstreetmap.org")
_REFERENCE_PREFIXES = ("docs.", "doc.", "developer.", "developers.", "cran.", "wiki.")


def is_reference(url: str) -> bool:
    """A link to a code host, a Q&A or reference site or documentation: what readers link to
    when they help, rather than a site of somebody's."""
    host = domain_of(url)
    return bool(host) and (_in_domains(host, REFERENCE_HOSTS) or host.startswith(_REFERENCE_PREFIXES))


def _homepage(url: str) -> bool:
    path = re.sub(r"^\w+://", "", url).partition("/")[2]
    return not path.strip("/") or path.strip("/").lower() in ("index.html", "index.php", "home")


def promotion(text: str, links: Iterable[str]) -> list[tuple[str, str]]:
    """The tells of promotion in a comment, as (feature name, what was found)."""
    folded = normalise(text)
    found = []
    for tell, pattern in (("has:service", _SERVICE), ("has:selling", _SELLING), ("has:contact-me", _CONTACT_ME)):
        if m := pattern.search(folded):
            found.append((tell, f"\u201c{m.group()}\u201d"))
    if _ANCHOR.search(text):
        found.append(("has:anchor", "a link written as HTML"))
    if _KEYWORD_TRAIL.search(text):
        found.append(("has:keyword-trail", "keywords between pipes"))
    home = next((u for u in links if not is_reference(u) and _homepage(u)), None)
    if home:
        found.append(("link:homepage", f"a link to the home page of {domain_of(home)}"))
    return found


def _in_domains(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in (x.lower().removeprefix("www.") for x in domains) if d)


# --- Rules --------------------------------------------------------------------------------

Rule = Callable[[CommentFacts, RuleSettings], list[Finding]]


def rule_banned(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    if f.is_banned:
        return [Finding(SPAM, Reason("banned", "spam: the author is banned"))]
    return []


def rule_disallowed_words(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    hit = find_term(s.disallowed_words, _fields(f))
    if hit:
        action = TRASH if s.disallowed_action == TRASH else SPAM
        return [Finding(action, Reason("disallowed_word", f"{action}: disallowed word '{hit[0]}' in the {hit[1]}"))]
    return []


def rule_moderation_words(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    hit = find_term(s.moderation_words, _fields(f))
    if hit:
        return [Finding(HOLD, Reason("moderation_word", f"held: moderation word '{hit[0]}' in the {hit[1]}"))]
    return []


def rule_manual_approval(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    if s.manual_approval:
        return [Finding(HOLD, Reason("manual_approval", "held: every comment is approved by hand"))]
    return []


def rule_first_comment(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    if s.require_previous_approval and f.approved_before == 0:
        return [Finding(HOLD, Reason("first_comment", "held: first comment from this author"))]
    return []


def counted_links(f: CommentFacts, s: RuleSettings) -> list[str]:
    """Links that count toward the threshold: not to this site nor an allowed domain."""
    allowed = (s.site_domain, *s.link_allowlist)
    return [link for link in f.links if not _in_domains(domain_of(link), allowed)]


def rule_links(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    n = len(counted_links(f, s))
    if s.link_threshold and n >= s.link_threshold:
        return [Finding(HOLD, Reason("links", f"held: {n} links (limit {s.link_threshold})"))]
    return []


def rule_contact_details(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    """Doubtful, not spam: a phone number or an e-mail address in the text, or a link to a
    domain that reads like an advertisement, waits for a human."""
    if phone_numbers(f.text):
        return [Finding(HOLD, Reason("contact_details", "held: a phone number in the text"))]
    if EMAIL.search(f.text):
        return [Finding(HOLD, Reason("contact_details", "held: an e-mail address in the text"))]
    # The site's own name (livetechsupport.org), not its subdomains (support.google.com).
    commercial = [h for h in map(domain_of, counted_links(f, s)) if COMMERCIAL_DOMAIN.search(h.split(".")[-2:][0])]
    if commercial:
        return [Finding(HOLD, Reason("contact_details", f"held: a link to {commercial[0]}, which reads like an advert"))]
    return []


def rule_promotion(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    """Doubtful, not spam: a comment that promotes something (see `promotion`) waits for a
    human whoever wrote it; a regular reader's real comment rarely reads like an advert."""
    allowed = (s.site_domain, *s.link_allowlist)
    found = promotion(f.text, [u for u in f.links if not _in_domains(domain_of(u), allowed)])
    if found:
        return [Finding(HOLD, Reason("promotion", "held: reads like promotion: " + "; ".join(w for _, w in found[:3])))]
    return []


def rule_too_fast(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    if f.form_age is not None and s.min_submit_seconds and f.form_age < s.min_submit_seconds:
        text = f"held: sent {f.form_age:.1f} s after the form opened (minimum {s.min_submit_seconds:g} s)"
        return [Finding(HOLD, Reason("too_fast", text))]
    return []


def rule_shouting(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    letters = [c for c in f.text if c.isalpha()]
    if len(letters) >= s.shout_min_letters:
        upper = sum(c.isupper() for c in letters) / len(letters)
        if upper >= s.shout_ratio:
            return [Finding(HOLD, Reason("shouting", f"held: {upper:.0%} of the letters are capitals"))]
    return []


def rule_repetition(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    """Text pasted over and over ("buy now buy now ...") or a letter held down. Measured on
    runs of three words, not single words: prose repeats "the" and "to", pasted code repeats
    `pd` and `import`, but neither repeats whole phrases (numbers count as words, so a pasted
    training log's "loss at step 1 ... loss at step 2" is no repeat); and only a held-down
    letter counts, so a traceback's "-----" rule or indentation does not."""
    words = re.findall(r"\w+", normalise(f.text))
    if len(words) >= s.repeat_min_words:
        runs = list(zip(words, words[1:], words[2:], strict=False))
        repeated = 1 - len(set(runs)) / len(runs)
        if repeated >= s.repeat_ratio:
            return [Finding(HOLD, Reason("repetition", f"held: {repeated:.0%} of the phrases are repeats"))]
    if re.search(r"([^\W\d_])\1{9,}", f.text):
        return [Finding(HOLD, Reason("repetition", "held: a letter repeated ten times or more"))]
    return []


def rule_spam_domain(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    """A hard rule: a link to a domain the site's own moderators have already marked as spam."""
    if f.spam_domains:
        return [Finding(SPAM, Reason("spam_domain", f"spam: links to {', '.join(f.spam_domains[:3])}, "
                                                    "marked as spam on this site before"))]
    return []


def rule_spam_score(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    """Spam needs evidence: a score above the spam threshold sends a comment to spam only
    when the classifier has learned from at least `spam_min_decisions` of this site's own
    moderator decisions; before that (the seed alone) it holds the comment for a human."""
    if f.spam_score is None:
        return []
    top = ", ".join(f.spam_tokens[:5])
    detail = f": top features {top}" if top else ""
    if f.spam_score >= s.spam_threshold and f.site_decisions >= s.spam_min_decisions:
        return [Finding(SPAM, Reason("spam_score", f"spam score {f.spam_score:.2f}{detail}"))]
    if f.spam_score >= s.spam_threshold:
        why = (f" (not sent to spam: the classifier has learned {f.site_decisions} of this site's decisions, "
               f"{s.spam_min_decisions} needed)")
        return [Finding(HOLD, Reason("spam_score", f"held: spam score {f.spam_score:.2f}{detail}{why}"))]
    if f.spam_score >= s.hold_threshold:
        return [Finding(HOLD, Reason("spam_score", f"held: spam score {f.spam_score:.2f}{detail}"))]
    return []


def rule_akismet(f: CommentFacts, s: RuleSettings) -> list[Finding]:
    if f.akismet == "spam":
        return [Finding(SPAM, Reason("akismet", "spam: Akismet says spam"))]
    if f.akismet and f.akismet.startswith("error"):
        return [Finding(HOLD, Reason("akismet_error", f"held: Akismet check failed ({f.akismet[6:].strip()})"))]
    return []


# Order matters only for the order of reasons shown to moderators.
RULES: dict[str, Rule] = {
    "banned": rule_banned,
    "disallowed_word": rule_disallowed_words,
    "spam_domain": rule_spam_domain,
    "akismet": rule_akismet,
    "spam_score": rule_spam_score,
    "moderation_word": rule_moderation_words,
    "manual_approval": rule_manual_approval,
    "first_comment": rule_first_comment,
    "links": rule_links,
    "contact_details": rule_contact_details,
    "promotion": rule_promotion,
    "too_fast": rule_too_fast,
    "shouting": rule_shouting,
    "repetition": rule_repetition,
}
# Trust lifts holds (not spam or trash): WordPress lets a trusted author skip the queue.
_TRUST_LIFTS = {"first_comment", "manual_approval", "links", "contact_details", "promotion", "too_fast", "shouting", "repetition", "spam_score"}


def _fields(f: CommentFacts) -> dict[str, str]:
    return {"text": f.text, "name": f.name, "e-mail": f.email, "website": f.url, "IP": f.ip,
            "user agent": f.user_agent}


def evaluate(facts: CommentFacts, settings: RuleSettings) -> tuple[Verdict, list[Finding]]:
    """Run every rule. Returns the applied verdict and the findings of shadow rules (what
    they would have done), which the caller logs but does not apply."""
    applied: list[Finding] = []
    shadowed: list[Finding] = []
    for code, rule in RULES.items():
        findings = rule(facts, settings)
        if trusted(facts):
            findings = [x for x in findings if not (x.action == HOLD and code in _TRUST_LIFTS)]
        (shadowed if code in settings.shadow else applied).extend(findings)
    return decide(applied, trusted=trusted(facts)), shadowed


def trusted(facts: CommentFacts) -> bool:
    """Trusted authors skip the holds, as WordPress lets its own users skip moderation."""
    return facts.is_trusted or facts.is_post_author or facts.is_staff


def decide(findings: list[Finding], *, trusted: bool = False) -> Verdict:
    """The most severe action wins; with no finding the comment is approved."""
    if not findings:
        reasons = (Reason("trusted", "approved: trusted author"),) if trusted else ()
        return Verdict(STATUS_FOR[APPROVE], reasons)
    worst = max(_SEVERITY[x.action] for x in findings)
    action = next(a for a, sev in _SEVERITY.items() if sev == worst)
    return Verdict(STATUS_FOR[action], tuple(x.reason for x in findings if _SEVERITY[x.action] == worst))


def would_hold(rule_code: str, facts: CommentFacts, settings: RuleSettings) -> bool:
    """Would this one rule keep the comment from being approved? (For dry runs.)"""
    return any(x.action != APPROVE for x in RULES[rule_code](facts, settings))
