"""media.tasks: thin wrappers that fetch by id and call a service; when renditions arrive
the posts that show the image are rendered again (through media.signals, received by blog)."""

import pytest

from blog.models import Post
from media.models import Image
from media.services import image_create
from media.tasks import make_renditions
from tests.factories import PostFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db


def _image(alt="A boat", size=(1000, 600), **kwargs) -> Image:
    return image_create(upload=upload(image_bytes(size)), alt=alt, **kwargs)


def test_a_post_is_re_rendered_when_its_gallery_renditions_arrive(author):
    image = _image("Later")
    post = PostFactory(author=author, body=f'[gallery ids="{image.pk}"]')
    assert "<picture>" not in post.body_html
    assert make_renditions.run(image.pk) == 6
    assert "<picture>" in Post.objects.get(pk=post.pk).body_html


def test_posts_showing_other_images_are_not_re_rendered(author):
    mine, other = _image("Mine"), _image("Other")
    post = PostFactory(author=author, body=f'[gallery ids="{other.pk}"]')
    Post.objects.filter(pk=post.pk).update(body_html="untouched")
    make_renditions.run(mine.pk)
    assert Post.objects.get(pk=post.pk).body_html == "untouched"


def test_the_renditions_task_ignores_an_image_deleted_meanwhile():
    assert make_renditions.run(987654) == 0
