"""The "Leave a Reply" form and the small forms around it (edit, report, follow).

Field names are WordPress's (comment, author, email, url, comment_post_ID,
comment_parent) so themes' habits and outside tests keep working (DESIGN §7).
"""

import time

from django import forms
from django.core import signing
from django.core.validators import URLValidator

from blog.comments.models import CommentReport, Subscription

TIMESTAMP_SALT = "dispatch.comment-form-ts"
HONEYPOT = "hp_website"  # hidden from people; bots fill every field


def sign_timestamp(now: float | None = None) -> str:
    return signing.dumps(round(now if now is not None else time.time(), 3), salt=TIMESTAMP_SALT)


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was rendered, from its signed timestamp (None if absent or forged)."""
    try:
        rendered = float(signing.loads(token, salt=TIMESTAMP_SALT, max_age=7 * 24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return max(0.0, (now if now is not None else time.time()) - rendered)


class CommentForm(forms.Form):
    """What a reader submits. `require_identity` follows the Discussion settings (name and
    e-mail required for guests); a signed-in reader's identity comes from the account."""

    comment = forms.CharField(
        label="Comment", max_length=65525, strip=False,
        error_messages={"required": "Please type your comment.",
                        "max_length": "Your comment is too long."},
        widget=forms.Textarea(attrs={"id": "comment", "rows": 6, "cols": 45, "maxlength": 65525}),
    )
    email = forms.EmailField(
        label="Email", max_length=100, required=False,
        error_messages={"invalid": "Please enter a valid email address.", "max_length": "Your email address is too long."},
        widget=forms.EmailInput(attrs={"id": "email", "autocomplete": "email", "maxlength": 100}),
    )
    author = forms.CharField(
        label="Name", max_length=245, required=False,
        error_messages={"max_length": "Your name is too long."},
        widget=forms.TextInput(attrs={"id": "author", "autocomplete": "name", "maxlength": 245}),
    )
    url = forms.CharField(
        label="Website", max_length=200, required=False,
        error_messages={"max_length": "Your URL is too long."},
        widget=forms.URLInput(attrs={"id": "url", "autocomplete": "url", "maxlength": 200}),
    )
    comment_post_ID = forms.IntegerField(widget=forms.HiddenInput(attrs={"id": "comment_post_ID"}))  # noqa: N815
    comment_parent = forms.IntegerField(required=False, min_value=0,
                                        widget=forms.HiddenInput(attrs={"id": "comment_parent"}))
    subscribe_comments = forms.BooleanField(required=False, label="Notify me of new comments via email.",
                                            widget=forms.CheckboxInput(attrs={"id": "subscribe_comments"}))
    subscribe_kind = forms.ChoiceField(
        required=False, label="Which comments",
        choices=[(Subscription.Kind.ALL_COMMENTS, "All new comments"),
                 (Subscription.Kind.REPLIES, "Replies to my comment only")],
        widget=forms.Select(attrs={"id": "subscribe_kind"}),
    )
    subscribe_blog = forms.BooleanField(required=False, label="Notify me of new posts via email.",
                                        widget=forms.CheckboxInput(attrs={"id": "subscribe_blog"}))
    subscribe_updates = forms.BooleanField(required=False, label="…and of their dated updates.",
                                           widget=forms.CheckboxInput(attrs={"id": "subscribe_updates"}))
    ts = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"id": "comment_ts"}))
    hp_website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, require_identity: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_identity = require_identity
        if require_identity:
            self.fields["email"].widget.attrs["required"] = True
            self.fields["author"].widget.attrs["required"] = True
        self.fields["hp_website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off", "id": "hp_website"})

    def clean_comment(self):
        text = self.cleaned_data["comment"]
        if not text.strip():
            raise forms.ValidationError("Please type your comment.")
        return text

    def clean_author(self):
        return self.cleaned_data["author"].strip()

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url:
            return ""
        if "://" not in url:
            url = "http://" + url
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError("Please enter a valid website address (http or https).") from None
        return url

    def clean_hp_website(self):
        if self.cleaned_data["hp_website"]:
            raise forms.ValidationError("Your comment could not be posted.")
        return ""

    def clean(self):
        data = super().clean()
        if self.require_identity:
            if not data.get("author") and "author" not in self.errors:
                self.add_error("author", "Please fill in your name.")
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", "Please fill in your email address.")
        return data


class CommentEditForm(forms.Form):
    comment = forms.CharField(
        label="Comment", max_length=65525, strip=False,
        error_messages={"required": "Please type your comment.", "max_length": "Your comment is too long."},
        widget=forms.Textarea(attrs={"id": "comment", "rows": 6}),
    )

    def clean_comment(self):
        text = self.cleaned_data["comment"]
        if not text.strip():
            raise forms.ValidationError("Please type your comment.")
        return text


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with this comment?", choices=CommentReport.Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label="Anything else (optional)", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class FollowForm(forms.Form):
    """Follow a post's comments without commenting, or its dated updates ("Follow this story")."""

    post_id = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                             choices=[(Subscription.Kind.ALL_COMMENTS, "comments"),
                                      (Subscription.Kind.UPDATES, "updates")])
    email = forms.EmailField(label="Email", max_length=100, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "id": "follow-email"}))
