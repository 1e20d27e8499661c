"""The moderation audit log and the spam classifier's learned counts."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ModerationEvent(models.Model):
    """One decision about a comment: who (the pipeline when `actor` is empty, else a
    moderator), what (action and the status change), why (reasons) and when."""

    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="moderation_events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    shadow = models.BooleanField(default=False, help_text="Logged by a rule in shadow mode, not applied.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        who = self.actor or "pipeline"
        return f"{who}: {self.action} comment {self.comment_id}"


class SpamToken(models.Model):
    """Naive Bayes counts for one feature (word, link domain...), learned from the seed
    corpus and from moderators' spam/ham decisions."""

    token = models.CharField(max_length=100, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token} s={self.spam} h={self.ham}"
