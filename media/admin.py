"""Admin for images and galleries: upload with required alt text, thumbnails, the code to
paste into a body, and galleries with ordered items. Writes go through media.services."""

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html

from media.forms import ImageAdminForm
from media.models import Gallery, GalleryItem, Image
from media.renditions import delete_files
from media.services import image_delete, renditions_queue


def _thumbnail(image: Image) -> str:
    small = min(image.renditions.all(), key=lambda r: (r.format == "webp", r.width), default=None)
    url = small.file.url if small else image.file.url
    return format_html('<img src="{}" alt="" width="80" loading="lazy" decoding="async">', url)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "__str__", "width", "height", "renditions_made", "created_at"]
    search_fields = ["alt", "caption", "credit"]
    readonly_fields = ["preview", "insert_code", "width", "height"]
    fieldsets = [
        (None, {"fields": ["file", "alt", "caption", "credit"]}),
        ("Use it", {"fields": ["preview", "insert_code", "width", "height"]}),
    ]
    actions = ["regenerate"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def has_change_permission(self, request, obj=None):
        """Authors change only the images they uploaded (others' may illustrate other
        people's posts): the rest are read-only to them. Editors (who may delete images)
        and superusers change all."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("media.delete_image"):
            return True
        return obj.uploaded_by_id == request.user.pk

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return _thumbnail(obj)

    @admin.display(description="Preview")
    def preview(self, obj):
        return _thumbnail(obj) if obj.pk else "—"

    @admin.display(description="Renditions")
    def renditions_made(self, obj):
        return len(obj.renditions.all())

    @admin.display(description="Insert into a post body")
    def insert_code(self, obj):
        if not obj.pk:
            return "Save the image first; then paste the code shown here into the post body."
        return format_html(
            "<code>[image id=\"{}\"]</code> for this image with its caption and credit, or "
            "<code>[gallery ids=\"{},…\"]</code> for several. To make it the featured image, pick it in the "
            "post's “Featured image” field.", obj.pk, obj.pk,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        replaced = []
        if change and "file" in form.changed_data:
            old = Image.objects.get(pk=obj.pk)
            replaced = [old.file.name]
        super().save_model(request, obj, form, change)
        if "file" in form.changed_data:
            renditions_queue(image=obj)
            storage = obj.file.storage
            transaction.on_commit(lambda: delete_files(storage, replaced))

    def delete_model(self, request, obj):
        image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            image_delete(image=image)

    @admin.action(description="Remake renditions")
    def regenerate(self, request, queryset):
        for image in queryset:
            renditions_queue(image=image)
        self.message_user(request, f"Renditions queued for {queryset.count()} images.")


class GalleryItemInline(admin.TabularInline):
    model = GalleryItem
    extra = 3
    autocomplete_fields = ["image"]
    fields = ["position", "image"]


@admin.register(Gallery)
class GalleryAdmin(admin.ModelAdmin):
    inlines = [GalleryItemInline]
    readonly_fields = ["insert_code"]

    @admin.display(description="Insert into a post body")
    def insert_code(self, obj):
        ids = ",".join(str(item.image_id) for item in obj.items.all()) if obj.pk else ""
        return format_html("<code>[gallery ids=\"{}\"]</code>", ids) if ids else "Add images, save, then copy the code."
