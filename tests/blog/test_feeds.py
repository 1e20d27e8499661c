"""Feeds and the sitemap, parsed with xml.etree (never string-matched)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import (
    CategoryFactory,
    CommentFactory,
    PageFactory,
    PostFactory,
    PostUpdateFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Html(HTMLParser):
    """The item's HTML, parsed: its tags' attributes and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data

    def attrs(self, tag: str, name: str) -> list[str]:
        return [a[name] for t, a in self.tags if t == tag and name in a]


def xml(client, url) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return ET.fromstring(response.content)


def test_the_rss_feed_lists_published_posts_newest_first_with_full_content(client):
    old = PostFactory(title="Old", published_at=timezone.now() - timedelta(days=2))
    new = PostFactory(title="New", body="Para one.\n\nPara *two* is here too.\n")
    PostFactory(title="Draft", status=Post.Status.DRAFT)
    PostFactory(title="Future", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1))
    PageFactory(title="A page")
    channel = xml(client, "/feed/").find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["New", "Old"]
    assert items[0].findtext("link") == f"http://testserver{new.get_absolute_url()}"
    assert "<em>two</em>" in items[0].findtext(CONTENT)
    assert "<em>two</em>" in items[0].findtext("description")
    assert old.title == items[1].findtext("title")


def test_feed_content_includes_dated_updates_and_absolute_urls(client):
    post = PostFactory(body='See [the archive](/2016/) and ![a map](/media/map.png "Map")\n')
    PostUpdateFactory(post=post, published_at=datetime(2016, 3, 27, 10, tzinfo=UTC), body="The bridge reopened.")
    [item] = xml(client, "/feed/").find("channel").findall("item")
    html = _Html(item.findtext(CONTENT))
    assert html.attrs("a", "href") == ["http://testserver/2016/"]
    assert html.attrs("img", "src") == ["http://testserver/media/map.png"]
    assert "UPDATE: 27 March 2016" in html.text
    assert "The bridge reopened." in html.text


def test_the_atom_feed_has_updated_times_authors_and_html_content(client, author):
    post = PostFactory(author=author, title="Story", published_at=datetime(2016, 3, 27, 8, tzinfo=UTC),
                       modified_at=datetime(2016, 3, 27, 8, tzinfo=UTC))
    PostUpdateFactory(post=post, published_at=datetime(2016, 3, 28, 9, tzinfo=UTC))
    post.categories.add(CategoryFactory(name="News"))
    post.tags.add(TagFactory(name="Weather"))
    feed = xml(client, "/feed/atom/")
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Story"
    assert entry.findtext(f"{ATOM}published") == "2016-03-27T08:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2016-03-28T09:00:00+00:00"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == str(author)
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "A paragraph of text." in content.text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"News", "Weather"}
    assert feed.findtext(f"{ATOM}updated") == "2016-03-28T09:00:00+00:00"


def test_the_feeds_make_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(15):
        post = PostFactory()
        PostUpdateFactory(post=post)
        post.tags.add(TagFactory())
    with django_assert_max_num_queries(6):
        xml(client, "/feed/")


def test_the_comments_feed_is_valid_when_empty_and_lists_approved_comments(client):
    post = PostFactory()
    assert xml(client, "/comments/feed/").find("channel").findall("item") == []
    CommentFactory(post=post, author_name="Ann", body="Approved one")
    from blog.comments.models import Comment

    CommentFactory(post=post, author_name="Spammer", status=Comment.Status.SPAM)
    CommentFactory(post=PostFactory(status=Post.Status.DRAFT), author_name="On a draft")
    items = xml(client, "/comments/feed/").find("channel").findall("item")
    assert [item.findtext("title") for item in items] == [f"Comment on {post.title} by Ann"]


def test_a_posts_comment_feed_is_valid_when_empty_and_404_for_drafts(client):
    post = PostFactory(title="Quiet")
    channel = xml(client, f"{post.get_absolute_url()}feed/").find("channel")
    assert channel.findtext("title") == "Comments on: Quiet"
    assert channel.findall("item") == []
    CommentFactory(post=post)
    assert len(xml(client, f"{post.get_absolute_url()}feed/").find("channel").findall("item")) == 1
    draft = PostFactory(status=Post.Status.DRAFT)
    assert client.get(f"{draft.get_absolute_url()}feed/").status_code == 404
    assert client.get("/2001/01/01/" + post.slug + "/feed/").status_code == 404


def test_the_sitemap_lists_posts_pages_and_terms_with_posts(client):
    post = PostFactory(slug="story")
    PostFactory(slug="draft", status=Post.Status.DRAFT)
    PageFactory(slug="about")
    used = CategoryFactory(slug="news")
    CategoryFactory(slug="empty")  # no posts: not listed
    post.categories.add(used)
    post.tags.add(TagFactory(slug="weather"))
    urlset = xml(client, "/sitemap.xml")
    locs = {url.findtext(f"{SITEMAP}loc") for url in urlset.findall(f"{SITEMAP}url")}
    assert locs == {
        f"http://testserver{post.get_absolute_url()}",
        "http://testserver/about/",
        "http://testserver/category/news/",
        "http://testserver/tag/weather/",
    }
    assert all(url.findtext(f"{SITEMAP}lastmod") for url in urlset.findall(f"{SITEMAP}url"))


# --- images in feeds ---------------------------------------------------------------------

def _media_urls(html: "_Html") -> list[str]:
    """Every image URL in the item's HTML: img src and srcset, picture source srcset."""
    urls = html.attrs("img", "src")
    for srcset in html.attrs("img", "srcset") + html.attrs("source", "srcset"):
        urls += [candidate.split()[0] for candidate in srcset.split(",")]
    return urls


@pytest.mark.parametrize(("url", "content"), [("/feed/", lambda item: item.findtext(CONTENT)),
                                              ("/feed/atom/", lambda item: item.findtext(f"{ATOM}content"))])
def test_every_image_and_link_in_a_feed_item_is_an_absolute_url(client, url, content):
    from tests.media_files import stored_photo

    featured, inline = stored_photo(alt="The quay"), stored_photo((900, 600), alt="The bridge")
    post = PostFactory(featured_image=featured,
                       body=f'Intro, [archive](/2016/).\n\n[image id="{inline.pk}"]\n\n![map](/media/map.png)\n')
    PostUpdateFactory(post=post, body="![later](/media/later.png)")
    root = xml(client, url)
    [item] = root.find("channel").findall("item") if url == "/feed/" else root.findall(f"{ATOM}entry")
    html = _Html(content(item))
    urls = _media_urls(html)
    # featured 4 renditions ×2 + original, inline 2 ×2 + original, each as src, srcset and source
    assert len(urls) == (1 + 4 + 1 + 4) + (1 + 2 + 1 + 2) + 2
    assert all(u.startswith("http://testserver/media/") for u in urls), urls
    assert html.attrs("img", "alt")[:2] == ["The quay", "The bridge"]  # the featured image first
    assert "http://testserver/2016/" in html.attrs("a", "href")


def test_the_feed_uses_site_url_when_it_answers_without_a_request(settings):
    from blog.feeds import PostsRss
    from tests.media_files import stored_photo

    settings.SITE_URL = "https://news.example"
    item = PostFactory(featured_image=stored_photo(renditions=False))
    urls = _media_urls(_Html(PostsRss()._full_html(item)))
    assert urls and all(u.startswith("https://news.example/media/") for u in urls)


def test_a_comment_feed_makes_relative_links_absolute(client):
    post = PostFactory()
    CommentFactory(post=post, body_html='<p>See <a href="/2016/">the archive</a> and '
                                         '<a href="https://elsewhere.example/x">this</a>.</p>')
    for url in ("/comments/feed/", post.get_absolute_url() + "feed/"):
        [item] = xml(client, url).find("channel").findall("item")
        assert _Html(item.findtext("description")).attrs("a", "href") == [
            "http://testserver/2016/", "https://elsewhere.example/x"], url


def test_feeds_of_posts_with_featured_images_make_a_constant_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.media_files import stored_photo

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            xml(client, "/feed/")
        return len(ctx.captured_queries)

    for _ in range(2):
        PostFactory(featured_image=stored_photo((700, 400)))
    few = queries()
    for _ in range(10):
        PostFactory(featured_image=stored_photo((700, 400)))
    assert queries() == few <= 7


def test_the_featured_image_is_each_items_enclosure_in_rss_and_atom(client):
    from tests.media_files import stored_photo

    image = stored_photo((1600, 900))
    PostFactory(featured_image=image)
    PostFactory()  # no image: no enclosure
    rendition = image.renditions.get(width=1280, format="jpeg")
    expected = {"url": f"http://testserver{rendition.file.url}", "length": str(rendition.file.size),
                "type": "image/jpeg"}
    items = xml(client, "/feed/").find("channel").findall("item")
    assert [dict(e.attrib) for item in items for e in item.findall("enclosure")] == [expected]
    entries = xml(client, "/feed/atom/").findall(f"{ATOM}entry")
    links = [link.attrib for entry in entries for link in entry.findall(f"{ATOM}link")
             if link.get("rel") == "enclosure"]
    assert [(a["href"], a["length"], a["type"]) for a in links] == [tuple(expected.values())]


# --- archive and comment feeds, as WordPress ----------------------------------------------

def _archived(author):
    news, weather = CategoryFactory(slug="news", name="News"), TagFactory(slug="weather", name="Weather")
    local = CategoryFactory(slug="local", parent=news)
    inside = PostFactory(title="Inside", author=author)
    inside.categories.add(local)
    inside.tags.add(weather)
    PostFactory(title="Outside")
    PostFactory(title="Draft inside", author=author, status=Post.Status.DRAFT).tags.add(weather)
    return inside


@pytest.mark.parametrize("url", ["/category/news/feed/", "/tag/weather/feed/", "/author/author/feed/"])
def test_an_archive_feed_lists_that_archives_published_posts(client, author, url):
    inside = _archived(author)
    channel = xml(client, url).find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == ["Inside"]
    assert channel.findtext("link") == "http://testserver" + url.removesuffix("feed/")
    assert inside.get_absolute_url() in channel.find("item").findtext("link")


@pytest.mark.parametrize("url", ["/category/news/feed/atom/", "/tag/weather/feed/atom/", "/author/author/feed/atom/"])
def test_an_archive_has_an_atom_feed_too(client, author, url):
    _archived(author)
    assert [e.findtext(f"{ATOM}title") for e in xml(client, url).findall(f"{ATOM}entry")] == ["Inside"]


@pytest.mark.parametrize("url", ["/category/nope/feed/", "/tag/nope/feed/", "/author/nobody/feed/"])
def test_the_feed_of_an_archive_that_does_not_exist_is_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/category/news/feed/", "/tag/weather/feed/", "/author/author/feed/"])
def test_archive_feeds_make_a_constant_number_of_queries(client, author, url, django_assert_max_num_queries):
    news, weather = CategoryFactory(slug="news"), TagFactory(slug="weather")
    for _ in range(15):
        post = PostFactory(author=author)
        PostUpdateFactory(post=post)
        post.categories.add(news)
        post.tags.add(weather)
    with django_assert_max_num_queries(7):
        assert len(xml(client, url).find("channel").findall("item")) == 15


def test_the_site_comments_have_an_atom_feed(client):
    post = PostFactory(title="Story")
    CommentFactory(post=post, author_name="Ann", body_html="<p>Well said.</p>")
    feed = xml(client, "/comments/feed/atom/")
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Comment on Story by Ann"
    assert entry.find(f"{ATOM}link").get("href").startswith(f"http://testserver{post.get_absolute_url()}#comment-")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ann"
    assert "Well said." in entry.findtext(f"{ATOM}summary")


def test_a_posts_comments_have_an_atom_feed_valid_when_empty(client):
    post = PostFactory(title="Quiet")
    feed = xml(client, f"{post.get_absolute_url()}feed/atom/")
    assert feed.findtext(f"{ATOM}title") == "Comments on: Quiet"
    assert feed.findall(f"{ATOM}entry") == []
    CommentFactory(post=post)
    CommentFactory(post=PostFactory())
    assert len(xml(client, f"{post.get_absolute_url()}feed/atom/").findall(f"{ATOM}entry")) == 1
    assert client.get(f"{PostFactory(status=Post.Status.DRAFT).get_absolute_url()}feed/atom/").status_code == 404


@pytest.mark.parametrize("url", ["/comments/feed/", "/comments/feed/atom/"])
def test_comment_feeds_make_a_constant_number_of_queries(client, url, django_assert_max_num_queries):
    for _ in range(10):
        CommentFactory(post=PostFactory())
    with django_assert_max_num_queries(3):
        xml(client, url)
