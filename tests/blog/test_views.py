"""Reading views: home, permalinks, pages, archives, search, SEO metadata, error pages."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from blog.models import LegacyPath, Post
from blog.views import POSTS_PER_PAGE
from tests.factories import (
    CategoryFactory,
    PageFactory,
    PostFactory,
    PostUpdateFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class _HeadParser(HTMLParser):
    """Collects <meta property> tags and ld+json scripts: parsed, not string-matched."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[dict] = []
        self.inline_scripts = 0
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta.setdefault(attrs["property"], []).append(attrs.get("content", ""))
        if tag == "script":
            if attrs.get("type") == "application/ld+json":
                self._in_ld = True
            elif "src" not in attrs and attrs.get("type") != "application/json":
                self.inline_scripts += 1

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False


def parse(response) -> _HeadParser:
    parser = _HeadParser()
    parser.feed(response.content.decode())
    return parser


def titles(response) -> list[str]:
    """The titles listed, read from the HTML: a repeated GET is served from the page cache."""
    return [html.unescape(t) for t in re.findall(
        r'<h2 class="entry-title"><a href="[^"]*" rel="bookmark">([^<]*)</a></h2>', response.content.decode())]


# --- home ------------------------------------------------------------------------------

def test_the_home_page_shows_sticky_posts_first_then_newest(client):
    now = timezone.now()
    old_sticky = PostFactory(title="Sticky", sticky=True, published_at=now - timedelta(days=30))
    newest = PostFactory(title="Newest", published_at=now - timedelta(minutes=5))
    older = PostFactory(title="Older", published_at=now - timedelta(days=2))
    response = client.get("/")
    assert titles(response) == [old_sticky.title, newest.title, older.title]


def test_the_home_page_is_paginated_and_a_bad_page_is_404(client):
    now = timezone.now()
    for i in range(POSTS_PER_PAGE + 3):
        PostFactory(published_at=now - timedelta(hours=i + 1))
    assert len(titles(client.get("/"))) == POSTS_PER_PAGE
    assert len(titles(client.get("/page/2/"))) == 3
    assert client.get("/?page=2")["Location"] == "/page/2/"  # the old link, moved for good
    for bad in ("/?page=abc", "/?page=-1", "/page/9/", "/?page=0"):
        assert client.get(bad).status_code == 404, bad


def test_the_home_page_makes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    cat, tag = CategoryFactory(), TagFactory()
    for _ in range(POSTS_PER_PAGE):
        post = PostFactory(author=UserFactory())
        post.categories.add(cat)
        post.tags.add(tag)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200


def test_lists_show_the_comment_count(client):
    PostFactory(title="Counted", comment_count=3)
    assert "3 comments" in client.get("/").content.decode()


# --- permalinks and pages ----------------------------------------------------------------

def test_a_post_with_a_date_in_the_wrong_day_is_404(client):
    PostFactory(slug="dated", published_at=datetime(2016, 3, 27, 12, tzinfo=UTC))
    assert client.get("/2016/03/27/dated/").status_code == 200
    assert client.get("/2016/03/28/dated/").status_code == 404


def test_an_author_previews_their_own_draft_and_readers_get_404(client, author, reader):
    draft = PostFactory(author=author, status=Post.Status.DRAFT, title="Secret draft")
    client.force_login(author)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert response.context["is_preview"] is True
    assert "noindex" in response.content.decode()
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_private_post_is_404_to_readers(client, reader):
    private = PostFactory(status=Post.Status.PRIVATE)
    client.force_login(reader)
    assert client.get(private.get_absolute_url()).status_code == 404


def test_a_page_is_served_at_its_slug_and_a_draft_page_is_not(client):
    PageFactory(slug="about", title="About us")
    PageFactory(slug="hidden", status=Post.Status.DRAFT)
    assert client.get("/about/").context["post"].title == "About us"
    assert client.get("/hidden/").status_code == 404


def test_an_old_url_answers_301_to_the_permalink(client):
    post = PostFactory(slug="moved", published_at=datetime(2016, 3, 27, 12, tzinfo=UTC))
    LegacyPath.objects.create(path="/?p=123", post=post)
    LegacyPath.objects.create(path="/archives/123", post=post)
    response = client.get("/archives/123")
    assert response.status_code == 301
    assert response["Location"] == "/2016/03/27/moved/"


def test_updates_are_headed_with_their_date(client):
    post = PostFactory()
    PostUpdateFactory(post=post, published_at=datetime(2016, 3, 27, 10, tzinfo=UTC), body="Bridge reopened.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert re.search(r'UPDATE: <time datetime="2016-03-27T10:00:00\+00:00">27 March 2016</time>', html)
    assert "Bridge reopened." in html


def test_a_post_with_an_update_is_marked_updated_at_the_updates_time(client):
    post = PostFactory(published_at=datetime(2016, 3, 27, 8, tzinfo=UTC), modified_at=datetime(2016, 3, 27, 8, tzinfo=UTC))
    assert "Updated" not in client.get(post.get_absolute_url()).content.decode()
    update = PostUpdateFactory(post=post, published_at=datetime(2016, 3, 28, 9, tzinfo=UTC))
    html = client.get(post.get_absolute_url()).content.decode()
    assert re.search(r'Updated <time class="updated" datetime="2016-03-28T09:00:00\+00:00">', html)
    assert f'id="update-{update.pk}"' in html  # where the followers' mail links to


# --- archives ----------------------------------------------------------------------------

def test_year_and_month_archives_list_only_that_period(client):
    march = PostFactory(title="March", published_at=datetime(2016, 3, 27, 12, tzinfo=UTC))
    april = PostFactory(title="April", published_at=datetime(2016, 4, 1, 12, tzinfo=UTC))
    PostFactory(title="Next year", published_at=datetime(2017, 1, 1, 12, tzinfo=UTC))
    assert titles(client.get("/2016/")) == [april.title, march.title]
    assert titles(client.get("/2016/03/")) == [march.title]
    assert client.get("/2016/12/").status_code == 404  # no posts that month, as WordPress
    assert client.get("/2016/13/").status_code == 404


def test_a_category_archive_includes_its_subcategories(client):
    news = CategoryFactory(slug="news", name="News")
    local = CategoryFactory(slug="local", name="Local", parent=news)
    in_news, in_local, elsewhere = PostFactory(title="A"), PostFactory(title="B"), PostFactory(title="C")
    in_news.categories.add(news)
    in_local.categories.add(local, news)  # in both: listed once
    assert sorted(titles(client.get("/category/news/"))) == ["A", "B"]
    assert titles(client.get("/category/local/")) == ["B"]
    assert elsewhere.title not in titles(client.get("/category/news/"))
    assert client.get("/category/nope/").status_code == 404


def test_tag_and_author_archives(client, author):
    tag = TagFactory(slug="weather")
    tagged = PostFactory(title="Tagged", author=author)
    tagged.tags.add(tag)
    PostFactory(title="By someone else")
    PostFactory(title="Draft by author", author=author, status=Post.Status.DRAFT)
    assert titles(client.get("/tag/weather/")) == ["Tagged"]
    assert titles(client.get("/author/author/")) == ["Tagged"]
    assert client.get("/author/nobody/").status_code == 404


def test_a_day_archive_lists_only_that_days_posts(client):
    morning = PostFactory(title="Morning", published_at=datetime(2016, 3, 27, 8, tzinfo=UTC))
    PostFactory(title="Next day", published_at=datetime(2016, 3, 28, 8, tzinfo=UTC))
    response = client.get("/2016/03/27/")
    assert titles(response) == [morning.title]
    assert response.context["title"] == "Day: 27 March 2016"
    assert client.get("/2016/03/26/").status_code == 404  # no posts that day
    assert client.get("/2016/02/30/").status_code == 404


def _fill(archive_post, count: int):
    """`count` posts an hour apart, each passed to `archive_post` to put it in the archive."""
    for i in range(count):
        archive_post(PostFactory(title=f"Post {i}", published_at=datetime(2016, 3, 27, 20 - i, tzinfo=UTC)))


@pytest.mark.parametrize(("url", "put"), [
    ("/category/news/", lambda post: post.categories.add(CategoryFactory._meta.model.objects.get(slug="news"))),
    ("/tag/weather/", lambda post: post.tags.add(TagFactory._meta.model.objects.get(slug="weather"))),
    ("/author/author/", lambda post: Post.objects.filter(pk=post.pk).update(
        author=UserFactory._meta.model.objects.get(username="author"))),
    ("/2016/", lambda post: None),
    ("/2016/03/", lambda post: None),
    ("/2016/03/27/", lambda post: None),
])
def test_archives_page_at_page_n_as_wordpress_and_old_page_links_redirect(client, author, url, put):
    CategoryFactory(slug="news")
    TagFactory(slug="weather")
    _fill(put, POSTS_PER_PAGE + 2)
    first = client.get(url)
    assert len(titles(first)) == POSTS_PER_PAGE
    assert first.context["older_url"] == f"{url}page/2/"
    second = client.get(f"{url}page/2/")
    assert titles(second) == [f"Post {POSTS_PER_PAGE}", f"Post {POSTS_PER_PAGE + 1}"]
    assert second.context["newer_url"] == url and second.context["older_url"] is None
    old = client.get(f"{url}?page=2")
    assert old.status_code == 301 and old["Location"] == f"{url}page/2/"
    assert client.get(f"{url}page/1/")["Location"] == url
    assert client.get(f"{url}page/3/").status_code == 404


def test_an_archive_links_its_feed(client):
    PostFactory().categories.add(CategoryFactory(slug="news"))
    html = client.get("/category/news/").content.decode()
    assert 'href="/category/news/feed/"' in html


# --- search ------------------------------------------------------------------------------

def test_search_finds_published_posts_by_title_or_body(client):
    PostFactory(title="River flooding", body="Water everywhere.")
    PostFactory(title="Jazz", body="The river stage.")
    PostFactory(title="River draft", status=Post.Status.DRAFT)
    assert sorted(titles(client.get("/", {"s": "river"}))) == ["Jazz", "River flooding"]


@pytest.mark.parametrize("term", ["", "   ", "%", "_", "'; DROP TABLE blog_post; --", "<script>alert(1)</script>",
                                  "\x00", "💧 ünïcødé", "a" * 5000, "\\", "%00"])
def test_search_with_any_characters_answers_200(client, term):
    PostFactory(title="100% sure")
    response = client.get("/", {"s": term})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_for_a_percent_sign_matches_it_literally(client):
    PostFactory(title="100% sure")
    PostFactory(title="No percent here")
    assert titles(client.get("/", {"s": "%"})) == ["100% sure"]


# --- SEO metadata ------------------------------------------------------------------------

def test_a_post_page_has_open_graph_and_json_ld_article(client, author):
    post = PostFactory(author=author, title="River </script> flooding", excerpt="Water & mud.",
                       modified_at=datetime(2016, 3, 27, 8, tzinfo=UTC),
                       published_at=datetime(2016, 3, 27, 8, tzinfo=UTC))
    PostUpdateFactory(post=post, published_at=datetime(2016, 3, 28, 9, tzinfo=UTC))
    head = parse(client.get(post.get_absolute_url()))
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["River </script> flooding"]
    assert head.meta["og:url"] == [f"http://testserver{post.get_absolute_url()}"]
    [article] = head.json_ld
    assert article["@type"] == "Article"
    assert article["headline"] == "River </script> flooding"
    assert article["datePublished"] == "2016-03-27T08:00:00+00:00"
    assert article["dateModified"] == "2016-03-28T09:00:00+00:00"
    assert article["author"]["name"] == "Dispatch"  # no display name: the site, never the login name
    assert head.inline_scripts == 0


def test_json_ld_names_the_author_by_display_name_never_by_login_name(client):
    named = PostFactory(author=UserFactory(username="jsmith-admin", display_name="Jane Smith"))
    unnamed = PostFactory(author=UserFactory(username="root-login"))
    assert parse(client.get(named.get_absolute_url())).json_ld[0]["author"]["name"] == "Jane Smith"
    assert "root-login" not in parse(client.get(unnamed.get_absolute_url())).json_ld[0]["author"]["name"]


def test_an_author_archive_exists_only_for_people_who_have_published(client, reader, author):
    PostFactory(author=author, status=Post.Status.DRAFT)
    assert client.get(f"/author/{reader.username}/").status_code == 404
    assert client.get(f"/author/{author.username}/").status_code == 404
    PostFactory(author=author)
    assert client.get(f"/author/{author.username}/").status_code == 200


def test_json_ld_includes_the_featured_image_as_an_absolute_url(client):
    from django.core.files.base import ContentFile

    from media.models import Image

    image = Image(alt="A flooded quay")
    image.file.save("quay.gif", ContentFile(
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), save=True)
    post = PostFactory(featured_image=image)
    head = parse(client.get(post.get_absolute_url()))
    [article] = head.json_ld
    assert article["image"][0].startswith("http://testserver/media/blog/images/")
    assert head.meta["og:image"] == article["image"]
    assert head.meta["og:image:alt"] == ["A flooded quay"]


# --- error pages and security headers ------------------------------------------------------

def test_the_404_page_is_the_themes_with_a_search_form(client):
    response = client.get("/2099/01/01/nothing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html
    assert 'role="search"' in html


def test_the_500_page_renders_without_a_database(rf):
    from blog.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_pages_send_a_csp_without_inline_script(client):
    post = PostFactory()
    csp = client.get(post.get_absolute_url())["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_wordpress_default_links_answer_301_by_imported_id(client):
    post = PostFactory(slug="imported", published_at=datetime(2016, 3, 27, 12, tzinfo=UTC))
    Post.objects.filter(pk=post.pk).update(wp_id=123)
    page = PageFactory(slug="about")
    Post.objects.filter(pk=page.pk).update(wp_id=2)
    assert client.get("/?p=123")["Location"] == "/2016/03/27/imported/"
    assert client.get("/?page_id=2")["Location"] == "/about/"
    for missing in ("/?p=999", "/?p=abc", "/?page_id=-1"):
        assert client.get(missing).status_code == 404, missing


def test_a_legacy_query_link_without_an_imported_id_uses_the_legacy_table(client):
    post = PostFactory(slug="old", published_at=datetime(2016, 3, 27, 12, tzinfo=UTC))
    LegacyPath.objects.create(path="/?p=77", post=post)
    assert client.get("/?p=77")["Location"] == "/2016/03/27/old/"


@pytest.mark.parametrize("url", ["/category/news/", "/tag/weather/", "/author/author/", "/2016/", "/2016/03/",
                                 "/?s=river", "/2016/03/01/", "/category/news/page/2/", "/tag/weather/page/2/",
                                 "/author/author/page/2/", "/2016/page/2/"])
def test_archives_make_a_constant_number_of_queries(client, author, url, django_assert_max_num_queries):
    news, weather = CategoryFactory(slug="news"), TagFactory(slug="weather")
    for day in range(1, 2 * POSTS_PER_PAGE + 1):
        post = PostFactory(author=author, title=f"River {day}",
                           published_at=datetime(2016, 3, 1 + (day - 1) // 2, 12 - day % 2, tzinfo=UTC))
        post.categories.add(news)
        post.tags.add(weather)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert len(response.context["page_obj"]) == (2 if url == "/2016/03/01/" else POSTS_PER_PAGE)  # two a day


def test_a_post_page_makes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    post = PostFactory()
    for _ in range(5):
        PostUpdateFactory(post=post)
        post.categories.add(CategoryFactory())
        post.tags.add(TagFactory())
    from blog.comments.models import DiscussionSettings

    DiscussionSettings.load()  # created once per site, then cached
    # post, categories, tags, updates, comment page ids, comments, + the comment section's reads
    with django_assert_max_num_queries(8):
        assert client.get(post.get_absolute_url()).status_code == 200


# --- featured images: og:image, the post page, list thumbnails ---------------------------

class _Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def test_og_image_is_a_1280px_rendition_of_the_featured_image_with_its_size(client):
    from tests.media_files import stored_photo

    post = PostFactory(featured_image=stored_photo((1600, 900), alt="A flooded quay"))
    head = parse(client.get(post.get_absolute_url()))
    [url] = head.meta["og:image"]
    assert url.startswith("http://testserver/media/blog/renditions/") and url.endswith("-1280w.jpg")
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == (["1280"], ["720"])
    assert head.meta["og:image:type"] == ["image/jpeg"]
    assert head.meta["og:image:alt"] == ["A flooded quay"]
    assert head.json_ld[0]["image"] == [url]


def test_og_image_is_the_original_with_its_size_until_renditions_exist(client):
    from tests.media_files import stored_photo

    image = stored_photo((1600, 900), renditions=False)
    head = parse(client.get(PostFactory(featured_image=image).get_absolute_url()))
    assert head.meta["og:image"] == [f"http://testserver{image.file.url}"]
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == (["1600"], ["900"])
    assert "og:image" not in parse(client.get(PostFactory().get_absolute_url())).meta


def test_the_post_page_shows_the_featured_image_first_and_never_lazy(client):
    from tests.media_files import stored_photo

    inline = stored_photo((900, 600), alt="Inline")
    post = PostFactory(featured_image=stored_photo(alt="Featured", caption="The quay at dawn"),
                       body=f'Words.\n\n[image id="{inline.pk}"]\n')
    html = client.get(post.get_absolute_url()).content.decode()
    tags = _Tags(html)
    featured, body_image = tags.find("img")[:2]
    assert (featured["alt"], body_image["alt"]) == ("Featured", "Inline")
    assert "loading" not in featured and featured["decoding"] == "async"
    assert (featured["width"], featured["height"]) == ("1600", "900")
    assert "320w" in featured["srcset"] and tags.find("source", type="image/webp")
    assert tags.find("figure", **{"class": "wp-caption featured-image"})
    assert html.index("The quay at dawn") < html.index('<div class="entry-content">')


def test_post_lists_show_a_small_lazy_thumbnail_with_its_size(client):
    from tests.media_files import stored_photo

    PostFactory(featured_image=stored_photo((1600, 900), alt="Quay"))
    PostFactory()  # no image: no thumbnail
    tags = _Tags(client.get("/").content.decode())
    [thumb] = tags.find("img", **{"class": "thumbnail"})
    assert (thumb["width"], thumb["height"], thumb["loading"]) == ("320", "180", "lazy")
    assert thumb["src"].endswith("-320w.jpg") and thumb["alt"] == "Quay"
    assert [c.split()[1] for c in thumb["srcset"].split(", ")] == ["320w", "640w"]


def _count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies["sessionid"] = "unknown"  # a session bypasses the page cache: count a full render
    client.get(url)  # warm per-process caches (content types, discussion settings)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/category/news/", "/?s=river"])
def test_lists_of_posts_with_featured_images_make_a_constant_number_of_queries(
        client, author, url, django_assert_max_num_queries):
    from tests.media_files import stored_photo

    news = CategoryFactory(slug="news")

    def add_posts(n: int):
        for _ in range(n):
            PostFactory(author=author, title="River", featured_image=stored_photo((700, 400))).categories.add(news)

    add_posts(2)
    few = _count_queries(client, url)
    add_posts(POSTS_PER_PAGE - 2)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page_obj"]) == POSTS_PER_PAGE
    assert response.content.decode().count('class="thumbnail"') == 2 * POSTS_PER_PAGE  # picture and img


def test_a_post_page_with_a_featured_image_makes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    from tests.media_files import stored_photo

    plain = PostFactory()
    featured = PostFactory(featured_image=stored_photo())
    with django_assert_max_num_queries(_count_queries(client, plain.get_absolute_url()) + 1):  # + its renditions
        assert client.get(featured.get_absolute_url()).status_code == 200
