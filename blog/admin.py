"""The admin: where authors write and admins configure.

Authors (group "Authors", without `blog.edit_others_posts`) see and edit only their own
posts; editors and admins see all. The body is Markdown with a live preview beside the
textarea (blog/static/blog/admin-preview.js POSTs it to `preview_view`)."""

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from blog import services
from blog.models import Category, Post, PostUpdate, Tag
from blog.rendering import render_body

PREVIEW_MAX_CHARS = 200_000


def can_edit_others(user) -> bool:
    return user.has_perm("blog.edit_others_posts")


class PostUpdateInline(admin.StackedInline):
    """Dated updates ("UPDATE: 27 March 2016"), appended by the author."""

    model = PostUpdate
    extra = 0
    fields = ["published_at", "body"]
    verbose_name = "dated update"
    verbose_name_plural = "dated updates (shown as “UPDATE: date” below the body)"


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "author", "status", "published_at", "sticky", "comment_count", "preview_link"]
    list_filter = ["status", "kind", "sticky", "categories", "tags", "author"]
    search_fields = ["title", "excerpt", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "tags"]
    autocomplete_fields = ["featured_image"]
    list_select_related = ["author"]
    inlines = [PostUpdateInline]
    actions = ["publish", "schedule", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt"]}),
        ("Publishing", {"fields": ["status", "published_at", "author", "kind", "sticky", "comment_status"]}),
        ("Taxonomy and image", {"fields": ["categories", "tags", "featured_image"]}),
    ]

    class Media:
        # The preview first: a restored draft's input event renders it.
        js = ["blog/admin-preview.js", "blog/admin-autosave.js"]
        css = {"all": ["blog/admin-preview.css"]}

    # --- who sees what ------------------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if can_edit_others(request.user) else qs.filter(author=request.user)

    def _owns_or_edits_others(self, request, obj) -> bool:
        return obj is None or can_edit_others(request.user) or obj.author_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns_or_edits_others(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns_or_edits_others(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # An author cannot hand a post to someone else (or write in their name).
        return [] if can_edit_others(request.user) else ["author"]

    def get_list_filter(self, request):
        return self.list_filter if can_edit_others(request.user) else [f for f in self.list_filter if f != "author"]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            # The preview script finds its endpoint here: no inline script (CSP script-src 'self').
            field.widget.attrs.update({
                "data-preview-url": reverse("admin:blog_post_preview"),
                "data-autosave": "body",
                "class": "vLargeTextField markdown-body-input",
                "rows": 24,
            })
        return field

    def save_model(self, request, obj, form, change):
        if not change and (obj.author_id is None or not can_edit_others(request.user)):
            obj.author = request.user
        # As WordPress: "publish" with a future date means "schedule" (post_save decides).
        was = obj.status
        services.post_save(post=obj, changed=not change or form.has_changed())
        if obj.status == Post.Status.SCHEDULED and was == Post.Status.PUBLISHED:
            self.message_user(request, f"“{obj}” is scheduled for {timezone.localtime(obj.published_at):%d %B %Y, %H:%M}.",
                              messages.INFO)

    def save_formset(self, request, form, formset, change):
        """Dated updates are saved through the service, which tells followers of a new one."""
        if formset.model is not PostUpdate:
            return super().save_formset(request, form, formset, change)
        for update in formset.save(commit=False):
            services.post_update_save(update=update)
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()

    # --- list column --------------------------------------------------------------------
    @admin.display(description="Preview")
    def preview_link(self, obj):
        label = "View" if obj.is_public else "Preview"
        return format_html('<a href="{}" class="post-preview-link">{}</a>', obj.get_absolute_url(), label)

    # --- actions ------------------------------------------------------------------------
    def _apply(self, request, queryset, action, done: str):
        count = 0
        for post in queryset.select_related("author"):
            if not self.has_change_permission(request, post):
                continue
            try:
                action(post=post)
            except services.PostStateError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} post{'s' if count != 1 else ''} {done}.", messages.SUCCESS)

    @admin.action(description="Publish selected posts now", permissions=["change"])
    def publish(self, request, queryset):
        self._apply(request, queryset, services.post_publish, "published")

    @admin.action(description="Schedule selected posts for their publish time", permissions=["change"])
    def schedule(self, request, queryset):
        self._apply(request, queryset, services.post_schedule, "scheduled")

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, services.post_unpublish, "moved back to draft")

    # --- live preview -------------------------------------------------------------------
    def get_urls(self):
        extra = [path("preview/", self.admin_site.admin_view(self.preview_view), name="blog_post_preview")]
        return extra + super().get_urls()

    def preview_view(self, request):
        """The body rendered exactly as it will be stored (Markdown → nh3 → embeds).
        POST only, CSRF-checked by the admin; staff who may add or change posts."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return JsonResponse({"error": "You may not write posts."}, status=403)
        body = request.POST.get("body", "")
        if len(body) > PREVIEW_MAX_CHARS:
            return JsonResponse({"error": "The text is too long to preview."}, status=400)
        return JsonResponse({"html": render_body(body)})


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
