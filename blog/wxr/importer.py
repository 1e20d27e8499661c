"""Mapping a parsed WordPress export onto Dispatch's models.

Idempotent: every row is found again by its WordPress id (`wp_id`), username, term slug
or old path, so running the same import twice creates nothing new. One transaction: a
failure half way leaves the database as it was.

Attachments are not downloaded (their URLs point to the internet and nothing in Dispatch
fetches third-party files behind the operator's back) and, since `Image.file` is
required, they get no `Image` row. Shortcodes stay in the bodies (the renderer resolves
`[gallery ids]` and `[caption]` against `Image.wp_id`); a `[gallery]` without ids gets the
ids of the post's attachments written in, and the attachments' metadata (URL, title,
alt, caption, parent) is kept as a small JSON map, settings.WXR_ATTACHMENT_MAP (under
VAR_DIR, never in the public media: it lists attachments of private posts too), for an
operator who later fetches the files into `Image` rows with their wp_id.

`--uploads DIR` reads only files inside DIR: a URL path is resolved (symlinks and `..`
followed) and refused unless the result stays under DIR, so an export cannot name
/etc/... or ../../secret.png and have it published.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils.text import slugify

from blog.comments import tree
from blog.comments.models import Comment
from blog.comments.rendering import render_comment_html
from blog.models import Category, LegacyPath, Post, PostUpdate, Tag
from blog.wxr.content import Attachment, split_updates, uploads_path, wp_content_to_body
from blog.wxr.parse import WxrComment, WxrDocument, WxrItem
from media.models import Image
from media.services import image_create

POST_STATUS = {
    "publish": Post.Status.PUBLISHED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "future": Post.Status.SCHEDULED,
    "private": Post.Status.PRIVATE,
}
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
PING_TYPES = {"pingback", "trackback"}
# Comment.path holds 11 characters per level in 255: deeper replies hang from level 23.


@dataclass
class ImportStats:
    """How many rows the import touched, and how many of those it created."""

    counts: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def add(self, kind: str, created: bool) -> None:
        self.counts[kind] += 1
        if created:
            self.created[kind] += 1

    def summary(self) -> str:
        parts = [f"{self.counts[k]} {k} ({self.created[k]} new)" for k in
                 ("authors", "categories", "tags", "posts", "pages", "updates", "comments", "old URLs")]
        parts.append(f"{self.counts['attachments']} attachments mapped (not downloaded)")
        if self.counts["images"]:
            parts.append(f"{self.counts['images']} images made from the uploads folder")
        skipped = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items()))
        return "Imported " + ", ".join(parts) + (f"; skipped {skipped}" if skipped else "") + "."


def _unique_slug(base: str, *, wp_id: int) -> str:
    """`base`, or `base-2`, `base-3`... - never the slug of another post or page."""
    base = base[:190] or f"post-{wp_id}"
    slug, n = base, 1
    while Post.objects.filter(slug=slug).exclude(wp_id=wp_id).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _old_path(link: str) -> str:
    """The path part of an item's old URL, decoded as Django's request.path is ('' for `/?p=1`)."""
    path = unquote(urlsplit(link).path)
    while "//" in path:
        path = path.replace("//", "/")
    return "" if path in ("", "/") else path


class WxrImporter:
    """One run of `import_wxr`. Use `run()`; `progress` is called once per item."""

    def __init__(self, document: WxrDocument, *, progress: Callable[[], None] | None = None,
                 dry_run: bool = False, uploads: Path | None = None):
        self.doc = document
        self.dry_run = dry_run
        self.uploads = uploads
        self.progress = progress or (lambda: None)
        self.stats = ImportStats()
        self.users: dict[str, object] = {}
        self.users_by_wp_id: dict[int, object] = {}
        self.users_by_email: dict[str, object] = {}
        self.categories: dict[str, Category] = {}
        self.tags: dict[str, Tag] = {}
        self.attachments: dict[int, Attachment] = {}
        self.images: dict[int, Image] = {}

    def run(self) -> ImportStats:
        with transaction.atomic():
            self._import()
            transaction.set_rollback(self.dry_run)
        if self.attachments and not self.dry_run:  # a file, not a row: written once the rows are committed
            self._save_attachment_map()
        return self.stats

    def _import(self) -> None:
        self._authors()
        self._categories()
        self._tags()
        self._attachments()
        for item in self.doc.items:
            if item.post_type in (Post.Kind.POST, Post.Kind.PAGE):
                if not item.wp_id:  # nothing to find it by on the next run
                    self.stats.skipped["items without wp:post_id"] += 1
                elif item.status in POST_STATUS:
                    self._item(item)
                else:
                    self.stats.skipped[f"{item.status} {item.post_type}s"] += 1
            elif item.post_type != "attachment":
                self.stats.skipped[f"{item.post_type}s"] += 1
            self.progress()

    # Authors and taxonomy -------------------------------------------------------------

    def _authors(self) -> None:
        User = get_user_model()
        for a in self.doc.authors:
            if not a.login:
                continue
            user, created = User.objects.get_or_create(username=a.login[:150])
            user.display_name = (a.display_name or user.display_name)[:150]
            user.first_name = (a.first_name or user.first_name)[:150]
            user.last_name = (a.last_name or user.last_name)[:150]
            user.email = user.email or a.email[:254]
            if created:
                user.set_unusable_password()  # they sign in after a password reset
            user.save()
            self.users[a.login] = user
            if a.wp_id:
                self.users_by_wp_id[a.wp_id] = user
            if a.email:
                self.users_by_email[a.email.lower()] = user
            self.stats.add("authors", created)

    def _user(self, login: str):
        # Some exports carry stray characters around dc:creator (">themereviewteam").
        login = login if login in self.users else re.sub(r"[^\w.@+-]", "", login)
        if login not in self.users:
            User = get_user_model()
            user, created = User.objects.get_or_create(username=(login or "wordpress")[:150])
            if created:
                user.set_unusable_password()
                user.save()
                self.stats.add("authors", created)
            self.users[login] = user
        return self.users[login]

    def _categories(self) -> None:
        for term in self.doc.categories:
            slug = (term.slug or slugify(term.name, allow_unicode=True) or "category")[:200]
            cat, created = Category.objects.update_or_create(
                slug=slug, defaults={"name": (term.name or slug)[:200], "description": term.description}
            )
            self.categories[slug] = cat
            self.stats.add("categories", created)
        for term in self.doc.categories:  # parents may come after their children
            cat = self.categories.get(term.slug[:200])
            parent = self.categories.get(term.parent[:200])
            if cat and cat.parent_id != (parent.pk if parent else None) and parent != cat:
                cat.parent = parent
                cat.save(update_fields=["parent"])

    def _category(self, slug: str) -> Category:
        slug = slug[:200]
        if slug not in self.categories:
            self.categories[slug], created = Category.objects.get_or_create(slug=slug, defaults={"name": slug})
            self.stats.add("categories", created)
        return self.categories[slug]

    def _tags(self) -> None:
        for term in self.doc.tags:
            self._tag(term.slug, term.name)

    def _tag(self, slug: str, name: str) -> Tag:
        slug = (slug or slugify(name, allow_unicode=True) or "tag")[:200]
        if slug not in self.tags:
            tag, created = Tag.objects.update_or_create(slug=slug, defaults={"name": (name or slug)[:200]})
            self.tags[slug] = tag
            self.stats.add("tags", created)
        return self.tags[slug]

    def _attachments(self) -> None:
        # Attachments fetched into Image rows (with their wp_id) since an earlier run are
        # linked as featured images; the rest wait in the map.
        self.images = Image.objects.exclude(wp_id=None).in_bulk(field_name="wp_id")
        for item in self.doc.items:
            if item.post_type == "attachment":
                self.attachments[item.wp_id] = Attachment(
                    wp_id=item.wp_id, url=item.attachment_url or item.link, title=item.title,
                    alt=item.meta.get("_wp_attachment_image_alt", ""), caption=item.excerpt,
                    parent_wp_id=item.parent_wp_id,
                )
                self.stats.add("attachments", False)
                if self.uploads and item.wp_id not in self.images:
                    self._image_from_uploads(self.attachments[item.wp_id])

    def _image_from_uploads(self, attachment: Attachment) -> None:
        """Make an Image from the site's copied uploads folder (wp-content/uploads), through
        the same validation as an admin upload; the file's path is the URL's after /uploads/
        (or /files/, or the whole path on WordPress.com's files host). Nothing is downloaded."""
        root = self.uploads.resolve()
        local = (root / uploads_path(attachment.url).lstrip("/")).resolve()
        if not local.is_relative_to(root):
            self.stats.skipped["attachments outside the uploads folder (refused)"] += 1
            return
        if not local.is_file():
            self.stats.skipped["attachments not in the uploads folder"] += 1
            return
        try:
            with local.open("rb") as fh:
                image = image_create(upload=File(fh, name=local.name), alt=(attachment.alt or attachment.title)[:300],
                                     caption=attachment.caption[:500])
        except ValidationError:
            self.stats.skipped["attachments refused (not a valid image)"] += 1
            return
        Image.objects.filter(pk=image.pk).update(wp_id=attachment.wp_id)
        image.wp_id = attachment.wp_id
        self.images[attachment.wp_id] = image
        self.stats.add("images", True)

    def _save_attachment_map(self) -> None:
        featured: dict[int, list[int]] = {}
        for i in self.doc.items:
            if i.meta.get("_thumbnail_id") and i.post_type in (Post.Kind.POST, Post.Kind.PAGE):
                featured.setdefault(_int(i.meta["_thumbnail_id"]), []).append(i.wp_id)
        data = {str(a.wp_id): {"url": a.url, "title": a.title, "alt": a.alt, "caption": a.caption,
                               "parent": a.parent_wp_id, "featured_for": featured.get(a.wp_id, [])}
                for a in self.attachments.values()}
        target = Path(settings.WXR_ATTACHMENT_MAP)
        if target.exists():
            data = {**json.loads(target.read_text() or "{}"), **data}
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(data, indent=1, sort_keys=True))
        partial.replace(target)

    # Posts, pages and their comments --------------------------------------------------

    def _item(self, item: WxrItem) -> None:
        kind = Post.Kind(item.post_type)
        base = slugify(item.slug, allow_unicode=True) or slugify(item.title, allow_unicode=True)
        comment_status = {"open": Post.CommentStatus.OPEN, "closed": Post.CommentStatus.CLOSED}.get(
            item.comment_status, Post.CommentStatus.DEFAULT)
        status = POST_STATUS[item.status]
        if item.password and status != Post.Status.DRAFT:
            # Dispatch has no post passwords: what WordPress hid behind one stays hidden.
            status = Post.Status.PRIVATE
            self.stats.skipped["passwords (those posts are now private)"] += 1
        content, updates = split_updates(item.content)
        post, created = Post.objects.update_or_create(
            wp_id=item.wp_id,
            defaults={
                "kind": kind,
                "title": item.title[:300],
                "slug": _unique_slug(base, wp_id=item.wp_id),
                "author": self._user(item.creator),
                "status": status,
                "published_at": item.date,
                "created_at": item.date,
                "modified_at": max(item.date, item.modified or item.date),
                "excerpt": item.excerpt,
                "body": wp_content_to_body(content, post_wp_id=item.wp_id, attachments=self.attachments),
                "comment_status": comment_status,
                "sticky": item.is_sticky,
                "featured_image": self.images.get(_int(item.meta.get("_thumbnail_id", ""))),
            },
        )
        self.stats.add("posts" if kind == Post.Kind.POST else "pages", created)
        post.categories.set([self._category(slug) for slug in item.categories if slug])
        post.tags.set([self._tag(slug, name) for slug, name in item.tags])
        self._legacy_paths(post, item)
        self._updates(post, updates)
        self._comments(post, item.comments)

    def _updates(self, post: Post, updates) -> None:
        """The dated updates the content carried (blog.wxr.content.UPDATE_BLOCK), found
        again by their time; saved as rows, never announced (an import is not news)."""
        for block in updates:
            when = parse_iso(block.date)
            if when is None:
                self.stats.skipped["updates without a readable date"] += 1
                continue
            body = wp_content_to_body(block.html, post_wp_id=post.wp_id or 0, attachments=self.attachments)
            update = PostUpdate.objects.filter(post=post, published_at=when).first()
            if update is None or update.body != body:
                update = update or PostUpdate(post=post, published_at=when)
                created = update.pk is None
                update.body = body
                update.save()
                self.stats.add("updates", created)
            else:
                self.stats.add("updates", False)

    def _legacy_paths(self, post: Post, item: WxrItem) -> None:
        """The item's old URL, and for a post its bare `/<slug>/`, which WordPress answers
        by guessing the post from the slug (redirect_guess_404_permalink)."""
        paths = [_old_path(item.link)]
        if post.kind == Post.Kind.POST:
            paths.append(f"/{item.slug or post.slug}/")
        new = unquote(post.get_absolute_url()).rstrip("/")
        for path in dict.fromkeys(paths):
            if path and path.rstrip("/") != new:
                _, created = LegacyPath.objects.update_or_create(path=path[:500], defaults={"post": post})
                self.stats.add("old URLs", created)

    def _comments(self, post: Post, comments: Iterable[WxrComment]) -> None:
        """A post's comments in a few queries whatever their number: existing rows found
        by wp_id, new ones bulk-created (in date order, so ids follow time as they do for
        live comments), the tree (parent, depth, thread, path) computed in memory and
        written in one batch; an existing row is written only if something changed."""
        by_wp_id = {c.wp_id: c for c in comments if c.wp_id}
        if not by_wp_id:
            return
        rows = Comment.objects.in_bulk(list(by_wp_id), field_name="wp_id")
        before = {wp_id: _snapshot(row) for wp_id, row in rows.items()}
        new = []
        for c in sorted(by_wp_id.values(), key=lambda c: (c.date, c.wp_id)):
            row = rows.get(c.wp_id) or Comment(wp_id=c.wp_id)
            self._fill_comment(row, post, c)
            self.stats.add("comments", row.pk is None)
            if row.pk is None:
                new.append(row)
            rows[c.wp_id] = row
        Comment.objects.bulk_create(new, batch_size=500)
        placed: set[int] = set()
        for wp_id in by_wp_id:
            chain, cur = [], wp_id  # walk up to a placed comment, a missing parent or a cycle
            while cur in by_wp_id and cur not in placed and cur not in chain:
                chain.append(cur)
                cur = by_wp_id[cur].parent_wp_id
            for w in reversed(chain):
                parent_wp_id = by_wp_id[w].parent_wp_id
                tree.place(rows[w], rows[parent_wp_id] if parent_wp_id in placed else None)
                placed.add(w)
        _write_tree(new)
        for wp_id, snapshot in before.items():
            if _snapshot(rows[wp_id]) != snapshot:
                rows[wp_id].save(update_fields=[*COMMENT_FIELDS, *TREE_FIELDS])
        Post.objects.filter(pk=post.pk).update(
            comment_count=Comment.objects.approved().filter(post=post).count(),
            comments_version=F("comments_version") + 1,
        )

    def _fill_comment(self, row: Comment, post: Post, c: WxrComment) -> None:
        row.post = post
        row.status = COMMENT_STATUS.get(c.approved, Comment.Status.PENDING)
        # Imported comments were decided in WordPress: the pipeline must not screen them again.
        row.checked_at = c.date
        row.reasons = [{"code": "imported", "text": "Imported from WordPress"}]
        row.body = c.content
        row.body_html = render_comment_html(c.content)
        row.author_name = (c.author or "Anonymous")[:245]
        row.author_email = c.author_email[:100] if "@" in c.author_email else ""
        row.author_url = c.author_url[:200] if c.author_url.startswith(("http://", "https://")) else ""
        # A registered user's comment (user_id set): the author it names, found by id, or
        # by e-mail when the export's authors carry no ids (WordPress.com exports).
        row.user = (self.users_by_wp_id.get(c.user_id) or self.users_by_email.get(c.author_email.lower())
                    if c.user_id else None)
        row.provider = c.type if c.type in PING_TYPES else ""
        row.ip = _ip(c.author_ip)
        row.created_at = c.date


COMMENT_FIELDS = ["post", "status", "checked_at", "reasons", "body", "body_html", "author_name", "author_email",
                  "author_url", "user", "provider", "ip", "created_at"]
TREE_FIELDS = ["parent", "depth", "thread_id", "path"]


def _snapshot(row: Comment) -> tuple:
    return tuple(getattr(row, Comment._meta.get_field(f).attname) for f in (*COMMENT_FIELDS, *TREE_FIELDS))


def _write_tree(rows: list[Comment]) -> None:
    """The tree fields of freshly inserted rows, as one executemany: bulk_update's CASE
    expressions cost seconds of Python per thousand rows."""
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = [Comment._meta.get_field(f).column for f in TREE_FIELDS]
    sql = (f"UPDATE {qn(Comment._meta.db_table)} SET "  # noqa: S608 - identifiers from the model, values bound
           + ", ".join(f"{qn(c)} = %s" for c in columns) + f" WHERE {qn(Comment._meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.parent_id, r.depth, r.thread_id, r.path, r.pk) for r in rows])


def parse_iso(value: str):
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else None


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _ip(value: str) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def wxr_import(*, document: WxrDocument, progress: Callable[[], None] | None = None,
               dry_run: bool = False, uploads: Path | None = None) -> ImportStats:
    """Import a parsed export in one transaction (rolled back if `dry_run`: the stats say
    what would change); see the module docstring."""
    return WxrImporter(document, progress=progress, dry_run=dry_run, uploads=uploads).run()
