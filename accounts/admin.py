from allauth.socialaccount.models import SocialAccount
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import CommenterFlag, User


class SocialAccountInline(admin.TabularInline):
    """Which providers a user signs in with (tokens are not stored, so none are shown)."""

    model = SocialAccount
    extra = 0
    fields = ["provider", "uid", "last_login", "date_joined"]
    readonly_fields = fields
    can_delete = True


class CommenterFlagInline(admin.TabularInline):
    model = CommenterFlag
    fk_name = "user"
    extra = 0
    fields = ["kind", "reason", "expires_at", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Profile", {"fields": ("display_name", "avatar_url", "website")}),)
    inlines = [SocialAccountInline, CommenterFlagInline]
    list_display = ["username", "display_name", "email", "providers", "is_staff", "is_active"]
    actions = ["ban_from_commenting"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("socialaccount_set")

    @admin.display(description="Providers")
    def providers(self, obj) -> str:
        return ", ".join(sorted({a.provider for a in obj.socialaccount_set.all()}))

    @admin.action(description="Ban selected users from commenting", permissions=["ban"])
    def ban_from_commenting(self, request, queryset):
        created = 0
        for user in queryset:
            if not CommenterFlag.objects.active().filter(kind=CommenterFlag.Kind.BAN, user=user).exists():
                CommenterFlag.objects.create(kind=CommenterFlag.Kind.BAN, user=user, created_by=request.user,
                                             reason="Banned from the user list")
                created += 1
        self.message_user(request, f"{created} user(s) banned from commenting.", messages.SUCCESS)

    def has_ban_permission(self, request) -> bool:
        return request.user.has_perm("accounts.add_commenterflag")


@admin.register(CommenterFlag)
class CommenterFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "email", "ip", "reason", "expires_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__display_name", "email", "ip"]
    fields = ["kind", "user", "email", "ip", "reason", "expires_at", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if not change and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
