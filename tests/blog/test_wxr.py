"""import_wxr / export_wxr against the real WordPress Theme Unit Test export."""

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.comments.models import Comment, DiscussionSettings
from blog.models import Category, LegacyPath, Post, Tag
from blog.wxr import parse_wxr
from blog.wxr.content import Attachment, autop, pin_gallery_ids
from blog.wxr.parse import parse_date
from media.models import Image
from tests.factories import CommentFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db

WXR_NAME = "themeunittestdata.wordpress.xml"


@pytest.fixture(autouse=True)
def _attachment_map(settings, tmp_path):
    settings.WXR_ATTACHMENT_MAP = tmp_path / "var" / "wxr" / "attachments.json"


@pytest.fixture
def theme_data(data_dir) -> Path:
    return data_dir / WXR_NAME


def _import(path) -> str:
    out = io.StringIO()
    call_command("import_wxr", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts() -> dict:
    return {
        "posts": Post.objects.posts().count(), "pages": Post.objects.pages().count(),
        "comments": Comment.objects.count(), "categories": Category.objects.count(), "tags": Tag.objects.count(),
        "users": get_user_model().objects.count(), "old_urls": LegacyPath.objects.count(),
    }


def _wxr(items: str, extra_channel: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.1/"><channel><title>Small</title>
<wp:wxr_version>1.1</wp:wxr_version>
<wp:author><wp:author_login>ann</wp:author_login><wp:author_display_name>Ann</wp:author_display_name></wp:author>
{extra_channel}{items}</channel></rss>""".encode()


def _item(wp_id: int, status: str = "publish", *, slug: str = "", title: str = "A post", comments: str = "",
          content: str = "Hello.") -> str:
    return f"""<item><title>{title}</title><link>http://old.example/?p={wp_id}</link>
<dc:creator>ann</dc:creator><content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>2014-05-06 07:08:09</wp:post_date><wp:post_date_gmt>2014-05-06 07:08:09</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status>
<wp:post_type>post</wp:post_type>{comments}</item>"""


def _comment(wp_id: int, approved: str, parent: int = 0, content: str = "Nice.") -> str:
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id><wp:comment_author>Bob</wp:comment_author>
<wp:comment_author_email>bob@example.com</wp:comment_author_email><wp:comment_author_IP>not-an-ip</wp:comment_author_IP>
<wp:comment_date_gmt>2014-05-07 01:00:0{wp_id % 10}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


# The Theme Unit Test export ----------------------------------------------------------


def test_it_imports_the_posts_pages_and_comments_of_the_theme_unit_test(theme_data):
    output = _import(theme_data)
    assert Post.objects.posts().count() == 58
    assert Post.objects.pages().count() == 21
    assert Comment.objects.count() == 33
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 3
    assert set(get_user_model().objects.values_list("username", flat=True)) == {"themedemos", "themereviewteam"}
    assert get_user_model().objects.get(username="themedemos").display_name == "Theme Buster"
    assert "58 posts (58 new)" in output
    assert "70 nav_menu_items" in output


def test_it_maps_the_draft_the_scheduled_and_the_sticky_post(theme_data):
    _import(theme_data)
    draft = Post.objects.get(wp_id=1164)
    assert (draft.status, draft.slug) == (Post.Status.DRAFT, "draft")  # no post_name: slugified title
    scheduled = Post.objects.get(wp_id=1153)
    assert scheduled.status == Post.Status.SCHEDULED
    assert scheduled.published_at == datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    assert list(Post.objects.filter(sticky=True).values_list("slug", flat=True)) == ["template-sticky"]
    assert Post.objects.get(slug="template-comments-disabled").comment_status == Post.CommentStatus.CLOSED
    assert Post.objects.get(wp_id=1811).slug == "επίπεδο-2"  # percent-encoded post_name decoded


def test_categories_keep_their_hierarchy_and_posts_their_terms(theme_data):
    _import(theme_data)
    grandchild = Category.objects.get(slug="grandchild-category")
    assert grandchild.parent.slug == "child-category-03"
    assert grandchild.parent.parent.slug == "parent-category"
    many = Post.objects.get(slug="edge-case-many-categories")
    assert many.categories.count() > 10
    assert Post.objects.get(slug="edge-case-many-tags").tags.count() > 10


def test_the_ten_deep_thread_keeps_its_tree(theme_data):
    _import(theme_data)
    post = Post.objects.get(slug="template-comments")
    comments = list(post.comments.all())
    assert len(comments) == 20
    assert max(c.depth for c in comments) == 10
    for c in comments:
        expected_path = (c.parent.path if c.parent else "") + f"{c.pk:010d}/"
        assert c.path == expected_path
        assert c.thread_id == (c.parent.thread_id if c.parent else c.pk)
        assert c.depth == (c.parent.depth + 1 if c.parent else 1)
    deepest = post.comments.get(depth=10)
    assert deepest.body.startswith("Comment Depth 10")
    assert post.comment_count == post.comments.approved().count() == 19


def test_imported_comments_count_as_decided_and_keep_pings(theme_data):
    _import(theme_data)
    assert not Comment.objects.unchecked().exists()
    assert Comment.objects.filter(provider="pingback", status=Comment.Status.APPROVED).count() == 2
    assert Comment.objects.filter(provider="trackback", status=Comment.Status.APPROVED).count() == 2
    markup = Comment.objects.get(body__startswith="<strong>Headings</strong>")
    assert "<strong>Headings</strong>" in markup.body_html
    assert "<h1>" not in markup.body_html
    assert "<img" not in Comment.objects.get(body__startswith="Image comment.").body_html
    # Registered users' comments link to the author with their e-mail (this export has no author ids).
    registered = [c.wp_id for i in parse_wxr(theme_data).items for c in i.comments
                  if c.user_id and c.author_email == "themeshaperwp+demos@gmail.com"]
    assert len(registered) >= 3
    assert set(Comment.objects.filter(user__username="themedemos").values_list("wp_id", flat=True)) == set(registered)


def test_attachments_are_mapped_without_downloading_or_making_images(theme_data):
    _import(theme_data)
    assert not Image.objects.exists()
    mapping = json.loads(Path(settings.WXR_ATTACHMENT_MAP).read_text())
    assert len(mapping) == 37
    assert mapping["611"]["url"].startswith("https://")
    # [gallery] without ids means "this post's attachments": pinned while the export knows them.
    gallery = Post.objects.get(slug="post-format-gallery")
    ids = re.search(r'\[gallery ids="([\d,]+)"', gallery.body)[1].split(",")
    assert len(ids) > 2 and all(mapping[i]["parent"] == 555 for i in ids)
    caption = Post.objects.get(slug="post-format-image-caption")
    assert "Bell on wharf in San Francisco" in caption.body_html


def test_a_password_protected_post_becomes_private(theme_data):
    output = _import(theme_data)
    assert Post.objects.get(slug="template-password-protected").status == Post.Status.PRIVATE
    assert "1 passwords (those posts are now private)" in output


def test_a_featured_image_links_up_once_its_attachment_is_an_image(theme_data):
    from PIL import Image as PILImage

    _import(theme_data)
    mapping = json.loads(Path(settings.WXR_ATTACHMENT_MAP).read_text())
    wp_id, entry = next((k, v) for k, v in mapping.items() if v["featured_for"])
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 3), "red").save(buffer, "PNG")
    image = Image(alt=entry["alt"] or "x", wp_id=int(wp_id))
    image.file.save("fetched.png", ContentFile(buffer.getvalue()), save=True)
    _import(theme_data)
    assert Post.objects.get(wp_id=entry["featured_for"][0]).featured_image == image
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    exported = parse_wxr(io.BytesIO(out.getvalue().encode()))
    item = next(i for i in exported.items if i.wp_id == entry["featured_for"][0])
    assert item.meta["_thumbnail_id"] == wp_id


def test_attachments_found_in_a_copied_uploads_folder_become_validated_images(theme_data, tmp_path):
    from PIL import Image as PILImage

    _import(theme_data)
    mapping = json.loads(Path(settings.WXR_ATTACHMENT_MAP).read_text())
    wp_id, entry = next((k, v) for k, v in mapping.items() if v["featured_for"] and v["url"].endswith(".jpg"))
    uploads = tmp_path / "uploads"
    good = uploads / urlsplit(entry["url"]).path.lstrip("/")
    good.parent.mkdir(parents=True)
    PILImage.new("RGB", (800, 600), "navy").save(good, "JPEG")
    broken_id, broken = next((k, v) for k, v in mapping.items() if k != wp_id and v["url"].endswith(".jpg"))
    bad = uploads / urlsplit(broken["url"]).path.lstrip("/")
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"<html>not a picture</html>")
    out = io.StringIO()
    call_command("import_wxr", str(theme_data), "--uploads", str(uploads), stdout=out, stderr=io.StringIO())
    assert "1 images made from the uploads folder" in out.getvalue()
    assert "1 attachments refused (not a valid image)" in out.getvalue()
    image = Image.objects.get(wp_id=int(wp_id))
    assert (image.width, image.height) == (800, 600)
    assert Post.objects.get(wp_id=entry["featured_for"][0]).featured_image == image
    assert not Image.objects.filter(wp_id=int(broken_id)).exists()
    _import(theme_data)  # idempotent: the image is found by wp_id, not made again
    assert Image.objects.filter(wp_id=int(wp_id)).count() == 1


def test_the_attachment_map_is_written_outside_the_public_media(theme_data, settings):
    _import(theme_data)
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.json"))
    assert not Path(settings.WXR_ATTACHMENT_MAP).is_relative_to(Path(settings.MEDIA_ROOT))


def test_uploads_are_read_only_from_inside_the_uploads_folder(theme_data, tmp_path):
    from PIL import Image as PILImage

    secret = tmp_path / "secret.jpg"
    PILImage.new("RGB", (40, 30), "red").save(secret, "JPEG")
    uploads = tmp_path / "site" / "uploads"
    (uploads / "2008" / "06").mkdir(parents=True)
    xml = theme_data.read_text()
    xml = xml.replace("https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg",
                      "https://example.com/wp-content/uploads/../../../secret.jpg")
    xml = xml.replace("https://wpthemetestdata.files.wordpress.com/2008/06/dsc20050727_091048_222.jpg",
                      f"https://example.com/wp-content/uploads/{secret}")
    crafted = tmp_path / "crafted.xml"
    crafted.write_text(xml)
    out = io.StringIO()
    call_command("import_wxr", str(crafted), "--uploads", str(uploads), stdout=out, stderr=io.StringIO())
    assert not Image.objects.exists()
    assert "1 attachments outside the uploads folder (refused)" in out.getvalue()  # the ".." one
    # The absolute path is read as a path inside the folder, where there is no such file.


def test_a_missing_uploads_folder_is_a_clear_error(theme_data, tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        call_command("import_wxr", str(theme_data), "--uploads", str(tmp_path / "nope"), stdout=io.StringIO())


def test_an_imported_post_page_with_its_threaded_comments_renders(client, theme_data):
    _import(theme_data)
    post = Post.objects.get(slug="template-comments")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Template: Comments" in response.content.decode()
    assert client.get(Post.objects.get(slug="page-with-comments").get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/wp-6-1-theme-block-category/", "/2023/01/13/theme-block-category/"),
        ("/template-comments/", "/2012/01/03/template-comments/"),  # WordPress guesses posts by slug
        ("/about/page-with-comments/", "/page-with-comments/"),
        ("/level-1/level-2/level-3/", "/level-3/"),
        ("/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/", "/%CE%B5%CF%80%CE%AF%CF%80%CE%B5%CE%B4%CE%BF-2/"),
        ("/?p=1148", "/2012/01/03/template-comments/"),
        ("/?page_id=155", "/page-with-comments/"),
    ],
)
def test_old_urls_answer_301_to_the_new_permalink(client, theme_data, old, new):
    _import(theme_data)
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_an_unchanged_old_permalink_needs_no_redirect(client, theme_data):
    _import(theme_data)
    assert not LegacyPath.objects.filter(path="/2012/01/03/template-comments/").exists()
    assert client.get("/2012/01/03/template-comments/").status_code == 200


def test_the_old_url_of_a_draft_does_not_reveal_it(client, theme_data):
    _import(theme_data)
    assert client.get("/?p=1164").status_code == 404
    assert client.get("/2020/01/01/scheduled/").status_code == 404


def test_running_the_import_twice_creates_nothing_new(theme_data):
    _import(theme_data)
    first = _counts()
    paths = dict(Comment.objects.values_list("wp_id", "path"))
    output = _import(theme_data)
    assert _counts() == first
    assert dict(Comment.objects.values_list("wp_id", "path")) == paths
    assert "0 new" in output and " new)" in output
    assert not re.search(r"\((?!0 new)\d+ new\)", output)


def test_a_dry_run_reports_the_counts_and_saves_nothing(theme_data):
    out = io.StringIO()
    call_command("import_wxr", str(theme_data), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "Dry run, nothing saved." in out.getvalue()
    assert "58 posts (58 new)" in out.getvalue()
    assert not Post.objects.exists() and not Comment.objects.exists()
    assert not Path(settings.WXR_ATTACHMENT_MAP).exists()


def test_export_then_reimport_into_an_empty_site_gives_the_same_content(tmp_path, theme_data):
    _import(theme_data)
    before = _counts()
    exported = tmp_path / "export.xml"
    call_command("export_wxr", str(exported), stdout=io.StringIO())
    assert exported.stat().st_mode & 0o077 == 0  # e-mails and IPs inside: owner only
    first_items = exported.read_text().split("<item>", 1)[1]
    statuses = dict(Post.objects.values_list("wp_id", "status"))
    comment_statuses = dict(Comment.objects.values_list("wp_id", "status"))

    Post.objects.all().delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    LegacyPath.objects.all().delete()
    _import(exported)
    after = _counts()
    assert {k: after[k] for k in ("posts", "pages", "comments", "categories", "tags")} == {
        k: before[k] for k in ("posts", "pages", "comments", "categories", "tags")
    }
    assert dict(Post.objects.values_list("wp_id", "status")) == statuses
    assert dict(Comment.objects.values_list("wp_id", "status")) == comment_statuses
    assert Post.objects.get(slug="template-comments").comments.filter(depth=10).count() == 1

    again = tmp_path / "again.xml"
    call_command("export_wxr", str(again), stdout=io.StringIO())
    assert again.read_text().split("<item>", 1)[1] == first_items  # stable round trip


def test_importing_our_own_export_over_the_site_creates_nothing_new(tmp_path, theme_data):
    _import(theme_data)
    before = _counts()
    exported = tmp_path / "export.xml"
    call_command("export_wxr", str(exported), stdout=io.StringIO())
    _import(exported)
    assert _counts() == before


# Small exports: statuses, threads, Dispatch-born content, bad files ---------------------


def test_it_maps_post_and_comment_statuses_and_skips_trash(tmp_path):
    comments = _comment(1, "1") + _comment(2, "0", parent=1) + _comment(3, "spam") + _comment(4, "trash")
    items = (_item(10, "publish", slug="live", comments=comments) + _item(11, "pending", slug="pending")
             + _item(12, "private", slug="secret") + _item(13, "trash", slug="gone"))
    path = tmp_path / "small.xml"
    path.write_bytes(_wxr(items))
    output = _import(path)
    assert dict(Post.objects.values_list("slug", "status")) == {
        "live": Post.Status.PUBLISHED, "pending": Post.Status.DRAFT, "secret": Post.Status.PRIVATE,
    }
    assert dict(Comment.objects.values_list("wp_id", "status")) == {
        1: Comment.Status.APPROVED, 2: Comment.Status.PENDING, 3: Comment.Status.SPAM, 4: Comment.Status.TRASH,
    }
    assert Comment.objects.get(wp_id=2).parent == Comment.objects.get(wp_id=1)
    assert Comment.objects.get(wp_id=1).ip is None  # a malformed IP is dropped, not a crash
    assert Post.objects.get(slug="live").comment_count == 1
    assert "1 trash posts" in output


def test_a_thread_deeper_than_the_path_allows_and_a_parent_cycle_still_import(tmp_path):
    chain = "".join(_comment(n, "1", parent=n - 1) for n in range(1, 31))  # 30 deep
    cycle = _comment(41, "1", parent=42) + _comment(42, "1", parent=41)
    path = tmp_path / "deep.xml"
    path.write_bytes(_wxr(_item(30, slug="deep", comments=chain + cycle)))
    _import(path)
    comments = Comment.objects.filter(post__slug="deep")
    assert comments.count() == 32
    assert max(c.depth for c in comments) == 23
    assert all(len(c.path) <= 255 and c.path.endswith(f"{c.pk:010d}/") for c in comments)
    assert Comment.objects.get(wp_id=30).parent.depth == 22
    assert {c.depth for c in comments.filter(wp_id__in=[41, 42])} == {1, 2}


def test_a_slug_taken_by_another_post_gets_a_suffix(tmp_path):
    PostFactory(slug="hello")
    path = tmp_path / "small.xml"
    path.write_bytes(_wxr(_item(20, slug="hello") + _item(21, slug="", title="Hello")))
    _import(path)
    assert Post.objects.get(wp_id=20).slug == "hello-2"
    assert Post.objects.get(wp_id=21).slug == "hello-3"
    _import(path)
    assert Post.objects.get(wp_id=20).slug == "hello-2"


def test_content_from_dispatch_exports_as_html_with_all_comment_statuses(tmp_path, author):
    post = PostFactory(author=author, title="Born here", slug="born-here", body="Some *Markdown*.")
    root = CommentFactory(post=post)
    CommentFactory(post=post, parent=root, status=Comment.Status.SPAM)
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    doc = parse_wxr(io.BytesIO(out.getvalue().encode()))
    item = next(i for i in doc.items if i.slug == "born-here")
    assert "<em>Markdown</em>" in item.content
    assert sorted(c.approved for c in item.comments) == ["1", "spam"]
    reply = next(c for c in item.comments if c.approved == "spam")
    assert reply.parent_wp_id == next(c.wp_id for c in item.comments if c.approved == "1")
    assert doc.version == "1.2"
    assert [a.login for a in doc.authors] == ["author"]


def test_text_that_ends_a_cdata_section_survives_the_export(author):
    post = PostFactory(author=author, title="A < B & C", slug="cdata", body="x")
    Post.objects.filter(pk=post.pk).update(wp_id=99, body="<p>a ]]> b</p>")
    CommentFactory(post=post, body="Ends ]]> here & <now>")
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    item = next(i for i in parse_wxr(io.BytesIO(out.getvalue().encode())).items if i.wp_id == 99)
    assert (item.title, item.content, item.comments[0].content) == ("A < B & C", "<p>a ]]> b</p>", "Ends ]]> here & <now>")


def _export_queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        call_command("export_wxr", stdout=io.StringIO())
    return len(ctx.captured_queries)


def test_export_queries_do_not_grow_with_the_number_of_posts(author):
    CommentFactory(post=PostFactory(author=author))
    DiscussionSettings.load()  # the singleton's first load creates its row
    few = _export_queries()
    for _ in range(15):
        CommentFactory(post=PostFactory(author=author))
    assert _export_queries() == few


@pytest.mark.parametrize(
    "content",
    [b"<rss><channel><item>", b"<html><body>Hello</body></html>", b"", b"\x00\x01 not xml"],
    ids=["truncated", "not-wxr", "empty", "binary"],
)
def test_a_malformed_file_is_a_clear_command_error(tmp_path, content):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="not a WordPress export"):
        call_command("import_wxr", str(path), stdout=io.StringIO())
    assert not Post.objects.exists()


def test_an_entity_bomb_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi", strict=True))
            + ']><rss><channel><title>&i;</title></channel></rss>')
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    with pytest.raises(CommandError):
        call_command("import_wxr", str(path), stdout=io.StringIO())


def test_a_missing_file_is_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_wxr", str(tmp_path / "nope.xml"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_wxr", str(tmp_path / "no-such-dir" / "out.xml"), stdout=io.StringIO())


# Content conversion (pure) -----------------------------------------------------------


def test_a_draft_without_a_gmt_date_falls_back_to_its_local_date(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert parse_date("0000-00-00 00:00:00", "2013-04-09 20:20:39") == datetime(2013, 4, 9, 18, 20, 39, tzinfo=UTC)
    assert parse_date("2013-04-09 18:20:39", "garbage") == datetime(2013, 4, 9, 18, 20, 39, tzinfo=UTC)
    assert parse_date("", "") is None


def test_items_without_an_id_are_skipped_not_merged(tmp_path):
    path = tmp_path / "small.xml"
    path.write_bytes(_wxr(_item(0, slug="a") + _item(0, slug="b") + _item(5, slug="c", title="x" * 400)))
    output = _import(path)
    assert list(Post.objects.values_list("slug", flat=True)) == ["c"]
    assert len(Post.objects.get().title) == 300
    assert "2 items without wp:post_id" in output


def test_autop_makes_paragraphs_and_keeps_blocks_and_is_idempotent():
    text = "First line\nsecond line\n\nIntro\n<ul>\n<li>a</li>\n</ul>\n\n<pre>code\n\nmore</pre>"
    once = autop(text)
    assert once.startswith("<p>First line<br />\nsecond line</p>")
    assert "<p>Intro</p>\n\n<ul>" in once
    assert "<pre>code\n\nmore</pre>" in once
    assert autop(once) == once


def test_autop_keeps_block_shortcodes_out_of_paragraphs():
    body = autop("Look:\n[caption id=\"attachment_5\"]<img src=\"x.jpg\" /> A cat[/caption]\n\n[embed]https://youtu.be/x[/embed]")
    assert body == ('<p>Look:</p>\n\n[caption id="attachment_5"]<img src="x.jpg" /> A cat[/caption]\n\n'
                    "[embed]https://youtu.be/x[/embed]")


def test_a_gallery_without_ids_gets_the_posts_attachments():
    attachments = {
        5: Attachment(wp_id=5, url="https://old.example/a.jpg", parent_wp_id=9),
        3: Attachment(wp_id=3, url="https://old.example/b.jpg", parent_wp_id=9),
        4: Attachment(wp_id=4, url="https://old.example/c.jpg", parent_wp_id=8),
    }
    assert pin_gallery_ids("[gallery columns=2]", post_wp_id=9, attachments=attachments) == (
        '[gallery ids="3,5" columns=2]'
    )
    assert pin_gallery_ids('[gallery ids="4"]', post_wp_id=9, attachments=attachments) == '[gallery ids="4"]'
    assert pin_gallery_ids("[gallery]", post_wp_id=7, attachments=attachments) == "[gallery]"


# Round trip of what Dispatch writes: updates, images, galleries, files ----------------------


def _site_written_here(author):
    """A site born in Dispatch: a story with dated updates, a featured image, an inline
    image and a gallery, threaded comments, taxonomy."""
    from tests.media_files import stored_photo

    featured = stored_photo((1200, 800), alt="The quay", caption="Morning on the quay", renditions=False)
    inline = stored_photo((900, 600), alt="The bridge", color=(10, 200, 10), renditions=False)
    third = stored_photo((640, 480), alt="The crowd", color=(200, 10, 10), renditions=False)
    story = PostFactory(author=author, title="Flood", slug="flood", featured_image=featured,
                        published_at=datetime(2026, 3, 27, 8, tzinfo=UTC),
                        body=f'The river rose.\n\n[image id="{inline.pk}"]\n\n[gallery ids="{inline.pk},{third.pk}"]\n')
    story.categories.add(Category.objects.create(slug="news", name="News"))
    story.tags.add(Tag.objects.create(slug="weather", name="Weather"))
    PostUpdateFactory(post=story, published_at=datetime(2026, 3, 27, 12, tzinfo=UTC), body="The river *crested*.")
    PostUpdateFactory(post=story, published_at=datetime(2026, 3, 28, 9, tzinfo=UTC), body="Water going down.")
    root = CommentFactory(post=story, body="Stay safe", author_name="Ann")
    CommentFactory(post=story, parent=root, body="Thanks", author_name="Bob")
    return story


def _snapshot():
    """What a reader and an author would compare, by natural keys (ids may change)."""
    def text(html):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()

    posts = {
        p.slug: (p.title, p.status, p.published_at, text(p.body_html), sorted(c.slug for c in p.categories.all()),
                 sorted(t.slug for t in p.tags.all()),
                 (p.featured_image.alt, p.featured_image.caption, p.featured_image.width) if p.featured_image else None,
                 [(u.published_at, text(u.body_html)) for u in p.updates.all()],
                 sorted((c.author_name, c.body, c.depth, c.status) for c in p.comments.all()))
        for p in Post.objects.order_by("slug")
    }
    images = sorted((i.alt, i.caption, i.width, i.height) for i in Image.objects.all())
    return posts, images


def _empty_the_site():
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Image.objects.all().delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    LegacyPath.objects.all().delete()


def test_export_with_media_then_import_into_an_empty_site_gives_the_same_posts_updates_images_and_comments(
        tmp_path, author, settings):
    story = _site_written_here(author)
    html_before = story.body_html
    assert html_before.count("<img") >= 3  # inline image and the gallery's two, before
    before = _snapshot()
    archive = tmp_path / "site.zip"
    out = io.StringIO()
    call_command("export_wxr", str(archive), "--with-media", stdout=out, stderr=io.StringIO())
    assert "with the images' files" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0

    _empty_the_site()
    settings.MEDIA_ROOT = tmp_path / "another-site-media"  # the files come from the archive, not the disk
    output = _import(archive)
    assert "3 images made from the uploads folder" in output and "2 updates (2 new)" in output
    assert _snapshot() == before
    story = Post.objects.get(slug="flood")
    assert story.body_html.count("<img") == html_before.count("<img")
    assert all(Path(settings.MEDIA_ROOT, i.file.name).is_file() for i in Image.objects.all())

    output = _import(archive)  # again: the same rows, nothing new
    assert "2 updates (0 new)" in output and Image.objects.count() == 3
    assert _snapshot() == before


def test_updates_are_content_blocks_a_wordpress_reader_sees_as_html(author):
    story = PostFactory(author=author, slug="flood", body="Body.")
    PostUpdateFactory(post=story, published_at=datetime(2026, 3, 27, 12, tzinfo=UTC), body="It *moved*.")
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    [item] = [i for i in parse_wxr(io.BytesIO(out.getvalue().encode())).items if i.slug == "flood"]
    assert '<!-- wp:dispatch/update {"date":"2026-03-27T12:00:00+00:00"} -->' in item.content
    assert "<h2>UPDATE: 27 March 2026</h2>" in item.content and "<em>moved</em>" in item.content


def test_images_export_as_attachments_and_shortcodes_follow_their_export_ids(author):
    from tests.media_files import stored_photo

    imported = stored_photo(alt="From WordPress", renditions=False)
    Image.objects.filter(pk=imported.pk).update(wp_id=500)
    mine = stored_photo(alt="Uploaded here", renditions=False)
    PostFactory(author=author, slug="mixed", featured_image=mine, body=f'[image id="{mine.pk}"]\n\n[gallery ids="500,{mine.pk}"]')
    out = io.StringIO()
    call_command("export_wxr", stdout=out)
    doc = parse_wxr(io.BytesIO(out.getvalue().encode()))
    attachments = {i.wp_id: i for i in doc.items if i.post_type == "attachment"}
    assert sorted(attachments) == [500, mine.pk + 500]
    assert attachments[mine.pk + 500].meta["_wp_attachment_image_alt"] == "Uploaded here"
    assert attachments[mine.pk + 500].attachment_url.startswith("http")
    [post] = [i for i in doc.items if i.slug == "mixed"]
    assert post.meta["_thumbnail_id"] == str(mine.pk + 500)
    assert f'[image id="{mine.pk + 500}"]' in post.content and f'[gallery ids="500,{mine.pk + 500}"]' in post.content


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt"])
def test_an_archive_that_would_write_outside_its_folder_is_refused(tmp_path, member):
    import zipfile

    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export.xml", _wxr(""))
        z.writestr(member, b"x")
    with pytest.raises(CommandError, match="refused archive member"):
        _import(archive)
    assert not (tmp_path / "evil.txt").exists()


def test_with_media_needs_a_file(author):
    with pytest.raises(CommandError, match="give a FILE"):
        call_command("export_wxr", "--with-media", stdout=io.StringIO())
