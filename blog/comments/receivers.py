"""What the comments app does when a lower layer sends a signal (connected on import, from
CommentsConfig.ready): mail new posts' subscribers and stories' followers (blog), and answer accounts about a
user's comments and subscriptions (export, erasure, profile page), about where a comment
form lives, and render threads again when a commenter's picture is stored."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from accounts.signals import (
    comment_form_page,
    user_data_erase,
    user_data_export,
    user_picture_stored,
    user_profile_sections,
)
from blog.comments import outbox, privacy
from blog.comments.models import Comment
from blog.comments.services import thread_changed
from blog.models import Post
from blog.signals import post_published, post_updated


@receiver(post_published, dispatch_uid="comments.announce_new_post")
def announce_new_post(sender, post, now, **kwargs) -> None:
    """New-post subscribers get one mail per post, sent by the worker after commit."""
    outbox.on_post_published(post, now=now)


@receiver(post_updated, dispatch_uid="comments.announce_update")
def announce_update(sender, update, now, **kwargs) -> None:
    """A story's followers get one mail per dated update, sent by the worker after commit."""
    outbox.on_post_updated(update, now=now)


@receiver(user_data_export, dispatch_uid="comments.export_user_data")
def export_user_data(sender, user, emails=frozenset(), **kwargs) -> dict:
    """Everything the comments app holds for the account and its verified `emails`:
    comments, subscriptions, notifications, reports, flags (blog.comments.privacy)."""
    return privacy.commenter_export(emails=emails, user=user)


@receiver(user_picture_stored, dispatch_uid="comments.show_stored_picture")
def show_stored_picture(sender, user_id, **kwargs) -> None:
    """The threads the user commented on are rendered again, with their stored picture
    (the thread reads each account's current picture: blog.comments.threads)."""
    for post_id in Comment.objects.filter(user_id=user_id).values_list("post_id", flat=True).distinct():
        thread_changed(post_id)


@receiver(user_data_erase, dispatch_uid="comments.erase_user_data")
def erase_user_data(sender, user, emails, **kwargs) -> None:
    """Comments stay, anonymised; subscriptions, mail records and trust go; addresses match
    in any letter case (blog.comments.privacy)."""
    privacy.commenter_erase(emails=emails, user=user)


@receiver(user_profile_sections, dispatch_uid="comments.profile_sections")
def profile_sections(sender, user, request, **kwargs) -> str:
    """"Your comments" (the latest 50) and "Your subscriptions" on the reader's profile page."""
    return render_to_string("comments/_profile.html", {
        "comments": user.comments.select_related("post").order_by("-created_at")[:50],
        "subscriptions": user.subscriptions.select_related("post").order_by("-created_at"),
    }, request=request)


@receiver(comment_form_page, dispatch_uid="comments.comment_form_page")
def comment_form_page_of(sender, post_id: int, **kwargs) -> str | None:
    """The page of the post (not a page: they take no comments) whose form names `post_id`."""
    post = Post.objects.filter(pk=post_id, kind=Post.Kind.POST).first()
    return post.get_absolute_url() if post else None
