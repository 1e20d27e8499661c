"""The Discussion settings screen (WordPress's Settings › Discussion)."""

from django.contrib import admin

from blog.comments.models import DiscussionSettings


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """A singleton (DiscussionSettings.load()): one row, never added twice or deleted."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DiscussionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
