from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import CommenterFlag, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Profile", {"fields": ("display_name", "avatar_url", "website")}),)


@admin.register(CommenterFlag)
class CommenterFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "email", "ip", "reason", "expires_at"]
    list_filter = ["kind"]
