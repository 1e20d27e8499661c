"""Reader subscriptions (double opt-in) and the record of every notification sent."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """One reader's wish to hear about new comments on a post (all, or only replies to
    their comment) or about new posts on the site (`post` empty). Guests confirm by e-mail
    first; signed-in readers with a verified e-mail are confirmed at once."""

    class Kind(models.TextChoices):
        ALL_COMMENTS = "comments", "All new comments on this post"
        REPLIES = "replies", "Replies to my comment only"
        NEW_POSTS = "posts", "New posts"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    email = models.EmailField(max_length=100, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="subscriptions")
    post = models.ForeignKey("blog.Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="subscriptions")
    comment = models.ForeignKey("blog.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="subscriptions")
    # "site", "post:<id>" or "comment:<id>": one subscription per reader and scope.
    scope = models.CharField(max_length=40, editable=False)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

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
        return f"post:{post_id}"


class Notification(models.Model):
    """Every e-mail the site sends about content, keyed (kind, object, recipient) so that a
    retried task finds the row and never sends twice."""

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=30)
    recipient = models.EmailField(max_length=254)
    comment = models.ForeignKey("blog.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notifications")
    post = models.ForeignKey("blog.Post", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.key
