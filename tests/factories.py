"""factory_boy factories for every model the tests build."""

import io
from datetime import timedelta

import factory
from django.utils import timezone
from PIL import Image

from accounts.models import User
from blog.comments import tree
from blog.comments.models import Comment
from blog.models import Category, Post, PostUpdate, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    author = factory.SubFactory(UserFactory)
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    body = "A paragraph of text.\n\n> A quote.\n"


class PageFactory(PostFactory):
    kind = Post.Kind.PAGE
    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")


class PostUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostUpdate

    post = factory.SubFactory(PostFactory)
    body = "Something new happened."


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment saved directly (bypassing the submit service); path/thread computed here."""

    class Meta:
        model = Comment
        skip_postgeneration_save = True  # _tree saves its fields with one UPDATE

    post = factory.SubFactory(PostFactory)
    parent = None
    status = Comment.Status.APPROVED
    checked_at = factory.LazyFunction(timezone.now)
    body = factory.Sequence(lambda n: f"Comment text {n}")
    body_html = factory.LazyAttribute(lambda c: f"<p>{c.body}</p>")
    author_name = factory.Sequence(lambda n: f"Commenter {n}")
    author_email = factory.LazyAttribute(lambda c: f"{c.author_name.lower().replace(' ', '.')}@example.com")

    @factory.post_generation
    def _tree(obj, create, extracted, **kwargs):
        if not create:
            return
        tree.place(obj, obj.parent)
        Comment.objects.filter(pk=obj.pk).update(parent=obj.parent, depth=obj.depth, thread_id=obj.thread_id, path=obj.path)


def jpeg(size=(300, 200)) -> bytes:
    """A real JPEG with EXIF (a camera model, orientation 6 = rotated 90°): a provider's picture."""
    out = io.BytesIO()
    info = Image.Exif()
    info[0x0110] = "Secret Camera 3000"  # Model
    info[0x0112] = 6  # Orientation
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG", exif=info.tobytes())
    return out.getvalue()
