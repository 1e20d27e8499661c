"""Blog models: publishing (posts, taxonomy, media, embeds) and discussion (comments,
moderation audit, subscriptions, notifications). Import from `blog.models`."""

from .comments import Comment, CommentReport, DiscussionSettings
from .media import Embed, Gallery, GalleryItem, Image, Rendition
from .moderation import ModerationEvent, SpamToken
from .posts import Category, LegacyPath, Post, PostUpdate, Tag
from .subscriptions import Notification, Subscription

__all__ = [
    "Category",
    "Comment",
    "CommentReport",
    "DiscussionSettings",
    "Embed",
    "Gallery",
    "GalleryItem",
    "Image",
    "LegacyPath",
    "ModerationEvent",
    "Notification",
    "Post",
    "PostUpdate",
    "Rendition",
    "SpamToken",
    "Subscription",
    "Tag",
]
