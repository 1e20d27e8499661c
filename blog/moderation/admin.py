"""Comments in the admin: a plain list with the moderation actions, which go through the
same service as the queues (blog.moderation.actions)."""

from django.contrib import admin, messages

from blog.comments.models import Comment
from blog.moderation import actions as moderation_actions


def _moderation_action(action: str, description: str):
    """An admin bulk action that goes through the same service as the queues (permission,
    compare-and-set, audit event, side effects)."""

    def run(modeladmin, request, queryset):
        outcomes = moderation_actions.comments_moderate(
            comment_ids=list(queryset.values_list("pk", flat=True)), actor=request.user, action=action
        )
        done = sum(o.ok for o in outcomes)
        modeladmin.message_user(request, f"{description}: {done} of {len(outcomes)} comments.",
                                messages.SUCCESS if done else messages.WARNING)

    run.__name__ = f"moderate_{action}"
    return admin.action(description=description, permissions=["moderate"])(run)


class CheckedFilter(admin.SimpleListFilter):
    title = "screened by the pipeline"
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [("yes", "Screened"), ("no", "Not yet screened")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(checked_at__isnull=self.value() == "no")
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "author_email", "post", "status", "spam_score", "created_at"]
    list_filter = ["status", CheckedFilter, "provider", "created_at"]
    search_fields = ["body", "author_name", "author_email", "ip"]
    list_select_related = ["post"]
    raw_id_fields = ["post", "parent", "user"]
    date_hierarchy = "created_at"
    actions = [
        _moderation_action("approve", "Approve"),
        _moderation_action("unapprove", "Unapprove"),
        _moderation_action("spam", "Mark as spam"),
        _moderation_action("trash", "Move to trash"),
        _moderation_action("restore", "Restore from spam or trash"),
    ]

    def get_queryset(self, request):
        """The comments the user may moderate (authors: those on their own posts), so an
        author never reads other posts' commenters' e-mail or IP here."""
        scope = moderation_actions.moderation_scope(request.user)
        qs = super().get_queryset(request)
        return qs.none() if scope is None else qs.filter(scope)

    def has_moderate_permission(self, request):
        return moderation_actions.moderation_scope(request.user) is not None

    def save_model(self, request, obj, form, change):
        """A changed text goes through the moderators' edit service, as in the queues: it is
        re-rendered (a redaction never leaves the old text live in body_html) and audited, so
        it can be undone. The other fields are saved as the admin does."""
        if not (change and "body" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new_body, obj.body = obj.body, form.initial["body"]
        super().save_model(request, obj, form, change)
        outcome = moderation_actions.comment_moderator_edit(comment_id=obj.pk, actor=request.user, body=new_body)
        if not outcome.ok:
            self.message_user(request, outcome.message, messages.WARNING)
        obj.refresh_from_db()
