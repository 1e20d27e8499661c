"""regenerate_renditions: remakes renditions in this process, reports the images it could
not read, and has the bodies that show them rendered again."""

import io

import pytest
from django.core.management import call_command

from media.models import Image, Rendition
from media.services import image_create
from tests.factories import PostFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db


def _image(alt: str, size=(700, 300)) -> Image:
    return image_create(upload=upload(image_bytes(size)), alt=alt)


def test_it_makes_renditions_for_every_image_and_refreshes_galleries(author):
    a, b = _image("a"), _image("b", size=(300, 300))
    post = PostFactory(author=author, body=f'[gallery ids="{a.pk},{b.pk}"]')
    out = io.StringIO()
    call_command("regenerate_renditions", stdout=out, stderr=io.StringIO())
    assert "4 renditions made, 0 images failed." in out.getvalue()
    assert Rendition.objects.filter(image=a).count() == 4 and not Rendition.objects.filter(image=b).exists()
    post.refresh_from_db()
    assert post.body_html.count("<picture>") == 1


def test_it_can_limit_itself_to_images_without_renditions():
    a, b = _image("a"), _image("b")
    call_command("regenerate_renditions", "--id", str(a.pk), stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("regenerate_renditions", "--missing", stdout=out, stderr=io.StringIO())
    assert "4 renditions made" in out.getvalue()
    assert Rendition.objects.filter(image=b).count() == 4


def test_a_missing_original_is_reported_and_the_rest_carry_on():
    a, b = _image("a"), _image("b")
    a.file.storage.delete(a.file.name)
    assert b.file.storage.exists(b.file.name)
    out, err = io.StringIO(), io.StringIO()
    call_command("regenerate_renditions", stdout=out, stderr=err)
    assert f"image {a.pk}:" in err.getvalue()
    assert "4 renditions made, 1 images failed." in out.getvalue()
