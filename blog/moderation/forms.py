"""Forms of the moderator screens: queue filters, and the few fields an action carries."""

from django import forms

from blog.moderation.actions import BULK_ACTIONS
from blog.moderation.selectors import SORTS, QueueFilters

SORT_CHOICES = [("oldest", "Oldest first"), ("newest", "Newest first"), ("score", "Spam score")]


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    post = forms.IntegerField(required=False, min_value=1, label="Post id")
    author = forms.CharField(required=False, max_length=200, label="Author, e-mail or IP")
    provider = forms.CharField(required=False, max_length=40)
    reason = forms.CharField(required=False, max_length=60)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def filters(self) -> QueueFilters:
        """The valid part of the request; invalid fields are dropped and reported, never a 500."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        errors = [f"{self.fields[name].label or name}: {' '.join(errs)}" for name, errs in self.errors.items()]
        sort = data.get("sort") or "oldest"
        return QueueFilters(
            post=data.get("post"),
            author=(data.get("author") or "").strip(),
            provider=(data.get("provider") or "").strip(),
            reason=(data.get("reason") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            q=(data.get("q") or "").strip(),
            sort=sort if sort in SORTS else "oldest",
            errors=errors,
        )


class ActionForm(forms.Form):
    """Optional fields an action may carry: the status the moderator saw, the text of an
    edit or reply, the reason and expiry of a ban or trust."""

    expected = forms.CharField(required=False, max_length=8)
    body = forms.CharField(required=False, max_length=65525)
    reason = forms.CharField(required=False, max_length=500)
    expires_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in sorted(BULK_ACTIONS)])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids are acceptable here; the service checks each one's existence and permission.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()][:200]
