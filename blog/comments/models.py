"""Comments, reader reports, the site's Discussion settings, reader subscriptions (double
opt-in) and the notification outbox (the record of every mail, so each goes once)."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone

from blog.models import bump_page_version


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def awaiting_review(self):
        """Held for a human: pending and already screened by the pipeline."""
        return self.filter(status=Comment.Status.PENDING, checked_at__isnull=False)

    def unchecked(self):
        """Saved but not yet decided by the pipeline (the sweep re-queues these)."""
        return self.filter(status=Comment.Status.PENDING, checked_at__isnull=True)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def trash(self):
        return self.filter(status=Comment.Status.TRASH)

    def reported(self):
        return self.filter(reports__resolved_at__isnull=True).exclude(status=Comment.Status.TRASH).distinct()

    def by_commenter(self, *, email: str = "", user_id: int | None = None, ip: str | None = None,
                     exact_email: bool = False):
        """Comments by the same commenter: from the same account (`user_id`), OR with the
        same e-mail address (`author_email`), OR from the same IP address (`ip`). Only the
        keys given take part; with none given, nothing matches (never every comment).

        Account and IP compare exactly (an id; an address normalised when saved). E-mail
        compares case-insensitively, as CommenterFlag.objects.matching does for bans and
        trust: changing "ann@" to "Ann@" must not step around a flood or duplicate check,
        an erasure, or a moderator's "all comments by this person". `exact_email=True`
        compares the address as written instead: the (author_email, status) index serves
        that, where a case-insensitive match makes PostgreSQL compare UPPER() over every
        comment — the pipeline's history lookup, run for every comment, uses it; a new
        spelling then counts as a new author, whose comment is held (the safe side).
        Callers pick the keys: the pipeline's history leaves IP out (readers share
        addresses), the flood check leaves the account out (a flood is per address).
        """
        q = Q(pk__in=[])
        if email:
            q |= Q(author_email=email) if exact_email else Q(author_email__iexact=email)
        if user_id:
            q |= Q(user_id=user_id)
        if ip:
            q |= Q(ip=ip)
        return self.filter(q)


class EmailProof(models.TextChoices):
    TYPED = "typed", "Typed (not proven)"
    VERIFIED = "verified", "A verified address of the account"
    BROWSER = "browser", "Same name and e-mail from the same browser as before"


class Comment(models.Model):
    """A reader's comment. `status` is the one truth about its state; `checked_at` says
    whether the moderation pipeline has decided. `path` (the ancestors' ids, zero-padded)
    and `thread_id` (the top-level comment's id) let one ordered query fetch whole threads."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    thread_id = models.PositiveBigIntegerField(null=True, db_index=True, editable=False)
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    checked_at = models.DateTimeField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="The pipeline's reasons: [{code, text}].")
    spam_score = models.FloatField(null=True, blank=True)

    body = models.TextField(max_length=65525)
    body_html = models.TextField(blank=True, editable=False)

    author_name = models.CharField(max_length=245)
    author_email = models.EmailField(max_length=100, blank=True)
    author_url = models.URLField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="comments")
    provider = models.CharField(max_length=40, blank=True, help_text="Social provider used, if any.")
    avatar_url = models.URLField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    # What proves the commenter owns `author_email` (README "Privacy and identity"): nothing
    # (typed), a verified address of the signed-in account, or the signed cookie this browser
    # got when it posted with the same name and e-mail before. History and trust by e-mail
    # count only for the last two.
    email_proof = models.CharField(max_length=8, choices=EmailProof.choices, default=EmailProof.TYPED)
    # Seconds between the form being rendered and submitted (signed timestamp), if known.
    form_age = models.FloatField(null=True, blank=True)
    notify_on_approval = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    wp_id = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["post", "status"]),
            models.Index(fields=["post", "thread_id", "path"]),
            models.Index(fields=["author_email", "status"]),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class CommentReport(models.Model):
    """A reader's report that a comment is spam, abusive or off-topic."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSIVE = "abusive", "Abusive or harmful"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class DiscussionSettings(models.Model):
    """The site's Discussion screen (one row), with WordPress's defaults."""

    class Order(models.TextChoices):
        OLDEST = "oldest", "Older comments at the top"
        NEWEST = "newest", "Newer comments at the top"

    class DigestMode(models.TextChoices):
        IMMEDIATE = "immediate", "At once, one e-mail per held comment"
        DAILY = "daily", "A daily digest"
        NONE = "none", "Never"

    comments_open_by_default = models.BooleanField("Allow people to submit comments on new posts", default=True)
    require_name_email = models.BooleanField("Comment author must fill out name and email", default=True)
    require_login = models.BooleanField("Users must be registered and logged in to comment", default=False)
    close_after_days = models.PositiveIntegerField(
        "Automatically close comments on posts older than N days (0: never)", default=0
    )
    thread_depth = models.PositiveSmallIntegerField("Threaded comments levels deep", default=5)
    page_size = models.PositiveSmallIntegerField("Top level comments per page (0: no paging)", default=50)
    default_page = models.CharField(
        "Page displayed by default", max_length=5, choices=[("last", "last"), ("first", "first")], default="last"
    )
    order = models.CharField(max_length=6, choices=Order.choices, default=Order.OLDEST)
    manual_approval = models.BooleanField("Comment must be manually approved", default=False)
    require_previous_approval = models.BooleanField(
        "Comment author must have a previously approved comment", default=True
    )
    link_threshold = models.PositiveSmallIntegerField(
        "Hold a comment in the queue if it contains N or more links", default=2
    )
    link_allowlist = models.TextField("Domains whose links do not count (one per line)", blank=True)
    moderation_words = models.TextField(
        "Comment moderation: words, names, e-mails, URLs or IPs that hold a comment (one per line)", blank=True
    )
    disallowed_words = models.TextField(
        "Disallowed comment keys: words, names, e-mails, URLs or IPs that send a comment to spam", blank=True
    )
    disallowed_action = models.CharField(max_length=5, choices=[("spam", "Spam"), ("trash", "Trash")],
                                         default="spam")
    min_submit_seconds = models.PositiveSmallIntegerField("Hold comments submitted faster than N seconds",
                                                          default=3)
    # Defaults measured by `make bench BENCH=spam` (README, "Spam needs evidence"): the score
    # is a calibrated probability; 0.2 is about twice the share of spam among blog comments, so a
    # comment with no evidence either way (scored near that share) is not held for it.
    spam_threshold = models.FloatField("Spam probability at or above which a comment is spam", default=0.95)
    hold_threshold = models.FloatField("Spam probability at or above which a comment is held", default=0.2)
    spam_min_decisions = models.PositiveIntegerField(
        "The classifier may send a comment to spam only after learning this many of the site's moderator "
        "decisions (before that it holds)", default=50)
    shadow_rules = models.TextField("Rules in shadow mode: logged, not applied (codes, one per line)", blank=True)
    notify_author_on_comment = models.BooleanField("E-mail the post author when anyone posts a comment",
                                                   default=True)
    notify_moderators_on_hold = models.BooleanField("E-mail moderators when a comment is held", default=True)
    moderator_digest = models.CharField(max_length=9, choices=DigestMode.choices, default=DigestMode.IMMEDIATE)
    spam_purge_days = models.PositiveSmallIntegerField("Delete spam older than N days (0: never)", default=15)
    edit_window_seconds = models.PositiveIntegerField("Authors may edit their comment for N seconds",
                                                      default=600)
    avatars_enabled = models.BooleanField("Show avatars", default=True)

    CACHE_KEY = "dispatch:discussion-settings"

    class Meta:
        verbose_name = "discussion settings"
        verbose_name_plural = "discussion settings"

    def __str__(self) -> str:
        return "Discussion settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        changed = not self._state.adding  # created with the defaults on first use: nothing shown changes
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        if changed:
            bump_page_version()  # every post page shows these settings (form, paging, order)

    @classmethod
    def load(cls) -> "DiscussionSettings":
        """The singleton, cached; created with the defaults on first use."""
        obj = cache.get(cls.CACHE_KEY)
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, obj, 60)
        return obj

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """One reader's wish to hear about new comments on a post (all, or only replies to
    their comment), about a story's dated updates ("Follow this story"), or about new
    posts on the site (`post` empty; `with_updates` adds every post's updates). Guests
    confirm by e-mail first; signed-in readers with a verified e-mail are confirmed at once."""

    class Kind(models.TextChoices):
        ALL_COMMENTS = "comments", "All new comments on this post"
        REPLIES = "replies", "Replies to my comment only"
        UPDATES = "updates", "Updates to this story"
        NEW_POSTS = "posts", "New posts"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    email = models.EmailField(max_length=100, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="subscriptions")
    post = models.ForeignKey("blog.Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="subscriptions")
    comment = models.ForeignKey("comments.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="subscriptions")
    # "site", "post:<id>" or "comment:<id>": one subscription per reader and scope.
    scope = models.CharField(max_length=40, editable=False)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    with_updates = models.BooleanField(
        default=False, help_text="New-post subscribers only: also the dated updates of every post.")

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "scope"], name="unique_subscription"),
            models.CheckConstraint(
                condition=(Q(kind="posts", post__isnull=True) | Q(~Q(kind="posts"), post__isnull=False)),
                name="subscription_kind_matches_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.scope = self.scope_for(kind=self.kind, post_id=self.post_id, comment_id=self.comment_id)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_for(*, kind: str, post_id: int | None, comment_id: int | None) -> str:
        if kind == Subscription.Kind.NEW_POSTS:
            return "site"
        if kind == Subscription.Kind.REPLIES:
            return f"comment:{comment_id}"
        if kind == Subscription.Kind.UPDATES:
            return f"updates:{post_id}"
        return f"post:{post_id}"


class Notification(models.Model):
    """Every e-mail the site sends about content, keyed (kind, object, recipient) so that a
    retried task finds the row and never sends twice."""

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=30)
    recipient = models.EmailField(max_length=254)
    comment = models.ForeignKey("comments.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notifications")
    post = models.ForeignKey("blog.Post", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.key
