"""/sitemap.xml: published posts and pages, and the categories and tags that have some."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q

from blog.models import Category, Post, Tag


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Post.objects.posts().published().order_by("-published_at")

    def lastmod(self, obj):
        return max(obj.modified_at, obj.published_at)


class PageSitemap(PostSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Post.objects.pages().published().order_by("slug")


class _TaxonomySitemap(Sitemap):
    """Only terms with at least one published post: an empty archive is not worth indexing."""

    model = None
    changefreq = "daily"
    priority = 0.3

    def items(self):
        live = Post.objects.posts().published().values("pk")
        return (
            self.model.objects.filter(posts__in=live)
            .annotate(last_post=Max("posts__modified_at", filter=Q(posts__in=live)))
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.last_post


class CategorySitemap(_TaxonomySitemap):
    model = Category


class TagSitemap(_TaxonomySitemap):
    model = Tag


SITEMAPS = {"posts": PostSitemap, "pages": PageSitemap, "categories": CategorySitemap, "tags": TagSitemap}
