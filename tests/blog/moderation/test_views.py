"""The moderator screens at /moderation/: who may see and act, the JSON and plain-form
answers, CSRF, filters and sorts, constant query counts, detail, author drawer, dashboard
and the admin's Comment list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CommenterFlag
from blog.comments.models import Comment, CommentReport
from blog.moderation.models import ModerationEvent
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db
S = Comment.Status
JSON = {"HTTP_ACCEPT": "application/json"}

QUEUE_URLS = [
    "/moderation/",
    "/moderation/queue/pending/",
    "/moderation/queue/reported/",
    "/moderation/queue/spam/",
    "/moderation/queue/trash/",
    "/moderation/queue/approved/",
    "/moderation/dashboard/",
    "/moderation/author/?email=pat@example.com",
    "/moderation/comments/{pk}/",
]
ACTIONS = ["approve", "unapprove", "spam", "trash", "restore", "edit", "reply", "ban", "trust"]
START = {"unapprove": S.APPROVED, "restore": S.SPAM}
FIELDS = {"edit": {"body": "Edited text"}, "reply": {"body": "A reply"}, "ban": {"reason": "r"},
          "trust": {"reason": "r"}}
EFFECT = {  # how to tell that the action happened
    "approve": lambda c: c.status == S.APPROVED,
    "unapprove": lambda c: c.status == S.PENDING,
    "spam": lambda c: c.status == S.SPAM,
    "trash": lambda c: c.status == S.TRASH,
    "restore": lambda c: c.status == S.PENDING,
    "edit": lambda c: c.body == "Edited text",
    "reply": lambda c: c.replies.exists(),
    "ban": lambda c: CommenterFlag.objects.filter(kind="ban").exists(),
    "trust": lambda c: CommenterFlag.objects.filter(kind="trust").exists(),
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Five personas per test: hashing their passwords with PBKDF2 would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def own_comment(post):
    """A held comment on the author's own post."""
    return CommentFactory(post=post, status=S.PENDING, author_email="pat@example.com", ip="203.0.113.9")


@pytest.fixture
def other_comment(db):
    return CommentFactory(post=PostFactory(), status=S.PENDING, author_email="pat@example.com")


def _client(user, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def persona(request):
    if request.param == "anonymous":
        return None
    return request.getfixturevalue({"admin": "admin_user"}.get(request.param, request.param))


# --- permission matrix ----------------------------------------------------------------------

@pytest.mark.parametrize("url", QUEUE_URLS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("reader", 403), ("author", 200), ("moderator", 200), ("admin", 200)],
    indirect=["persona"],
)
def test_who_may_open_each_moderation_page(url, persona, expected, own_comment):
    response = _client(persona).get(url.format(pk=own_comment.pk))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_an_author_cannot_open_a_comment_on_someone_elses_post(author, other_comment):
    assert _client(author).get(f"/moderation/comments/{other_comment.pk}/").status_code == 403


def test_an_author_sees_only_comments_on_their_own_posts(author, own_comment, other_comment):
    response = _client(author).get("/moderation/")
    html = response.content.decode()
    assert f'data-comment-id="{own_comment.pk}"' in html
    assert f'data-comment-id="{other_comment.pk}"' not in html
    assert response.context["counts"]["pending"] == 1


def test_the_author_drawer_hides_comments_on_other_authors_posts(author, own_comment, other_comment):
    html = _client(author).get("/moderation/author/?email=pat@example.com").content.decode()
    assert f'data-comment-id="{own_comment.pk}"' in html
    assert f'data-comment-id="{other_comment.pk}"' not in html


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("persona", "target", "allowed"),
    [
        ("anonymous", "own", False), ("reader", "own", False), ("author", "own", True),
        ("author", "other", False), ("moderator", "other", True), ("admin", "other", True),
    ],
    indirect=["persona"],
)
def test_who_may_take_each_action(action, persona, target, allowed, own_comment, other_comment):
    comment = own_comment if target == "own" else other_comment
    if getattr(persona, "username", None) == "author" and action in ("ban", "trust"):
        allowed = False  # a ban or trust is site-wide: moderators only, even on an author's own post
    Comment.objects.filter(pk=comment.pk).update(status=START.get(action, S.PENDING))
    response = _client(persona).post(f"/moderation/comments/{comment.pk}/{action}/", FIELDS.get(action, {}),
                                     **JSON)
    comment.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.content
        assert response.json()["ok"] is True
        assert EFFECT[action](comment)
        assert ModerationEvent.objects.filter(actor=persona).exists()
    else:
        assert response.status_code in (302, 403)
        assert not EFFECT[action](comment)
        assert not ModerationEvent.objects.exists()


@pytest.mark.parametrize(("persona", "allowed"), [("reader", False), ("author", False), ("moderator", True)],
                         indirect=["persona"])
def test_bulk_and_undo_respect_the_same_permissions(persona, allowed, other_comment):
    _client(persona).post("/moderation/bulk/", {"action": "spam", "ids": [other_comment.pk]}, **JSON)
    other_comment.refresh_from_db()
    assert (other_comment.status == S.SPAM) is allowed


# --- CSRF --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"comments/{{pk}}/{a}/" for a in ACTIONS] + ["bulk/", "undo/"])
def test_every_action_needs_a_csrf_token(path, moderator, own_comment):
    client = _client(moderator, enforce_csrf_checks=True)
    response = client.post("/moderation/" + path.format(pk=own_comment.pk),
                           {"ids": [own_comment.pk], "action": "spam", "body": "x"}, **JSON)
    assert response.status_code == 403
    own_comment.refresh_from_db()
    assert own_comment.status == S.PENDING and not ModerationEvent.objects.exists()


def test_an_action_with_the_csrf_header_goes_through(moderator, own_comment):
    client = _client(moderator, enforce_csrf_checks=True)
    client.get("/moderation/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/moderation/comments/{own_comment.pk}/approve/", HTTP_X_CSRFTOKEN=token, **JSON)
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_actions_refuse_get(moderator, own_comment):
    response = _client(moderator).get(f"/moderation/comments/{own_comment.pk}/approve/")
    assert response.status_code == 405


# --- answers -------------------------------------------------------------------------------

def test_a_fetch_gets_json_with_the_new_status_and_live_counts(moderator, own_comment):
    data = _client(moderator).post(f"/moderation/comments/{own_comment.pk}/spam/", **JSON).json()
    assert data["ok"] and data["status"] == "spam" and data["event_id"]
    assert data["counts"]["pending"] == 0 and data["counts"]["spam"] == 1


def test_a_plain_form_post_redirects_back_with_a_message(moderator, own_comment):
    client = _client(moderator)
    response = client.post(f"/moderation/comments/{own_comment.pk}/trash/",
                           {"next": "/moderation/queue/pending/?sort=newest"}, follow=True)
    assert response.redirect_chain[-1][0] == "/moderation/queue/pending/?sort=newest"
    assert "Moved to trash." in response.content.decode()


def test_the_next_url_cannot_redirect_off_site(moderator, own_comment):
    response = _client(moderator).post(f"/moderation/comments/{own_comment.pk}/trash/",
                                       {"next": "https://evil.example/"})
    assert response["Location"] == "/moderation/"


def test_a_stale_action_answers_409_saying_where_the_comment_went(moderator, own_comment):
    Comment.objects.filter(pk=own_comment.pk).update(status=S.APPROVED)
    response = _client(moderator).post(f"/moderation/comments/{own_comment.pk}/spam/", {"expected": "pending"},
                                       **JSON)
    assert response.status_code == 409
    assert response.json()["message"] == "That comment was already moved: it is now approved."


def test_an_action_on_a_missing_comment_says_so(moderator):
    data = _client(moderator).post("/moderation/comments/987654/approve/", **JSON).json()
    assert data["ok"] is False and data["message"] == "That comment no longer exists."


@pytest.mark.parametrize("fields", [{"expires_at": "not a date"}, {"expected": "x" * 50}, {"body": ""}])
def test_bad_input_gets_a_clear_message_not_a_500(moderator, own_comment, fields):
    action = "edit" if "body" in fields else "ban"
    response = _client(moderator).post(f"/moderation/comments/{own_comment.pk}/{action}/", fields, **JSON)
    assert response.status_code == 409
    assert response.json()["message"]


def test_an_unknown_action_or_queue_is_404(moderator, own_comment):
    client = _client(moderator)
    assert client.post(f"/moderation/comments/{own_comment.pk}/delete/").status_code == 404
    assert client.get("/moderation/queue/everything/").status_code == 404


def test_bulk_acts_on_the_selected_rows_and_reports_skips(moderator, post):
    rows = CommentFactory.create_batch(3, post=post, status=S.PENDING)
    Comment.objects.filter(pk=rows[2].pk).update(status=S.APPROVED)
    data = _client(moderator).post("/moderation/bulk/", {"action": "trash", "ids": [r.pk for r in rows[:2]]},
                                   **JSON).json()
    assert data["message"] == "2 comments done."
    assert Comment.objects.filter(status=S.TRASH).count() == 2


def test_bulk_without_a_selection_says_what_is_missing(moderator):
    response = _client(moderator).post("/moderation/bulk/", {"action": "trash"}, follow=True)
    assert "Choose an action and at least one comment." in response.content.decode()


def test_undo_through_the_endpoint_reverses_the_last_action(moderator, own_comment):
    client = _client(moderator)
    client.post(f"/moderation/comments/{own_comment.pk}/approve/", **JSON)
    data = client.post("/moderation/undo/", **JSON).json()
    own_comment.refresh_from_db()
    assert data["ok"] and own_comment.status == S.PENDING


# --- the queue page ------------------------------------------------------------------------

def test_a_row_shows_what_a_moderator_needs(moderator, post):
    parent = CommentFactory(post=post, author_name="Quinn", body="The parent text")
    CommentFactory(post=post, status=S.APPROVED, author_email="pat@example.com")
    comment = CommentFactory(
        post=post, parent=parent, status=S.PENDING, author_name="Pat", author_email="pat@example.com",
        author_url="https://pat.example", ip="203.0.113.9", provider="google", spam_score=0.71,
        reasons=[{"code": "links", "text": "3 links (threshold 2)"}], body_html="<p>Buy <em>now</em></p>",
    )
    html = _client(moderator).get("/moderation/").content.decode()
    for needle in [f'data-comment-id="{comment.pk}"', "Pat", "pat@example.com", "https://pat.example",
                   "203.0.113.9", "via google", "0.71", 'data-reason="links"', "3 links (threshold 2)",
                   "<p>Buy <em>now</em></p>", post.title, "Quinn", 'data-action="approve"', 'data-action="spam"',
                   'data-action="trash"', 'data-action="edit"', 'data-action="reply"', 'data-action="ban"',
                   'data-action="trust"']:
        assert needle in html, needle
    assert '<span data-history="approved">1</span>' in html
    assert '<span data-history="held">1</span>' in html


def test_unchecked_comments_are_in_pending_and_clearly_marked(moderator, post):
    CommentFactory(post=post, status=S.PENDING, checked_at=None)
    html = _client(moderator).get("/moderation/").content.decode()
    assert "not yet screened" in html


def test_the_reported_queue_lists_open_reports_only(moderator, post):
    reported = CommentFactory(post=post)
    resolved = CommentFactory(post=post)
    CommentReport.objects.create(comment=reported, reason="abusive")
    CommentReport.objects.create(comment=resolved, reason="spam", resolved_at=timezone.now())
    CommentReport.objects.create(comment=reported, reason="off_topic", note="nothing to do with the post")
    response = _client(moderator).get("/moderation/queue/reported/")
    assert [c.pk for c in response.context["rows"]] == [reported.pk]
    assert response.context["counts"]["reported"] == 1
    html = response.content.decode()
    assert "Reported as <strong>Abusive or harmful</strong>" in html
    assert "Off-topic</strong>: nothing to do with the post" in html


def test_the_reported_queue_renders_in_constant_queries(moderator, post, django_assert_max_num_queries):
    for comment in CommentFactory.create_batch(20, post=post):
        CommentReport.objects.create(comment=comment, reason="spam")
    client = _client(moderator)
    client.get("/moderation/queue/reported/")
    with django_assert_max_num_queries(12):
        client.get("/moderation/queue/reported/")


def test_each_queue_holds_its_status(moderator, post):
    made = {status: CommentFactory(post=post, status=status) for status in S.values}
    client = _client(moderator)
    for status, comment in made.items():
        rows = client.get(f"/moderation/queue/{status}/").context["rows"]
        assert [c.pk for c in rows] == [comment.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author=pat@example.com", ["pat"]), ("author=198.51.100.7", ["lee"]), ("author=Lee", ["lee"]),
        ("provider=google", ["pat"]), ("provider=none", ["lee"]), ("reason=links", ["pat"]),
        ("q=cheap", ["lee"]), ("sort=newest", ["lee", "pat"]), ("sort=score", ["pat", "lee"]),
        ("sort=oldest", ["pat", "lee"]),
    ],
)
def test_filters_search_and_sorts(moderator, post, query, expected):
    now = timezone.now()
    CommentFactory(post=post, status=S.PENDING, author_name="pat", author_email="pat@example.com", provider="google",
                   reasons=[{"code": "links", "text": "2 links"}], spam_score=0.8, created_at=now - timedelta(hours=2))
    CommentFactory(post=post, status=S.PENDING, author_name="lee", author_email="", ip="198.51.100.7",
                   body="cheap pills", reasons=[{"code": "word", "text": "moderation word"}], spam_score=0.2,
                   created_at=now - timedelta(hours=1))
    rows = _client(moderator).get(f"/moderation/?{query}").context["rows"]
    assert [c.author_name for c in rows] == expected


def test_filtering_by_post_and_date(moderator, post):
    other = PostFactory()
    CommentFactory(post=post, status=S.PENDING, created_at=timezone.now() - timedelta(days=10))
    recent = CommentFactory(post=other, status=S.PENDING)
    client = _client(moderator)
    assert [c.pk for c in client.get(f"/moderation/?post={other.pk}").context["rows"]] == [recent.pk]
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert [c.pk for c in client.get(f"/moderation/?since={since}").context["rows"]] == [recent.pk]


def test_bad_filter_values_are_reported_not_a_500(moderator, own_comment):
    response = _client(moderator).get("/moderation/?post=abc&since=yesterday&sort=sideways&page=zzz")
    assert response.status_code == 200
    assert response.context["filter_errors"]
    assert [c.pk for c in response.context["rows"]] == [own_comment.pk]


def _many(post, n):
    now = timezone.now()
    Comment.objects.bulk_create([
        Comment(post=post, status=S.PENDING, checked_at=now, body=f"c{i}", body_html=f"<p>c{i}</p>",
                author_name=f"Writer {i % 40}", author_email=f"w{i % 40}@example.com", ip=f"10.0.0.{i % 200}",
                reasons=[{"code": "links", "text": "links"}], spam_score=(i % 10) / 10,
                created_at=now - timedelta(minutes=i))
        for i in range(n)
    ])


@pytest.mark.parametrize("n", [30, 300])
def test_a_queue_page_renders_in_constant_queries(moderator, post, django_assert_max_num_queries, n):
    """Session, user, permissions, counts (2), page count, rows, history, reason codes: the
    same handful for 30 comments and for 300."""
    _many(post, n)
    client = _client(moderator)
    client.get("/moderation/")  # warm the session and the permission cache
    with django_assert_max_num_queries(12):
        response = client.get("/moderation/?sort=score")
    assert len(response.context["rows"]) == min(n, 50)


def test_the_query_count_does_not_grow_with_the_queue(moderator, post):
    client = _client(moderator)
    client.get("/moderation/")
    counts = []
    for n in (30, 270):
        _many(post, n)
        with CaptureQueriesContext(connection) as ctx:
            client.get("/moderation/?sort=newest")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_page_two_of_a_long_queue(moderator, post):
    _many(post, 60)
    response = _client(moderator).get("/moderation/?page=2")
    assert len(response.context["rows"]) == 10
    assert 'rel="prev"' in response.content.decode()


# --- detail, author drawer, dashboard --------------------------------------------------------

def test_the_detail_page_shows_the_pipeline_decision_then_moderator_actions(moderator, own_comment):
    ModerationEvent.objects.create(comment=own_comment, action="hold", from_status="", to_status="pending",
                                   reasons=[{"code": "first_comment", "text": "First comment from this author"}])
    _client(moderator).post(f"/moderation/comments/{own_comment.pk}/approve/")
    html = _client(moderator).get(f"/moderation/comments/{own_comment.pk}/").content.decode()
    assert "Pipeline" in html and "First comment from this author" in html
    assert html.index("First comment from this author") < html.index("moderator</strong>: approve")


def test_the_author_drawer_lists_their_comments_and_bans(moderator, post):
    approved = CommentFactory(post=post, status=S.APPROVED, author_email="pat@example.com")
    spam = CommentFactory(post=post, status=S.SPAM, author_email="pat@example.com")
    client = _client(moderator)
    html = client.get("/moderation/author/?email=pat@example.com").content.decode()
    assert f'data-comment-id="{approved.pk}"' in html and f'data-comment-id="{spam.pk}"' in html
    client.post(f"/moderation/comments/{spam.pk}/ban/", {"reason": "spammer", "expires_at": "2099-01-01T00:00"})
    html = client.get("/moderation/author/?email=pat@example.com").content.decode()
    assert "Banned: spammer" in html


def test_the_dashboard_charts_thirty_days_and_counts_actions(moderator, post, own_comment):
    CommentFactory(post=post, status=S.SPAM)
    CommentFactory(post=post, status=S.APPROVED, created_at=timezone.now() - timedelta(days=45))
    _client(moderator).post(f"/moderation/comments/{own_comment.pk}/approve/")
    response = _client(moderator).get("/moderation/dashboard/")
    stats = response.context["stats"]
    html = response.content.decode()
    assert len(stats["chart"]["bars"]) == 30
    assert stats["totals"] == {"received": 2, "approved": 1, "held": 0, "spam": 1}
    assert html.count("<rect ") == 2 and "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    assert stats["per_moderator"][0]["actor__username"] == "moderator"
    assert stats["per_moderator"][0]["approved"] == 1


def test_the_dashboard_shows_the_oldest_pending_age(moderator, post):
    CommentFactory(post=post, status=S.PENDING, created_at=timezone.now() - timedelta(hours=5))
    html = _client(moderator).get("/moderation/dashboard/").content.decode()
    assert "5\xa0hours" in html


def test_moderation_pages_carry_no_inline_script_or_style(moderator, own_comment):
    for url in ["/moderation/", f"/moderation/comments/{own_comment.pk}/", "/moderation/dashboard/"]:
        html = _client(moderator).get(url).content.decode()
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html


# --- the admin --------------------------------------------------------------------------------

def test_the_admin_index_links_to_the_queues(admin_user):
    html = _client(admin_user).get("/admin/").content.decode()
    assert 'href="/moderation/"' in html


def test_the_admin_comment_list_uses_the_same_actions(admin_user, own_comment):
    response = _client(admin_user).post(reverse("admin:comments_comment_changelist"), {
        "action": "moderate_spam", "_selected_action": [own_comment.pk],
    })
    own_comment.refresh_from_db()
    assert response.status_code == 302 and own_comment.status == S.SPAM
    assert ModerationEvent.objects.get(comment=own_comment).actor == admin_user


def test_the_admin_comment_list_filters_by_status(admin_user, post):
    CommentFactory(post=post, status=S.SPAM, author_name="Spammy")
    CommentFactory(post=post, status=S.APPROVED, author_name="Fine")
    html = _client(admin_user).get(reverse("admin:comments_comment_changelist") + "?status__exact=spam").content.decode()
    assert "Spammy" in html and "Fine" not in html
