"""media.renditions: WebP and JPEG/PNG copies at each smaller width, replaced safely."""

from PIL import Image as PILImage

from media import html as media_html
from media import renditions, services
from media.models import Rendition
from tests.media_files import image_bytes, upload


def test_renditions_are_webp_and_jpeg_for_each_smaller_width_never_upscaled(photo):
    made = renditions.renditions_make(image=photo)
    assert sorted({(r.width, r.format) for r in made}) == [
        (320, "jpeg"), (320, "webp"), (640, "jpeg"), (640, "webp"), (960, "jpeg"), (960, "webp"),
    ]
    by_key = {(r.width, r.format): r for r in made}
    assert by_key[(640, "jpeg")].height == 320
    assert PILImage.open(by_key[(640, "webp")].file).format == "WEBP"
    assert PILImage.open(by_key[(960, "jpeg")].file).size == (960, 480)


def test_a_png_with_transparency_gets_png_fallbacks(db):
    image = services.image_create(upload=upload(image_bytes((700, 100), "PNG", color=(0, 0, 0, 0), mode="RGBA"),
                                              "logo.png"), alt="Logo")
    made = renditions.renditions_make(image=image)
    assert {r.format for r in made} == {"webp", "png"}
    assert PILImage.open(made[-1].file).mode == "RGBA"


def test_making_renditions_twice_replaces_the_first_set(photo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = renditions.renditions_make(image=photo)
        renditions.renditions_make(image=photo)
    assert Rendition.objects.filter(image=photo).count() == len(first)
    storage = photo.file.storage
    assert not any(storage.exists(r.file.name) for r in first if r.file.name not in
                   set(Rendition.objects.values_list("file", flat=True)))


def test_a_one_pixel_image_gets_no_renditions_and_is_served_as_is(db):
    image = services.image_create(upload=upload(image_bytes((1, 1), "PNG"), "dot.png"), alt="Dot")
    assert renditions.renditions_make(image=image) == []
    html = media_html.picture_html(image)
    assert "<picture>" not in html and f'src="{image.file.url}"' in html
