"""The admin: where authors write and admins configure.

Authors (group "Authors", without `blog.edit_others_posts`) see and edit only their own
posts; editors and admins see all. The body is Markdown with a live preview beside the
textarea (blog/static/blog/admin-preview.js POSTs it to `preview_view`)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from blog import selectors, services
from blog.models import Category, Post, PostUpdate, Revision, Tag
from blog.rendering import render_body
from media.models import Image
from media.services import image_create

PREVIEW_MAX_CHARS = 200_000
PICKER_SIZE = 24


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
        (None, {"fields": ["title", "slug", "body", "revisions_link", "excerpt"]}),
        ("Publishing", {"fields": ["status", "published_at", "author", "kind", "sticky", "comment_status"]}),
        ("Taxonomy and image", {"fields": ["categories", "tags", "featured_image"]}),
    ]

    class Media:
        # The preview first: a restored draft's input event renders it.
        js = ["blog/admin-preview.js", "blog/admin-autosave.js", "blog/admin-media.js"]
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
        return ["revisions_link"] if can_edit_others(request.user) else ["revisions_link", "author"]

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
                "data-images-url": reverse("admin:blog_post_images"),
                "data-upload-url": reverse("admin:blog_post_image_upload"),
                "class": "vLargeTextField markdown-body-input",
                "rows": 24,
            })
        return field

    def save_model(self, request, obj, form, change):
        if not change and (obj.author_id is None or not can_edit_others(request.user)):
            obj.author = request.user
        # As WordPress: "publish" with a future date means "schedule" (post_save decides).
        was = obj.status
        services.post_save(post=obj, changed=not change or form.has_changed(), by=request.user)
        if obj.status == Post.Status.SCHEDULED and was == Post.Status.PUBLISHED:
            self.message_user(request, f"“{obj}” is scheduled for {timezone.localtime(obj.published_at):%d %B %Y, %H:%M}.",
                              messages.INFO)

    def save_formset(self, request, form, formset, change):
        """Dated updates are saved through the service, which tells followers of a new one."""
        if formset.model is not PostUpdate:
            return super().save_formset(request, form, formset, change)
        for update in formset.save(commit=False):
            services.post_update_save(update=update, by=request.user)
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
        extra = [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="blog_post_preview"),
            path("images/", self.admin_site.admin_view(self.images_view), name="blog_post_images"),
            path("images/upload/", self.admin_site.admin_view(self.image_upload_view), name="blog_post_image_upload"),
            path("<int:pk>/revisions/", self.admin_site.admin_view(self.revisions_view), name="blog_post_revisions"),
            path("<int:pk>/revisions/<int:revision_id>/restore/", self.admin_site.admin_view(self.restore_view),
                 name="blog_post_revision_restore"),
        ]
        return extra + super().get_urls()

    # --- images from the editor -------------------------------------------------------
    def _image_json(self, image: Image) -> dict:
        return {"id": image.pk, "alt": image.alt, "caption": image.caption, "url": image.file.url,
                "width": image.width, "height": image.height}

    def images_view(self, request):
        """The picker: the newest images, or those whose alt text or caption match `q`."""
        if not request.user.has_perm("media.view_image"):
            return JsonResponse({"error": "You may not browse images."}, status=403)
        term = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        images = Image.objects.order_by("-created_at", "-pk")
        if term:
            images = images.filter(Q(alt__icontains=term) | Q(caption__icontains=term))
        return JsonResponse({"images": [self._image_json(i) for i in images[:PICKER_SIZE]]})

    def image_upload_view(self, request):
        """An image uploaded (or dropped) in the editor: the same Pillow validation as the
        image admin, alt text required. POST only, CSRF-checked by the admin."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("media.add_image"):
            return JsonResponse({"error": "You may not upload images."}, status=403)
        upload, alt = request.FILES.get("file"), request.POST.get("alt", "").strip()
        if upload is None:
            return JsonResponse({"error": "Choose an image file."}, status=400)
        if not alt:
            return JsonResponse({"error": "Describe the image (alt text) for readers who cannot see it."}, status=400)
        try:
            image = image_create(upload=upload, alt=alt[:300], caption=request.POST.get("caption", "").strip()[:500],
                                 uploaded_by=request.user)
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        return JsonResponse(self._image_json(image), status=201)

    # --- revisions ----------------------------------------------------------------------
    @admin.display(description="Revisions")
    def revisions_link(self, obj):
        if obj is None or obj.pk is None:
            return "Saved texts are listed here after the first save."
        return format_html('<a href="{}" class="post-revisions-link">Revisions: what changed, restore an earlier text</a>',
                           reverse("admin:blog_post_revisions", args=[obj.pk]))

    def _editable(self, request, pk: int) -> Post:
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        return post

    def revisions_view(self, request, pk: int):
        """Each saved text of the post and of its updates, newest first, with a line diff
        from the one before and a Restore button (confirm on GET, act on POST)."""
        post = self._editable(request, pk)
        context = {**self.admin_site.each_context(request), "title": f"Revisions of “{post}”", "post": post,
                   "opts": self.model._meta, "groups": selectors.post_revisions(post)}
        return TemplateResponse(request, "blog/revisions.html", context)

    def restore_view(self, request, pk: int, revision_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self._editable(request, pk)
        revision = get_object_or_404(Revision.objects.select_related("update", "post"), pk=revision_id, post=post)
        services.revision_restore(revision=revision, by=request.user)
        what = "the update" if revision.update_id else "the post"
        self.message_user(request, f"Restored {what} as it was on {timezone.localtime(revision.created_at):%d %B %Y, %H:%M}.",
                          messages.SUCCESS)
        return redirect("admin:blog_post_change", post.pk)

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
