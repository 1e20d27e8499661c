"""Comment feeds: the site's latest comments (`/comments/feed/`, Atom at
`/comments/feed/atom/`) and one post's (`/YYYY/MM/DD/<slug>/feed/`, `.../feed/atom/`), on
the blog's feed base (absolute URLs per request)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from blog.comments.models import Comment
from blog.feeds import PerRequestBase
from blog.models import Post


class CommentsRss(PerRequestBase, Feed):
    link = "/"
    description = "Latest comments"

    def title(self):
        return f"Comments on {settings.SITE_NAME}"

    def items(self):
        return (
            Comment.objects.approved()
            .filter(post__in=Post.objects.posts().published())
            .select_related("post")
            .order_by("-created_at")[:30]
        )

    def item_title(self, item):
        return f"Comment on {item.post.title} by {item.author_name}"

    def item_description(self, item):
        return self.absolute(item.body_html)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name


class PostCommentsRss(CommentsRss):
    """One post's comments (`/YYYY/MM/DD/<slug>/feed/`): valid and empty until there are some."""

    def get_object(self, request, year, month, day, slug):
        post = get_object_or_404(Post.objects.posts().published(), slug=slug)
        if post.get_absolute_url() != f"/{year:04d}/{month:02d}/{day:02d}/{slug}/":
            raise Post.DoesNotExist  # answered as 404 by the Feed view
        return post

    def title(self, obj):
        return f"Comments on: {obj.title}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Comments on “{obj.title}”"

    def items(self, obj):
        return Comment.objects.approved().filter(post=obj).select_related("post").order_by("-created_at")[:50]


class CommentsAtom(CommentsRss):
    feed_type = Atom1Feed
    subtitle = CommentsRss.description


class PostCommentsAtom(PostCommentsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
