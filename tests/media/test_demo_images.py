"""blog.demo's images go through the media upload pipeline (validation, renditions), once."""

import pytest

from blog.demo import demo_images
from media.models import Image, Rendition

pytestmark = pytest.mark.django_db


def test_demo_images_are_made_once_through_the_upload_pipeline_with_renditions(author):
    first = [image.pk for image in demo_images(author)]
    assert [image.pk for image in demo_images(author)] == first
    assert Image.objects.count() == 3
    # 1200 px wide sources: 320/640/960 (never upscaled to 1280+), WebP + JPEG each
    assert Rendition.objects.filter(image_id__in=first).count() == 3 * 2 * 3
