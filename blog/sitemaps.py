"""/sitemap.xml: published posts and pages."""

from django.contrib.sitemaps import Sitemap

from blog.models import Post


class PostSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().order_by("-published_at")

    def lastmod(self, obj):
        return obj.modified_at


SITEMAPS = {"posts": PostSitemap}
