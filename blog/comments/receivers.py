"""What the comments app does when a lower layer sends a signal (connected on import, from
CommentsConfig.ready): mail new posts' subscribers and stories' followers (blog), and answer accounts about a
user's comments and subscriptions (export, erasure, profile page) and about where a comment
form lives."""

from django.db.models import Q
from django.dispatch import receiver
from django.template.loader import render_to_string

from accounts.signals import comment_form_page, user_data_erase, user_data_export, user_profile_sections
from blog.comments import outbox
from blog.comments.models import Comment, Subscription
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
def export_user_data(sender, user, **kwargs) -> dict:
    """The user's comments (as written, with the details given) and subscriptions."""
    return {
        "comments": [
            {"id": c.pk, "post": c.post.get_absolute_url(), "status": c.status, "created_at": c.created_at.isoformat(),
             "author_name": c.author_name, "author_email": c.author_email, "author_url": c.author_url,
             "body": c.body}
            for c in user.comments.select_related("post").order_by("created_at")
        ],
        "subscriptions": [
            {"kind": s.kind, "email": s.email, "post": s.post.get_absolute_url() if s.post else None,
             "created_at": s.created_at.isoformat(), "confirmed_at": s.confirmed_at and s.confirmed_at.isoformat(),
             "unsubscribed_at": s.unsubscribed_at and s.unsubscribed_at.isoformat()}
            for s in user.subscriptions.select_related("post").order_by("created_at")
        ],
    }


@receiver(user_data_erase, dispatch_uid="comments.erase_user_data")
def erase_user_data(sender, user, emails, **kwargs) -> None:
    """The comments stay, so threads keep their shape, but lose every personal detail: those
    written from the account and those left as a guest with any of its addresses. The
    subscriptions of the account and of those addresses are deleted. Addresses match in any
    letter case, as subscribing and the manage page match them."""
    theirs = Comment.objects.by_commenter(user_id=user.pk)
    subscribed = Q(user=user)
    for email in emails:
        theirs |= Comment.objects.by_commenter(email=email)
        subscribed |= Q(email__iexact=email)
    theirs.update(user=None, author_name="Anonymous", author_email="", author_url="", avatar_url="", ip=None,
                  user_agent="", provider="")
    Subscription.objects.filter(subscribed).delete()


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
