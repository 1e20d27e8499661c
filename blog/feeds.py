"""RSS 2.0 and Atom feeds of posts and comments."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from blog import selectors
from blog.models import Comment, Post


class PostsRss(Feed):
    title = "Dispatch"
    link = "/"
    description = "Latest posts"

    def items(self):
        return selectors.public_posts()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_author_name(self, item):
        return str(item.author)


class PostsAtom(PostsRss):
    feed_type = Atom1Feed
    subtitle = PostsRss.description


class CommentsRss(Feed):
    title = "Comments on Dispatch"
    link = "/"
    description = "Latest comments"

    def items(self):
        return (
            Comment.objects.approved().filter(post__in=selectors.public_posts())
            .select_related("post").order_by("-created_at")[:30]
        )

    def item_title(self, item):
        return f"Comment on {item.post.title} by {item.author_name}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at


class PostCommentsRss(CommentsRss):
    def get_object(self, request, year, month, day, slug):
        return get_object_or_404(selectors.public_posts(), slug=slug)

    def title(self, obj):
        return f"Comments on: {obj.title}"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return Comment.objects.approved().filter(post=obj).select_related("post").order_by("-created_at")[:50]


__all__ = ["CommentsRss", "PostCommentsRss", "PostsAtom", "PostsRss", "Post"]
