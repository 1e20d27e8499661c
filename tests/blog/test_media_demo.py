import pytest

from blog.media_demo import demo_images_ensure
from blog.models import Image, Rendition

pytestmark = pytest.mark.django_db


def test_demo_images_are_made_once_with_renditions():
    first = demo_images_ensure()
    assert demo_images_ensure() == first
    assert Image.objects.count() == 3
    assert Rendition.objects.filter(image_id__in=first).count() == 3 * 2 * 4  # 320..1280, below 1600 px
