"""Uploaded images, their renditions and galleries; cached oEmbed metadata for embeds."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Image(models.Model):
    """An uploaded image, validated with Pillow on upload. `file` is the original (EXIF
    stripped, orientation applied); renditions are made by a Celery task."""

    file = models.ImageField(upload_to="blog/images/%Y/%m/", width_field="width", height_field="height")
    alt = models.CharField(max_length=300, help_text="Describe the image for readers who cannot see it.")
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    wp_id = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.alt or self.file.name


class Rendition(models.Model):
    """One resized copy of an image, in one format."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=8)  # webp, jpeg, png, gif
    file = models.FileField(upload_to="blog/renditions/%Y/%m/", max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "width", "format"], name="unique_rendition")]
        ordering = ["width"]

    def __str__(self) -> str:
        return f"{self.image_id} {self.width}w {self.format}"


class Gallery(models.Model):
    title = models.CharField(max_length=200, blank=True)
    images = models.ManyToManyField(Image, through="GalleryItem", related_name="galleries")

    class Meta:
        verbose_name_plural = "galleries"

    def __str__(self) -> str:
        return self.title or f"Gallery {self.pk}"


class GalleryItem(models.Model):
    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="items")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.gallery_id}: {self.image_id}"


class Embed(models.Model):
    """oEmbed metadata for one URL, fetched by a task and cached by URL hash. The embed
    renders from the URL alone until (or unless) this exists."""

    url_hash = models.CharField(max_length=64, unique=True)
    url = models.URLField(max_length=1000)
    provider = models.CharField(max_length=40)
    title = models.CharField(max_length=500, blank=True)
    author_name = models.CharField(max_length=300, blank=True)
    thumbnail = models.ImageField(upload_to="blog/embeds/", blank=True, max_length=300)
    data = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.title or self.url
