"""The pipeline's decision service and its tasks, on the real database."""

import pytest
import responses
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments.models import Comment, DiscussionSettings, Notification
from blog.moderation import actions as moderation_actions
from blog.moderation import classifier as spam_classifier
from blog.moderation import pipeline, tasks
from blog.moderation.models import ModerationEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def pending(**kw) -> Comment:
    kw.setdefault("body", "Thanks, that explains the second part.")
    return CommentFactory(status="pending", checked_at=None, form_age=30.0, **kw)


def settings_with(**kw) -> DiscussionSettings:
    ds = DiscussionSettings.load()
    for k, v in kw.items():
        setattr(ds, k, v)
    ds.save()
    return ds


def test_it_approves_a_returning_commenter_and_records_why(post):
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    comment = pending(post=post, author_name="Ann", author_email="ann@example.com", email_proof="browser", body="Thanks, that explains the second part.")
    assert pipeline.comment_screen(comment_id=comment.pk) == "approved"
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.checked_at is not None
    assert 0 <= comment.spam_score < 0.6
    event = ModerationEvent.objects.get(comment=comment)
    assert (event.actor, event.action, event.from_status, event.to_status) == (None, "approve", "pending", "approved")


def test_it_holds_a_first_comment_with_the_reason_text(post):
    comment = pending(post=post, body="I planted the tomatoes last spring.")
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"
    comment.refresh_from_db()
    assert comment.reasons == [{"code": "first_comment", "text": "held: first comment from this author"}]
    assert Comment.objects.awaiting_review().filter(pk=comment.pk).exists()


def test_it_sends_a_disallowed_word_in_the_website_to_spam(post):
    settings_with(disallowed_words="casino\n")
    comment = pending(post=post, author_url="https://casino.example/")
    assert pipeline.comment_screen(comment_id=comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.reasons[0]["text"] == "spam: disallowed word 'casino' in the website"


def test_on_the_seed_alone_channel_spam_is_held_not_sent_to_spam(post):
    CommentFactory(post=post, author_email="bot@example.com", status="approved")
    comment = pending(post=post, author_email="bot@example.com",
                      body="Hey guys please subscribe to my channel and check out my new video, thanks!")
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"
    comment.refresh_from_db()
    assert comment.reasons[0]["code"] == "spam_score"


def test_once_the_site_has_taught_it_the_classifier_sends_spam_to_spam(post):
    settings_with(spam_min_decisions=5)
    body = "Hey guys please subscribe to my channel and check out my new video, thanks!"
    for i in range(5):
        spam_classifier.learn(CommentFactory(post=post, body=body, author_email=f"bot{i}@example.com"), is_spam=True)
    CommentFactory(post=post, author_email="bot@example.com", status="approved")
    comment = pending(post=post, author_email="bot@example.com", body=body)
    assert pipeline.comment_screen(comment_id=comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.spam_score >= DiscussionSettings.load().spam_threshold
    assert comment.reasons[0]["text"].startswith(f"spam score {comment.spam_score:.2f}: top features")


@pytest.mark.parametrize("returning", [False, True])
def test_a_comment_with_one_ordinary_link_is_never_spam(post, returning):
    if returning:
        CommentFactory(post=post, author_email="new@example.com", status="approved")
    comment = pending(post=post, author_email="new@example.com",
                      body="queue-7 comment number 0 with a link https://example.net/0")
    assert pipeline.comment_screen(comment_id=comment.pk) in ("pending", "approved")


def test_a_short_comment_with_the_website_field_filled_is_never_spam_on_the_seed_alone(post):
    comment = pending(post=post, author_email="guest@example.com", author_url="https://guest-site.example/",
                      body="first thoughts")
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"
    comment.refresh_from_db()
    assert [r["code"] for r in comment.reasons][:1] in (["first_comment"], ["spam_score"])


def test_a_link_to_a_domain_a_moderator_marked_as_spam_is_spam(post, moderator, django_capture_on_commit_callbacks):
    earlier = pending(post=post, body="Cheap pills at https://pills.example/buy")
    with django_capture_on_commit_callbacks(execute=True):
        moderation_actions.comment_moderate(comment_id=earlier.pk, actor=moderator, action="spam")
    comment = pending(post=post, author_email="other@example.com", body="See http://www.pills.example/today")
    assert pipeline.comment_screen(comment_id=comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.reasons[0]["code"] == "spam_domain"


def test_a_domain_only_the_pipeline_sent_to_spam_is_not_a_hard_rule(post):
    earlier = pending(post=post, body="My notes are at https://notes.example/x")
    Comment.objects.filter(pk=earlier.pk).update(status="spam", checked_at=timezone.now())
    ModerationEvent.objects.create(comment=earlier, action="spam", from_status="pending", to_status="spam")
    comment = pending(post=post, author_email="other@example.com", body="Also https://notes.example/y")
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"


def test_a_trusted_commenter_skips_the_first_comment_hold(post):
    CommenterFlag.objects.create(kind="trust", email="friend@example.com")
    comment = pending(post=post, author_email="friend@example.com", email_proof="browser", body="Great write-up.")
    assert pipeline.comment_screen(comment_id=comment.pk) == "approved"


def test_a_banned_commenter_goes_to_spam(post):
    CommenterFlag.objects.create(kind="ban", ip="198.51.100.9")
    comment = pending(post=post, ip="198.51.100.9")
    assert pipeline.comment_screen(comment_id=comment.pk) == "spam"


def test_it_decides_once_however_often_it_runs(post):
    comment = pending(post=post)
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"
    assert pipeline.comment_screen(comment_id=comment.pk) is None
    assert ModerationEvent.objects.filter(comment=comment, actor=None).count() == 1


def test_the_claim_loses_to_a_decision_made_meanwhile(post):
    comment = pending(post=post)
    comment_seen_by_worker = Comment.objects.get(pk=comment.pk)
    Comment.objects.filter(pk=comment.pk).update(status="trash", checked_at=timezone.now())
    verdict = pipeline.moderation.Verdict("approved")
    assert pipeline._apply(comment_seen_by_worker, verdict=verdict, shadowed=[],
                           score=pipeline.spam.SpamScore(0.1, ())) is None
    assert Comment.objects.get(pk=comment.pk).status == "trash"
    assert not ModerationEvent.objects.filter(comment=comment).exists()


def test_a_shadow_rule_is_logged_but_not_applied(post):
    settings_with(require_previous_approval=True, shadow_rules="first_comment\n", spam_threshold=1.1, hold_threshold=1.1)
    comment = pending(post=post, body="A fine first comment.")
    assert pipeline.comment_screen(comment_id=comment.pk) == "approved"
    shadow = ModerationEvent.objects.get(comment=comment, shadow=True)
    assert (shadow.action, shadow.to_status) == ("shadow:hold", "pending")
    assert shadow.reasons[0]["code"] == "first_comment"


def test_approval_recounts_and_bumps_the_thread_version(post):
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    comment = pending(post=post, author_name="Ann", author_email="ann@example.com", email_proof="browser")
    version = post.comments_version
    pipeline.comment_screen(comment_id=comment.pk)
    post.refresh_from_db()
    assert post.comment_count == 2
    assert post.comments_version == version + 1


def test_approval_records_the_post_author_notification_once(post, django_capture_on_commit_callbacks):
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    comment = pending(post=post, author_name="Ann", author_email="ann@example.com", email_proof="browser", notify_on_approval=True)
    with django_capture_on_commit_callbacks() as callbacks:
        pipeline.comment_screen(comment_id=comment.pk)
    kinds = sorted(Notification.objects.filter(comment=comment).values_list("kind", flat=True))
    assert kinds == ["approved", "new_comment"]
    assert len(callbacks) == 2  # one send_notification each, queued after commit


def test_a_held_comment_notifies_each_moderator(post, moderator, admin_user):
    comment = pending(post=post)
    pipeline.comment_screen(comment_id=comment.pk)
    recipients = set(Notification.objects.filter(comment=comment, kind="held").values_list("recipient", flat=True))
    assert recipients == {moderator.email, admin_user.email}


def test_spam_notifies_nobody(post, moderator):
    settings_with(disallowed_words="casino")
    comment = pending(post=post, body="casino", notify_on_approval=True)
    pipeline.comment_screen(comment_id=comment.pk)
    assert not Notification.objects.exists()


@responses.activate
def test_a_failed_akismet_check_holds_the_comment_with_the_reason(post, settings):
    settings.AKISMET_API_KEY = "k"
    responses.post("https://rest.akismet.com/1.1/comment-check", body="invalid", status=200)
    CommentFactory(post=post, author_email="ann@example.com", status="approved")
    comment = pending(post=post, author_email="ann@example.com")
    assert pipeline.comment_screen(comment_id=comment.pk) == "pending"
    comment.refresh_from_db()
    assert comment.reasons[0]["code"] == "akismet_error"


@responses.activate
def test_akismet_spam_is_spam(post, settings):
    settings.AKISMET_API_KEY = "k"
    responses.post("https://rest.akismet.com/1.1/comment-check", body="true")
    comment = pending(post=post)
    assert pipeline.comment_screen(comment_id=comment.pk) == "spam"
    assert responses.calls[0].request.body.count("comment_content=") == 1


def test_a_moderator_decision_is_audited_and_trains_the_classifier(post, moderator,
                                                                   django_capture_on_commit_callbacks):
    comment = pending(post=post, body="zorblax flumph")
    pipeline.comment_screen(comment_id=comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation_actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="spam").ok
    assert not moderation_actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="spam").ok
    event = ModerationEvent.objects.get(comment=comment, actor=moderator)
    assert (event.from_status, event.to_status) == ("pending", "spam")
    assert pipeline.spam.SpamToken.objects.get(token="zorblax").spam == 1


def test_dry_run_counts_what_a_rule_would_have_held(post):
    for i in range(3):
        CommentFactory(post=post, body=f"see http://a{i}.test and http://b{i}.test")
    CommentFactory(post=post, body="no links here")
    result = pipeline.dry_run(rule="links", last=10)
    assert (result.examined, result.held) == (4, 3)
    with pytest.raises(ValueError, match="Unknown rule"):
        pipeline.dry_run(rule="nope")


def test_the_task_is_thin_and_idempotent(post):
    comment = pending(post=post)
    assert tasks.screen_comment.apply(args=[comment.pk]).get() == "pending"
    assert tasks.screen_comment.apply(args=[comment.pk]).get() is None
    assert tasks.screen_comment.acks_late and tasks.screen_comment.reject_on_worker_lost


def test_the_sweep_requeues_only_old_unchecked_comments(post, monkeypatch):
    old = pending(post=post, created_at=timezone.now() - timezone.timedelta(minutes=2))
    pending(post=post)  # fresh: its own task is probably still on the way
    sent = []
    monkeypatch.setattr(tasks.helpers, "enqueue", lambda task, *args: sent.append((task.name, args)) or True)
    assert tasks.sweep_unchecked_comments.apply().get() == 1
    assert sent == [("blog.moderation.tasks.screen_comment", (old.pk,))]


def test_the_sweep_does_not_requeue_the_same_comment_every_minute(post, monkeypatch):
    old = pending(post=post, created_at=timezone.now() - timezone.timedelta(minutes=2))
    outcomes = iter([False, True])  # the broker refuses the first try
    monkeypatch.setattr(tasks.helpers, "enqueue", lambda task, *args: next(outcomes, True))
    assert tasks.sweep_unchecked_comments.apply().get() == 0
    assert tasks.sweep_unchecked_comments.apply().get() == 1
    assert tasks.sweep_unchecked_comments.apply().get() == 0
    assert Comment.objects.get(pk=old.pk).checked_at is None


@responses.activate
def test_a_moderator_spam_decision_is_sent_back_to_akismet(post, moderator, settings,
                                                         django_capture_on_commit_callbacks):
    settings.AKISMET_API_KEY = "k"
    responses.post("https://rest.akismet.com/1.1/submit-spam", body="Thanks for making the web a better place.")
    comment = CommentFactory(post=post, status="pending")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderation_actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="spam")
    assert len(callbacks) == 1
    assert tasks.akismet_feedback.apply(args=[comment.pk, True]).get() is True
    assert "comment_author=" in responses.calls[0].request.body


def test_retraining_keeps_what_moderators_taught(post, moderator):
    comment = CommentFactory(post=post, status="pending", body="zorblax flumph")
    moderation_actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="spam")
    assert tasks.retrain_classifier.apply().get() == 1
    assert pipeline.spam.SpamToken.objects.get(token="zorblax").spam == 1


def test_purge_deletes_spam_older_than_the_setting(post):
    old = CommentFactory(post=post, status="spam", created_at=timezone.now() - timezone.timedelta(days=16))
    recent = CommentFactory(post=post, status="spam", created_at=timezone.now() - timezone.timedelta(days=14))
    assert tasks.purge_old_spam.apply().get() == 1
    assert list(Comment.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]


def test_screening_takes_a_constant_number_of_queries(post, django_assert_max_num_queries):
    pipeline.spam.ensure_seeded()
    DiscussionSettings.load()
    comment = pending(post=post, body="A comment with http://x.test and http://y.test links " * 5)
    with django_assert_max_num_queries(12):
        pipeline.comment_screen(comment_id=comment.pk)


def test_history_knows_a_returning_commenter_by_account_or_by_the_proven_email_as_written(post, reader):
    CommentFactory(post=post, user=reader, author_email="", status="approved")
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    assert pipeline.comment_facts(pending(post=post, user=reader, author_email="")).approved_before == 1
    assert pipeline.comment_facts(pending(post=post, author_name="Ann", author_email="ann@example.com",
                                          email_proof="browser")).approved_before == 1
    # A new spelling is a new author (held): the exact match is what the e-mail index serves.
    assert pipeline.comment_facts(pending(post=post, author_name="Ann", author_email="Ann@example.com",
                                          email_proof="browser")).approved_before == 0


def test_a_guest_who_types_a_regulars_address_is_not_a_returning_commenter(post):
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    impostor = pending(post=post, author_name="Ann", author_email="ann@example.com")
    assert pipeline.comment_facts(impostor).approved_before == 0
    assert pipeline.comment_screen(comment_id=impostor.pk) == "pending"


def test_the_returning_cookie_vouches_only_for_the_same_name_and_email(post):
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.com", status="approved")
    other_name = pending(post=post, author_name="Mallory", author_email="ann@example.com", email_proof="browser")
    assert pipeline.comment_facts(other_name).approved_before == 0


def test_a_verified_address_of_the_account_brings_its_guest_history(post, reader):
    CommentFactory(post=post, author_name="Rita as a guest", author_email="rita@example.com", status="approved")
    signed_in = pending(post=post, user=reader, author_email="rita@example.com", email_proof="verified")
    assert pipeline.comment_facts(signed_in).approved_before == 1


def test_trust_by_email_needs_a_proven_address(post):
    CommenterFlag.objects.create(kind="trust", email="friend@example.com")
    typed = pending(post=post, author_email="friend@example.com", body="Great write-up.")
    assert not pipeline.comment_facts(typed).is_trusted
    assert pipeline.comment_screen(comment_id=typed.pk) == "pending"


def test_trust_by_ip_is_never_granted_but_a_ban_by_ip_still_applies(post):
    CommenterFlag.objects.create(kind="trust", ip="198.51.100.9")
    CommenterFlag.objects.create(kind="ban", ip="198.51.100.10")
    assert not pipeline.comment_facts(pending(post=post, ip="198.51.100.9")).is_trusted
    assert pipeline.comment_facts(pending(post=post, ip="198.51.100.10")).is_banned


def test_history_does_not_credit_another_commenter_on_the_same_ip(post):
    CommentFactory(post=post, author_email="ann@example.com", ip="203.0.113.7", status="approved")
    other = pending(post=post, author_email="bob@example.com", ip="203.0.113.7")
    assert pipeline.comment_facts(other).approved_before == 0
