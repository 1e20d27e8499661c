"""The moderation pipeline's decision service, run by the `screen_comment` task.

`comment_screen` gathers the facts about a comment with a few queries, runs the pure rules
(`blog.moderation`) and the spam score, then applies the verdict with a compare-and-set
claim (`filter(pk=, checked_at=None).update(...)`) in one transaction together with its audit
event and the rows of the notifications it triggers. So a task that runs twice (retry,
sweep, redelivery after a crash) decides once, and a crash before commit leaves the comment
unchecked for the sweep to pick up: nothing is lost, nothing is doubled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments import outbox
from blog.comments import services as comment_services
from blog.comments.models import Comment, DiscussionSettings, EmailProof
from blog.moderation import akismet
from blog.moderation import classifier as spam
from blog.moderation import mail as moderator_mail
from blog.moderation import rules as moderation
from blog.moderation.models import ModerationEvent
from blog.moderation.rules import CommentFacts, RuleSettings

logger = logging.getLogger(__name__)


def rule_settings(ds: DiscussionSettings) -> RuleSettings:
    """The Discussion settings row as the plain values the rules take."""
    lines = DiscussionSettings.lines
    return RuleSettings(
        manual_approval=ds.manual_approval,
        require_previous_approval=ds.require_previous_approval,
        link_threshold=ds.link_threshold,
        site_domain=urlsplit(settings.SITE_URL).hostname or "",
        link_allowlist=tuple(lines(ds.link_allowlist)),
        moderation_words=tuple(lines(ds.moderation_words)),
        disallowed_words=tuple(lines(ds.disallowed_words)),
        disallowed_action=ds.disallowed_action,
        min_submit_seconds=ds.min_submit_seconds,
        spam_threshold=ds.spam_threshold,
        hold_threshold=ds.hold_threshold,
        spam_min_decisions=ds.spam_min_decisions,
        shadow=frozenset(lines(ds.shadow_rules)),
    )


def comment_facts(comment: Comment, *, score: spam.SpamScore | None = None,
                  akismet_result: str | None = None, approved_before: int | None = None) -> CommentFacts:
    """The facts about `comment` the rules look at (three queries: history, flags, spam domains).

    History is by account, and by e-mail as written only when the commenter proved the
    address (`email_proof`, blog.comments.identity: the account's verified address, or the
    same name and e-mail from the browser that wrote before); a typed address is anyone's.
    Never by IP (readers share addresses). Trust follows an account or a proven address;
    bans match a typed address and IP too (they only refuse). `approved_before` replaces
    the history (a dry run judging a CSV row as a returning or a first-time commenter)."""
    proven = comment.email_proof != EmailProof.TYPED
    if approved_before is None:
        by_author = Comment.objects.by_commenter(email=comment.author_email if proven else "",
                                                 user_id=comment.user_id, exact_email=True)
        if comment.email_proof == EmailProof.BROWSER:
            by_author = by_author.filter(author_name=comment.author_name)
        history = dict(
            by_author.filter(created_at__lte=comment.created_at).exclude(pk=comment.pk)
            .values_list("status").annotate(n=Count("pk")).order_by()
        )
    else:
        history = {Comment.Status.APPROVED: approved_before}
    flags = CommenterFlag.objects.active().matching(email=comment.author_email, user_id=comment.user_id,
                                                    ip=comment.ip).values_list("kind", "user_id", "email")
    trusted_email = comment.author_email.lower() if proven else None
    is_trusted = any(kind == CommenterFlag.Kind.TRUST and ((uid and uid == comment.user_id) or
                                                           (email and email.lower() == trusted_email))
                     for kind, uid, email in flags)
    links = tuple(moderation.extract_links(comment.body))
    return CommentFacts(
        text=comment.body,
        name=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        ip=comment.ip or "",
        user_agent=comment.user_agent,
        links=links,
        form_age=comment.form_age,
        approved_before=history.get(Comment.Status.APPROVED, 0),
        spam_before=history.get(Comment.Status.SPAM, 0),
        is_trusted=is_trusted,
        is_banned=any(kind == CommenterFlag.Kind.BAN for kind, _uid, _email in flags),
        is_post_author=bool(comment.user_id) and comment.post_id is not None and comment.user_id == comment.post.author_id,
        is_staff=bool(comment.user_id) and comment.user.is_staff and comment.user.is_active,
        spam_score=score.probability if score else None,
        spam_tokens=score.top_tokens if score else (),
        site_decisions=score.site_decisions if score else 0,
        spam_domains=site_spam_domains([*links, comment.author_url], exclude=comment.pk),
        akismet=akismet_result,
    )


def site_spam_domains(urls: list[str], *, exclude: int | None = None) -> tuple[str, ...]:
    """The domains among `urls` that this site's moderators have marked as spam before: a
    link or website of a comment a moderator (not the pipeline) sent to spam, not undone."""
    site = urlsplit(settings.SITE_URL).hostname or ""
    hosts = sorted({h for h in map(moderation.domain_of, filter(None, urls)) if h and h != site})
    if not hosts:
        return ()
    contains = Q()
    for host in hosts:
        contains |= Q(body__icontains=host) | Q(author_url__icontains=host)
    marked = (Comment.objects.spam().filter(contains, events__actor__isnull=False, events__to_status="spam",
                                            events__undone_at__isnull=True)
              .exclude(pk=exclude).values_list("body", "author_url")[:50])
    found = {moderation.domain_of(u) for body, url in marked for u in [*moderation.extract_links(body), url] if u}
    return tuple(h for h in hosts if h in found)


@dataclass(frozen=True)
class Judgement:
    verdict: moderation.Verdict
    shadowed: list[moderation.Finding]
    score: spam.SpamScore


def comment_judge(comment: Comment, *, ds: DiscussionSettings, approved_before: int | None = None,
                  use_akismet: bool = True, topic: spam.Topic | None = None) -> Judgement:
    """The whole decision about `comment` (saved or not), writing nothing: classifier,
    Akismet (if configured and `use_akismet`), facts, rules with the Discussion settings."""
    score = spam.score_comment(comment, topic=topic)
    akismet_result = akismet.check(comment) if use_akismet else None
    facts = comment_facts(comment, score=score, akismet_result=akismet_result, approved_before=approved_before)
    verdict, shadowed = moderation.evaluate(facts, rule_settings(ds))
    return Judgement(verdict, shadowed, score)


def comment_screen(*, comment_id: int) -> str | None:
    """Decide a pending, unchecked comment; returns its new status, or None when there was
    nothing to do (already decided by another run or by a moderator, or deleted)."""
    comment = Comment.objects.select_related("post", "post__author", "user").filter(pk=comment_id).first()
    if comment is None or comment.checked_at is not None or comment.status != Comment.Status.PENDING:
        return None
    judged = comment_judge(comment, ds=DiscussionSettings.load())
    return _apply(comment, verdict=judged.verdict, shadowed=judged.shadowed, score=judged.score)


@transaction.atomic
def _apply(comment: Comment, *, verdict: moderation.Verdict, shadowed: list[moderation.Finding],
           score: spam.SpamScore) -> str | None:
    now = timezone.now()
    claimed = Comment.objects.filter(pk=comment.pk, checked_at__isnull=True, status=Comment.Status.PENDING).update(
        status=verdict.status, checked_at=now, reasons=verdict.reason_dicts, spam_score=score.probability
    )
    if not claimed:
        return None
    comment.status, comment.checked_at, comment.reasons = verdict.status, now, verdict.reason_dicts
    comment.spam_score = score.probability
    action = {"approved": "approve", "pending": "hold", "spam": "spam", "trash": "trash"}[verdict.status]
    events = [ModerationEvent(comment=comment, action=action, from_status=Comment.Status.PENDING,
                              to_status=verdict.status, reasons=verdict.reason_dicts, created_at=now)]
    events += [
        ModerationEvent(comment=comment, action=f"shadow:{x.action}", from_status=Comment.Status.PENDING,
                        to_status=moderation.STATUS_FOR[x.action], reasons=[x.reason.as_dict()], shadow=True,
                        created_at=now)
        for x in shadowed
    ]
    ModerationEvent.objects.bulk_create(events)
    if verdict.status == Comment.Status.APPROVED:
        comment_services.thread_changed(comment.post_id)
        outbox.on_comment_approved(comment)
    elif verdict.status == Comment.Status.PENDING:
        moderator_mail.on_comment_held(comment)
    logger.info("comment %s: %s (%s)", comment.pk, verdict.status, "; ".join(r.text for r in verdict.reasons))
    return verdict.status


# --- Dry runs -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DryRun:
    rule: str
    examined: int
    held: int
    comment_ids: tuple[int, ...]


def dry_run(*, rule: str, last: int = 100) -> DryRun:
    """How many of the last `last` decided comments would `rule` have held (or sent to spam)?
    Uses each comment's stored spam score; author history is counted as of each comment."""
    if rule not in moderation.RULES:
        raise ValueError(f"Unknown rule {rule!r}; known: {', '.join(moderation.RULES)}")
    rs = rule_settings(DiscussionSettings.load())
    comments = list(Comment.objects.filter(checked_at__isnull=False).select_related("post")
                    .order_by("-created_at", "-pk")[:last])
    emails = {c.author_email.lower() for c in comments if c.author_email}
    approved = list(Comment.objects.approved().filter(author_email__in=emails)
                    .values_list("author_email", "created_at"))
    held = []
    for c in comments:
        before = sum(1 for e, t in approved if e.lower() == c.author_email.lower() and t < c.created_at)
        facts = CommentFacts(text=c.body, name=c.author_name, email=c.author_email, url=c.author_url,
                             ip=c.ip or "", user_agent=c.user_agent, links=tuple(moderation.extract_links(c.body)),
                             form_age=c.form_age, approved_before=before, spam_score=c.spam_score)
        if moderation.would_hold(rule, facts, rs):
            held.append(c.pk)
    return DryRun(rule=rule, examined=len(comments), held=len(held), comment_ids=tuple(held))


def unchecked_older_than(seconds: float) -> list[int]:
    """Pending comments the pipeline has not decided for `seconds` (for the sweep)."""
    cutoff = timezone.now() - timedelta(seconds=seconds)
    return list(Comment.objects.unchecked().filter(created_at__lt=cutoff).order_by("created_at")
                .values_list("pk", flat=True)[:1000])
