"""The real path from an upload to renditions: saved → queued after commit → a real Celery
worker process (on the configured broker) runs make_renditions → the gallery shows them."""

import pytest

from blog.models import Post
from media.models import Rendition
from media.services import image_create
from tests.factories import PostFactory, UserFactory
from tests.integration.conftest import wait_for
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_uploaded_image_gets_renditions_from_the_worker_and_its_gallery_shows_them(start_worker):
    start_worker()
    image = image_create(upload=upload(image_bytes((1000, 600))), alt="Harbour")
    post = PostFactory(author=UserFactory(), body=f'[gallery ids="{image.pk}"]')
    wait_for(lambda: Rendition.objects.filter(image=image).count() == 6, what="six renditions")
    wait_for(lambda: "<picture>" in Post.objects.get(pk=post.pk).body_html, what="the gallery to show them")
