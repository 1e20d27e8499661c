"""RSS 2.0 and Atom feeds of posts and comments.

Feed readers show an item's HTML out of the site's context, so the full content (body and
dated updates, after the featured image) goes in with every relative link and image made
absolute (media.html.absolute_media_urls, src/href/srcset)."""

import copy

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed

from blog import selectors
from blog.models import Category, Tag
from media.html import absolute_media_urls, og_image


def site_base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/") if request else settings.SITE_URL


class PerRequestBase:
    """Feeds whose HTML gets absolute URLs against the requested host (SITE_URL without a
    request). One Feed instance serves every request (threads too): the per-request base
    goes on a copy, never on the shared instance."""

    _base = ""

    def __call__(self, request, *args, **kwargs):
        feed = copy.copy(self)
        feed._base = site_base(request)
        return super(PerRequestBase, feed).__call__(request, *args, **kwargs)

    def absolute(self, html: str) -> str:
        return absolute_media_urls(html, base=self._base or None)

    def absolute_url(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return (self._base or settings.SITE_URL) + url


class ContentRss(Rss201rev2Feed):
    """RSS with the full HTML in <content:encoded> as well as <description>."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class ContentAtom(Atom1Feed):
    """Atom with the full HTML in <content type="html">."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class PostsRss(PerRequestBase, Feed):
    feed_type = ContentRss
    link = "/"
    description = "Latest posts"

    def title(self):
        return settings.SITE_NAME

    def items(self):
        return selectors.public_posts().prefetch_related("updates")[:20]

    def item_title(self, item):
        return item.title

    def _full_html(self, item) -> str:
        html = render_to_string("blog/_feed_content.html", {"post": item, "updates": item.updates.all()})
        return self.absolute(html)

    def item_description(self, item):
        return self._full_html(item)

    def item_extra_kwargs(self, item):
        return {"content": self._full_html(item)}

    def item_enclosures(self, item):
        """The featured image as the item's one enclosure (feed readers show it as the
        item's picture): the og:image rendition, absolute against this request's host."""
        shared = og_image(item.featured_image)
        if shared is None:
            return []
        try:
            length = shared.file.size
        except OSError:  # the file is gone: no enclosure rather than a broken one
            return []
        return [Enclosure(self.absolute_url(shared.file.url), str(length), shared.mime_type)]

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.modified_at, item.published_at)

    def item_author_name(self, item):
        return str(item.author)

    def item_categories(self, item):
        return [c.name for c in item.categories.all()] + [t.name for t in item.tags.all()]


class PostsAtom(PostsRss):
    feed_type = ContentAtom
    subtitle = PostsRss.description

    def item_description(self, item):
        return item.excerpt or None


class ArchiveFeed:
    """An archive's feed (`/category/<slug>/feed/`, `/tag/<slug>/feed/`,
    `/author/<username>/feed/`, each with `atom/`): the archive's 20 newest posts, with the
    same items as the site's feed. Mixed in before PostsRss or PostsAtom."""

    def get_object(self, request, **kwargs):
        raise NotImplementedError

    def posts(self, obj):
        raise NotImplementedError

    def items(self, obj):
        return self.posts(obj).prefetch_related("updates")[:20]

    def title(self, obj):
        return f"{settings.SITE_NAME} » {obj}"

    def link(self, obj):
        return obj.get_absolute_url()


class CategoryFeed(ArchiveFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def posts(self, obj):
        return selectors.category_posts(obj)


class TagFeed(ArchiveFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def posts(self, obj):
        return selectors.public_posts().filter(tags=obj)


class AuthorFeed(ArchiveFeed):
    def get_object(self, request, username):
        return get_object_or_404(get_user_model(), username=username)

    def posts(self, obj):
        return selectors.public_posts().filter(author=obj)

    def link(self, obj):
        return f"/author/{obj.username}/"


class CategoryRss(CategoryFeed, PostsRss):
    pass


class CategoryAtom(CategoryFeed, PostsAtom):
    pass


class TagRss(TagFeed, PostsRss):
    pass


class TagAtom(TagFeed, PostsAtom):
    pass


class AuthorRss(AuthorFeed, PostsRss):
    pass


class AuthorAtom(AuthorFeed, PostsAtom):
    pass
