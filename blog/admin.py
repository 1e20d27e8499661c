"""The admin: where authors write and admins configure."""

from django.contrib import admin

from blog.models import Category, Comment, DiscussionSettings, Post, PostUpdate, Tag


class PostUpdateInline(admin.StackedInline):
    model = PostUpdate
    extra = 0


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "author", "status", "published_at", "sticky"]
    list_filter = ["kind", "status", "categories"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "tags"]
    inlines = [PostUpdateInline]
    autocomplete_fields = ["featured_image"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "post", "status", "created_at"]
    list_filter = ["status"]


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not DiscussionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


from blog.media_admin import GalleryAdmin, ImageAdmin  # noqa: E402,F401  (registers Image and Gallery)
