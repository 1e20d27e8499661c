"""The moderator action services: state changes by compare-and-set, one audit event per
decision, side effects after commit, undo, ban and trust."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments.models import Comment, CommentReport
from blog.models import Post
from blog.moderation import actions
from blog.moderation.models import ModerationEvent, SpamToken
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db
S = Comment.Status


@pytest.fixture
def held(post):
    return CommentFactory(post=post, status=S.PENDING, author_email="pat@example.com", ip="203.0.113.9")


def test_it_approves_a_held_comment_and_writes_one_audit_event(held, moderator):
    outcome = actions.comment_moderate(comment_id=held.pk, actor=moderator, action="approve")
    held.refresh_from_db()
    assert outcome.ok and held.status == S.APPROVED
    event = ModerationEvent.objects.get(comment=held)
    assert (event.actor, event.action, event.from_status, event.to_status) == (moderator, "approve", "pending",
                                                                                 "approved")


def test_approving_bumps_the_thread_notifies_and_trains_ham_after_commit(
    held, moderator, django_capture_on_commit_callbacks
):
    with mock.patch("blog.comments.outbox.on_comment_approved") as notify, mock.patch("blog.moderation.classifier.learn") as learn:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.comment_moderate(comment_id=held.pk, actor=moderator, action="approve")
        assert not notify.called, "side effects must wait for the commit"
        for callback in callbacks:
            callback()
    post = Post.objects.get(pk=held.post_id)
    assert post.comment_count == 1
    assert post.comments_version == 1
    notify.assert_called_once()
    learn.assert_called_once_with(mock.ANY, is_spam=False)


def test_marking_spam_trains_the_classifier_as_spam(held, moderator, django_capture_on_commit_callbacks):
    with mock.patch("blog.moderation.classifier.learn") as learn, django_capture_on_commit_callbacks(execute=True):
        actions.comment_moderate(comment_id=held.pk, actor=moderator, action="spam")
    learn.assert_called_once_with(mock.ANY, is_spam=True)
    assert learn.call_args.args[0].pk == held.pk


def test_not_spam_restores_a_comment_the_pipeline_sent_to_spam_and_trains_it_as_ham(
    post, moderator, django_capture_on_commit_callbacks
):
    comment = CommentFactory(post=post, status=S.PENDING, checked_at=None, form_age=30.0,
                             body="First thoughts: the second chart answers my question.")
    Comment.objects.filter(pk=comment.pk).update(status=S.SPAM, checked_at=timezone.now())
    ModerationEvent.objects.create(comment=comment, action="spam", from_status=S.PENDING, to_status=S.SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="restore")
    comment.refresh_from_db()
    assert outcome.ok and comment.status == S.PENDING
    ham = SpamToken.objects.get(token="chart")
    assert (ham.spam, ham.ham) == (0, 1)  # learned as ham; no spam lesson taken back that was never given
    assert SpamToken.objects.get(token="__docs__").ham == 1


def test_not_spam_takes_back_a_moderators_spam_lesson(held, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.comment_moderate(comment_id=held.pk, actor=moderator, action="spam")
    with django_capture_on_commit_callbacks(execute=True):
        actions.comment_moderate(comment_id=held.pk, actor=moderator, action="restore")
    docs = SpamToken.objects.get(token="__docs__")
    assert (docs.spam, docs.ham) == (0, 1)


def test_it_refuses_a_comment_that_moved_since_the_moderator_saw_it(held, moderator, admin_user):
    actions.comment_moderate(comment_id=held.pk, actor=admin_user, action="approve")
    outcome = actions.comment_moderate(comment_id=held.pk, actor=moderator, action="spam", expected="pending")
    held.refresh_from_db()
    assert not outcome.ok
    assert "already moved" in outcome.message and "approved" in outcome.message
    assert held.status == S.APPROVED
    assert ModerationEvent.objects.filter(comment=held).count() == 1


def test_acting_on_a_deleted_comment_says_so_plainly(held, moderator):
    pk = held.pk
    held.delete()
    outcome = actions.comment_moderate(comment_id=pk, actor=moderator, action="approve")
    assert not outcome.ok and outcome.message == "That comment no longer exists."


def test_approving_twice_is_one_decision_and_one_mail(held, moderator, django_capture_on_commit_callbacks):
    with mock.patch("blog.comments.outbox.on_comment_approved") as notify, \
            django_capture_on_commit_callbacks(execute=True):
        first = actions.comment_moderate(comment_id=held.pk, actor=moderator, action="approve")
        second = actions.comment_moderate(comment_id=held.pk, actor=moderator, action="approve")
    assert first.ok and not second.ok
    assert ModerationEvent.objects.filter(comment=held).count() == 1
    notify.assert_called_once()


def test_a_reply_to_a_comment_without_a_path_still_nests_under_it(post, moderator):
    parent = CommentFactory(post=post, status=S.APPROVED)
    Comment.objects.filter(pk=parent.pk).update(path="")
    actions.comment_reply(comment_id=parent.pk, actor=moderator, body="Hi")
    reply = Comment.objects.get(parent=parent)
    assert reply.path == f"{parent.pk:010d}/{reply.pk:010d}/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("sqlite" in connection.vendor, reason="needs concurrent connections (PostgreSQL)")
def test_two_moderators_at_once_produce_one_decision_and_one_event(post, moderator, admin_user):
    comment = CommentFactory(post=post, status=S.PENDING)
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user, action):
        barrier.wait()
        try:
            outcomes.append(actions.comment_moderate(comment_id=comment.pk, actor=user, action=action,
                                                     expected="pending"))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=click, args=a) for a in ((moderator, "approve"), (admin_user, "spam"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert ModerationEvent.objects.filter(comment=comment).count() == 1


def test_the_compare_and_set_changes_nothing_when_the_status_differs(held, moderator):
    """The race guard itself: the loser's UPDATE matches no row, so it writes no event."""
    Comment.objects.filter(pk=held.pk).update(status=S.SPAM)  # the other moderator won meanwhile
    outcome = actions._set_status(comment=held, actor=moderator, action="approve", to_status=S.APPROVED,
                                  expected=S.PENDING)
    assert not outcome.ok
    assert Comment.objects.get(pk=held.pk).status == S.SPAM
    assert not ModerationEvent.objects.exists()


def test_an_author_may_moderate_comments_on_their_own_post_only(held, author):
    other = CommentFactory(post=PostFactory(), status=S.PENDING)
    assert actions.comment_moderate(comment_id=held.pk, actor=author, action="approve").ok
    with pytest.raises(PermissionError):
        actions.comment_moderate(comment_id=other.pk, actor=author, action="approve")


def test_a_reader_may_moderate_nothing(held, reader):
    with pytest.raises(PermissionError):
        actions.comment_moderate(comment_id=held.pk, actor=reader, action="trash")
    assert actions.moderation_scope(reader) is None


def test_restore_returns_a_comment_to_where_it_came_from(post, moderator):
    comment = CommentFactory(post=post, status=S.APPROVED)
    actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="trash")
    outcome = actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="restore")
    assert outcome.ok and outcome.status == S.APPROVED


def test_restore_without_history_goes_back_to_pending(post, moderator):
    comment = CommentFactory(post=post, status=S.SPAM)
    outcome = actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="restore")
    assert outcome.status == S.PENDING


def test_a_decision_resolves_open_reports(post, moderator):
    comment = CommentFactory(post=post, status=S.APPROVED)
    report = CommentReport.objects.create(comment=comment, reason="abusive")
    actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="trash")
    report.refresh_from_db()
    assert report.resolved_at is not None


def test_undo_reverses_the_last_action_and_marks_it_undone(held, moderator):
    actions.comment_moderate(comment_id=held.pk, actor=moderator, action="spam")
    outcome = actions.moderation_undo(actor=moderator)
    held.refresh_from_db()
    assert outcome.ok and held.status == S.PENDING
    spam_event = ModerationEvent.objects.get(comment=held, action="spam")
    assert spam_event.undone_at is not None
    assert ModerationEvent.objects.filter(comment=held, action="undo", from_status="spam",
                                          to_status="pending").exists()


def test_undo_walks_back_one_action_at_a_time_and_never_twice(post, moderator):
    first = CommentFactory(post=post, status=S.PENDING)
    second = CommentFactory(post=post, status=S.PENDING)
    actions.comment_moderate(comment_id=first.pk, actor=moderator, action="approve")
    actions.comment_moderate(comment_id=second.pk, actor=moderator, action="trash")
    assert actions.moderation_undo(actor=moderator).comment_id == second.pk
    assert actions.moderation_undo(actor=moderator).comment_id == first.pk
    assert not actions.moderation_undo(actor=moderator).ok
    assert set(Comment.objects.values_list("status", flat=True)) == {S.PENDING}


def test_undo_says_so_when_the_comment_moved_meanwhile(held, moderator, admin_user):
    actions.comment_moderate(comment_id=held.pk, actor=moderator, action="approve")
    actions.comment_moderate(comment_id=held.pk, actor=admin_user, action="trash")
    outcome = actions.moderation_undo(actor=moderator)
    assert not outcome.ok and "already moved" in outcome.message
    assert ModerationEvent.objects.get(action="approve").undone_at is None, "a failed undo is rolled back"


def test_undo_of_someone_elses_event_does_nothing(held, moderator, admin_user):
    outcome = actions.comment_moderate(comment_id=held.pk, actor=admin_user, action="approve")
    assert not actions.moderation_undo(actor=moderator, event_id=outcome.event_id).ok
    assert Comment.objects.get(pk=held.pk).status == S.APPROVED


def test_edit_replaces_the_text_sanitised_and_undo_restores_it(held, moderator):
    original = held.body
    outcome = actions.comment_moderator_edit(comment_id=held.pk, actor=moderator, body="Fixed <script>x</script> see https://example.com")
    held.refresh_from_db()
    assert outcome.ok and held.edited_at
    assert "<script>" not in held.body_html and 'rel="nofollow' in held.body_html
    actions.moderation_undo(actor=moderator)
    held.refresh_from_db()
    assert held.body == original


def test_edit_refuses_empty_text(held, moderator):
    assert not actions.comment_moderator_edit(comment_id=held.pk, actor=moderator, body="   ").ok


def test_approve_and_reply_posts_the_moderators_reply_approved(held, moderator):
    outcome = actions.comment_reply(comment_id=held.pk, actor=moderator, body="Thanks, Pat.")
    held.refresh_from_db()
    reply = Comment.objects.get(parent=held)
    assert outcome.ok and held.status == S.APPROVED
    assert (reply.status, reply.user, reply.depth, reply.thread_id) == (S.APPROVED, moderator, 2, held.thread_id)
    assert reply.path.startswith(held.path) and reply.path.endswith(f"{reply.pk:010d}/")
    actions.moderation_undo(actor=moderator)
    reply.refresh_from_db()
    held.refresh_from_db()
    assert (reply.status, held.status) == (S.TRASH, S.PENDING)  # one action, one undo
    assert not actions.moderation_undo(actor=moderator).ok  # nothing left: both were undone


def test_undoing_a_reply_to_an_approved_comment_leaves_the_comment_approved(post, moderator):
    comment = CommentFactory(post=post, status=S.APPROVED)
    actions.comment_reply(comment_id=comment.pk, actor=moderator, body="Good point.")
    actions.moderation_undo(actor=moderator)
    comment.refresh_from_db()
    assert comment.status == S.APPROVED
    assert Comment.objects.get(parent=comment).status == S.TRASH


def test_replying_to_spam_asks_for_a_restore_first(post, moderator):
    comment = CommentFactory(post=post, status=S.SPAM)
    outcome = actions.comment_reply(comment_id=comment.pk, actor=moderator, body="Hello")
    assert not outcome.ok and "Restore" in outcome.message
    assert not Comment.objects.filter(parent=comment).exists()


def test_ban_flags_the_author_by_email_with_reason_and_expiry(held, moderator):
    until = timezone.now() + timedelta(days=7)
    outcome = actions.commenter_flag(comment_id=held.pk, actor=moderator, kind="ban", reason="abuse",
                                     expires_at=until)
    flag = CommenterFlag.objects.get()
    assert outcome.ok
    assert (flag.kind, flag.email, flag.reason, flag.expires_at, flag.created_by) == (
        "ban", "pat@example.com", "abuse", until, moderator)
    assert CommenterFlag.objects.active().matching(email="PAT@example.com").exists()


def test_trust_replaces_a_ban_and_undo_brings_the_ban_back(held, moderator):
    until = timezone.now() + timedelta(days=3)
    actions.commenter_flag(comment_id=held.pk, actor=moderator, kind="ban", reason="abuse", expires_at=until)
    actions.commenter_flag(comment_id=held.pk, actor=moderator, kind="trust")
    assert list(CommenterFlag.objects.values_list("kind", flat=True)) == ["trust"]
    actions.moderation_undo(actor=moderator)
    ban = CommenterFlag.objects.get()
    assert (ban.kind, ban.reason, ban.expires_at, ban.email) == ("ban", "abuse", until, "pat@example.com")
    actions.moderation_undo(actor=moderator)
    assert not CommenterFlag.objects.exists()


def test_a_ban_with_a_past_expiry_is_refused(held, moderator):
    outcome = actions.commenter_flag(comment_id=held.pk, actor=moderator, kind="ban",
                                     expires_at=timezone.now() - timedelta(hours=1))
    assert not outcome.ok and not CommenterFlag.objects.exists()


def test_bulk_decides_each_comment_on_its_own(post, moderator, author):
    mine = CommentFactory.create_batch(2, post=post, status=S.PENDING)
    foreign = CommentFactory(post=PostFactory(), status=S.PENDING)
    outcomes = actions.comments_moderate(comment_ids=[c.pk for c in mine] + [foreign.pk, 999999], actor=author,
                                         action="approve")
    assert [o.ok for o in outcomes] == [True, True, False, False]
    assert Comment.objects.get(pk=foreign.pk).status == S.PENDING


def test_one_undo_reverses_a_whole_bulk_action_and_nothing_before_it(post, moderator):
    earlier = CommentFactory(post=post, status=S.PENDING)
    actions.comment_moderate(comment_id=earlier.pk, actor=moderator, action="spam")
    batch = CommentFactory.create_batch(3, post=post, status=S.PENDING)
    actions.comments_moderate(comment_ids=[c.pk for c in batch], actor=moderator, action="spam")
    outcome = actions.moderation_undo(actor=moderator)
    assert outcome.ok and outcome.message == "Undone: spam on 3 comments."
    assert sorted(r.comment_id for r in outcome.results) == sorted(c.pk for c in batch)
    assert all(Comment.objects.get(pk=c.pk).status == S.PENDING for c in batch)
    assert Comment.objects.get(pk=earlier.pk).status == S.SPAM
