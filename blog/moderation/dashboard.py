"""The moderators' dashboard: the flow of comments per day for 30 days as a server-rendered
SVG chart (no third-party script, CSP-clean), the oldest pending comment's age and the
actions per moderator. A fixed handful of queries whatever the volume."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from blog.comments.models import Comment
from blog.moderation.models import ModerationEvent

S = Comment.Status
DAYS = 30
CHART_W, CHART_H, PAD = 640, 200, 24
SERIES = [("approved", "Approved"), ("held", "Held"), ("spam", "Spam"), ("other", "Trash")]


@dataclass
class Bar:
    """One day's stacked bar: segments of (series, y, height) in SVG units."""

    day: date
    x: float
    width: float
    received: int
    approved: int
    held: int
    spam: int
    segments: list[tuple[str, float, float]]

    @property
    def title(self) -> str:
        return (f"{self.day:%d %b}: {self.received} received, {self.approved} approved, "
                f"{self.held} held, {self.spam} spam")


def daily_flow(*, scope: Q, today: date, days: int = DAYS) -> list[dict]:
    """Per day, comments received and what became of them (current status), oldest first."""
    start = today - timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    rows = (
        Comment.objects.filter(scope, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            received=Count("pk"),
            approved=Count("pk", filter=Q(status=S.APPROVED)),
            held=Count("pk", filter=Q(status=S.PENDING)),
            spam=Count("pk", filter=Q(status=S.SPAM)),
        )
        .order_by()
    )
    by_day = {r["day"]: r for r in rows}
    empty = {"received": 0, "approved": 0, "held": 0, "spam": 0}
    return [{"day": d, **{k: by_day.get(d, empty)[k] for k in empty}}
            for d in (start + timedelta(days=i) for i in range(days))]


def chart(flow: list[dict]) -> dict:
    """Geometry of the stacked bar chart: one bar per day, height proportional to received."""
    top = max((d["received"] for d in flow), default=0) or 1
    plot_h = CHART_H - 2 * PAD
    step = (CHART_W - 2 * PAD) / max(len(flow), 1)
    bars = []
    for i, d in enumerate(flow):
        parts = {"approved": d["approved"], "held": d["held"], "spam": d["spam"]}
        parts["other"] = max(d["received"] - sum(parts.values()), 0)
        y = CHART_H - PAD
        segments = []
        for key, _label in SERIES:
            h = plot_h * parts[key] / top
            if h:
                y -= h
                segments.append((key, round(y, 1), round(h, 1)))
        bars.append(Bar(day=d["day"], x=round(PAD + i * step + 1, 1), width=round(max(step - 2, 1), 1),
                        received=d["received"], approved=d["approved"], held=d["held"], spam=d["spam"],
                        segments=segments))
    return {"bars": bars, "max": top, "width": CHART_W, "height": CHART_H, "pad": PAD,
            "baseline": CHART_H - PAD, "right": CHART_W - PAD, "series": SERIES}


def dashboard(*, scope: Q, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    flow = daily_flow(scope=scope, today=today)
    oldest = Comment.objects.filter(scope, status=S.PENDING).aggregate(oldest=Min("created_at"))["oldest"]
    since = now - timedelta(days=DAYS)
    per_moderator = (
        ModerationEvent.objects.filter(actor__isnull=False, created_at__gte=since,
                                       comment_id__in=Comment.objects.filter(scope).values("pk"))
        .values("actor_id", "actor__username", "actor__display_name")
        .annotate(actions=Count("pk"), approved=Count("pk", filter=Q(to_status=S.APPROVED, action="approve")),
                  spam=Count("pk", filter=Q(action="spam")), trash=Count("pk", filter=Q(action="trash")))
        .order_by("-actions")
    )
    return {
        "chart": chart(flow),
        "totals": {k: sum(d[k] for d in flow) for k in ("received", "approved", "held", "spam")},
        "oldest_pending": oldest,
        "oldest_pending_age": (now - oldest) if oldest else None,
        "per_moderator": list(per_moderator),
        "days": DAYS,
    }
