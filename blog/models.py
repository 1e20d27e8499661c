"""Posts and pages, their taxonomy, dated updates and the old URLs they answer to; the
import and export runs of the admin's Tools page."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from blog import page_cache
from blog.rendering import render_body
from media.embeds import facade_urls
from media.services import embeds_ensure


class Category(models.Model):
    """A hierarchical category, as in WordPress (`/category/<slug>/`)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"slug": self.slug})


class PostQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Every UPDATE of post rows (page-version bumps, publishing, re-rendered bodies,
        bulk_update) also tells the page cache, which answers anonymous readers without
        reading the row (blog.page_cache): for the posts the filter names by id, or for all."""
        rows = super().update(**kwargs)
        if rows:
            page_cache.pages_changed(_filtered_ids(self))
        return rows

    def posts(self):
        return self.filter(kind=Post.Kind.POST)

    def pages(self):
        return self.filter(kind=Post.Kind.PAGE)

    def published(self, now=None):
        """What every reader may see: published, and its publish time has come."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def due(self, now=None):
        """Scheduled posts whose time has come (the beat task publishes them)."""
        return self.filter(status=Post.Status.SCHEDULED, published_at__lte=now or timezone.now())

    def visible_to(self, user, now=None):
        """What `user` may open: published posts for everyone; their own drafts, scheduled
        and private posts for authors (preview); everything for editors and admins."""
        q = Q(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())
        if user.is_authenticated:
            if user.has_perm("blog.edit_others_posts"):
                return self.all()
            q |= Q(author=user)
        return self.filter(q)


def _filtered_ids(queryset) -> list[int] | None:
    """The ids a queryset is restricted to by `pk=` or `pk__in=` (a list), or None when its
    filter says no such thing (then the caller assumes any post)."""
    where = queryset.query.where
    if where.connector != "AND" or where.negated:
        return None
    for child in where.children:
        target = getattr(getattr(child, "lhs", None), "target", None)
        if target is None or not target.primary_key or target.model is not queryset.model:
            continue
        rhs = child.rhs
        if child.lookup_name == "exact" and isinstance(rhs, int):
            return [rhs]
        if child.lookup_name == "in" and isinstance(rhs, list | tuple | set | frozenset) and all(
                isinstance(pk, int) for pk in rhs):
            return list(rhs)
    return None


class Post(models.Model):
    """A post (`/YYYY/MM/DD/<slug>/`) or a page (`/<slug>/`). The body is Markdown (raw HTML
    allowed, as imported WordPress content is HTML) and rendered once, sanitised, into
    `body_html` on save; saving also gives each embed in it its Embed row and queues the
    fetch of its title (media.services.embeds_ensure), which rendering alone never does."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        PRIVATE = "private", "Private"

    class CommentStatus(models.TextChoices):
        DEFAULT = "default", "Site default"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.POST, db_index=True)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(default=timezone.now, db_index=True,
                                        help_text="When the post goes (or went) live.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown. A video URL alone on a line becomes an embed.")
    body_html = models.TextField(blank=True, editable=False)
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    featured_image = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    comment_status = models.CharField(max_length=7, choices=CommentStatus.choices, default=CommentStatus.DEFAULT)
    sticky = models.BooleanField(default=False)
    # Denormalised: approved comments, kept by the comment services.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The page's version, bumped whenever what the post page shows changes (a comment
    # approved, edited or removed; the post edited; a dated update; the Discussion
    # settings): part of the cache keys of the thread and of the whole page (blog.page_cache),
    # so any process (web or worker) invalidates every cached copy by one UPDATE.
    comments_version = models.PositiveIntegerField(default=0, editable=False)
    wp_id = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-sticky", "-published_at"]
        indexes = [models.Index(fields=["kind", "status", "published_at"])]
        permissions = [("edit_others_posts", "Can edit posts by other authors")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:200] or "post"
        self.body_html = render_body(self.body)
        editing = not self._state.adding and kwargs.get("update_fields") is None
        if editing:  # never write back counters other processes keep (a stale copy would roll them back)
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in ("comment_count", "comments_version")]
        super().save(*args, **kwargs)
        if editing:
            bump_page_version(self.pk)
        # Rendering only reads; saving is where the embeds the body shows get their rows.
        embeds_ensure(urls=facade_urls(self.body_html))

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.PAGE:
            return reverse("blog:page", kwargs={"slug": self.slug})
        local = timezone.localtime(self.published_at)
        return reverse(
            "blog:post",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "day": f"{local.day:02d}", "slug": self.slug},
        )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()


class PostUpdate(models.Model):
    """A dated update appended to a developing story ("UPDATE: 27 March 2016")."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="updates")
    published_at = models.DateTimeField(default=timezone.now)
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["published_at", "pk"]

    def __str__(self) -> str:
        return f"Update {timezone.localtime(self.published_at):%d %B %Y} on {self.post}"

    def save(self, *args, **kwargs):
        self.body_html = render_body(self.body)
        super().save(*args, **kwargs)
        embeds_ensure(urls=facade_urls(self.body_html))
        # An update is news: it bumps the post's modified time (feeds, JSON-LD).
        Post.objects.filter(pk=self.post_id, modified_at__lt=self.published_at).update(
            modified_at=self.published_at
        )
        bump_page_version(self.post_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        bump_page_version(self.post_id)
        return result


def bump_page_version(post_id: int | None = None) -> None:
    """A new page version for one post (or every post: None), so no cached copy of its
    page or thread is served again (Post.comments_version)."""
    posts = Post.objects.all() if post_id is None else Post.objects.filter(pk=post_id)
    posts.update(comments_version=models.F("comments_version") + 1)


class LegacyPath(models.Model):
    """An old URL of imported content, answered with a 301 to the post's permalink."""

    path = models.CharField(max_length=500, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="legacy_paths")

    def __str__(self) -> str:
        return self.path


class TransferStorage(FileSystemStorage):
    """Where import uploads and export files live: `transfers/` beside MEDIA_ROOT, never
    under it, so they are never served (an export holds commenters' e-mail and IP
    addresses). Web and worker must share it, as they share MEDIA_ROOT. Follows MEDIA_ROOT
    when it changes (FileSystemStorage resets these on `setting_changed`)."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, str(Path(settings.MEDIA_ROOT).parent / "transfers"))


def transfer_storage():
    return TransferStorage()


class Transfer(models.Model):
    """One WordPress import or export run from the admin's Tools page by the worker
    (blog.wxr.jobs): its file, its state and how far it got."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    state = models.CharField(max_length=7, choices=State.choices, default=State.QUEUED)
    with_media = models.BooleanField(default=False)
    file = models.FileField(storage=transfer_storage, upload_to="wxr/", max_length=300, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("run_transfers", "Can import and export the site's content (WordPress WXR)")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


class Revision(models.Model):
    """A saved state of a post's title and body, or of one of its dated updates' body
    (`update` set): recorded by blog.services on every save that changes them, so the
    author can see what changed (a line diff) and put an earlier text back."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    update = models.ForeignKey(PostUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["post", "update", "-created_at"])]

    def __str__(self) -> str:
        what = f"update {self.update_id}" if self.update_id else "post"
        return f"Revision of {what} {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"
