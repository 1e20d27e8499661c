"""Users (custom from the first migration) and the ban / trust state of commenters."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class User(AbstractUser):
    """A person with an account: staff, authors, moderators, and readers who signed in
    through a social provider. Adapters fill display name, avatar and website."""

    display_name = models.CharField(max_length=150, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    website = models.URLField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def public_name(self) -> str:
        return str(self)


class CommenterFlagQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def matching(self, *, email: str = "", user_id: int | None = None, ip: str | None = None):
        """Flags on this commenter: set on the same account (`user_id`), OR the same e-mail
        address, OR the same IP address. Only the keys given take part; none given matches
        no flag. E-mail compares case-insensitively, so "Ann@" cannot step around a ban on
        "ann@"; account and IP exactly. The same rule as comments'
        Comment.objects.by_commenter (which this app cannot import: it sits above accounts)."""
        q = Q(pk__in=[])
        if email:
            q |= Q(email__iexact=email)
        if user_id:
            q |= Q(user_id=user_id)
        if ip:
            q |= Q(ip=ip)
        return self.filter(q)


class CommenterFlag(models.Model):
    """A moderator's standing decision about a commenter, matched by account, e-mail or IP:
    banned (future comments refused) or trusted (comments skip the queue)."""

    class Kind(models.TextChoices):
        BAN = "ban", "Banned"
        TRUST = "trust", "Trusted"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="commenter_flags")
    email = models.EmailField(max_length=100, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = CommenterFlagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email="") | Q(ip__isnull=False),
                name="commenter_flag_has_target",
            )
        ]

    def __str__(self) -> str:
        who = self.user or self.email or self.ip
        return f"{self.get_kind_display()}: {who}"
