import io
import os

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from media import html as media_html
from media import renditions, services, validation
from media.models import Image, Rendition
from tests.media_files import (
    SVG_WITH_SCRIPT,
    exif_rotated_jpeg_with_gps,
    gif_html_polyglot,
    huge_png,
    image_bytes,
    truncated_jpeg,
    upload,
)


def _code(data: bytes, name="photo.jpg") -> str:
    with pytest.raises(ValidationError) as caught:
        validation.validate_image_file(upload(data, name))
    return caught.value.code


# --- Validation ---------------------------------------------------------------------------


def test_it_accepts_a_real_jpeg_and_reports_its_size():
    clean = validation.validate_image_file(upload(image_bytes((800, 600))))
    assert (clean.width, clean.height, clean.format) == (800, 600, "JPEG")
    assert clean.content.name == "photo.jpg"


def test_it_refuses_an_svg_with_script_whatever_its_name():
    assert _code(SVG_WITH_SCRIPT, "drawing.svg") == "svg"
    assert _code(SVG_WITH_SCRIPT, "innocent.png") == "svg"


def test_it_refuses_a_decompression_bomb_even_when_our_pixel_limit_allows_it(settings):
    # 10000×10000 = 100 MP: above Pillow's 89.5 MP warning, below its 179 MP error.
    settings.IMAGE_MAX_PIXELS = 10**9
    data = huge_png(10_000, 10_000)
    assert len(data) < 100_000
    with pytest.raises(ValidationError, match="too many pixels"):
        validation.validate_image_file(upload(data, "bomb.png"))


def test_it_refuses_a_20000_by_20000_image():
    assert _code(huge_png(20_000, 20_000), "huge.png") == "too_many_pixels"


def test_it_refuses_an_image_above_the_configured_pixel_limit(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError, match=r"101×100 pixels; the limit is 0 megapixels"):
        validation.validate_image_file(upload(image_bytes((101, 100))))


def test_it_refuses_a_file_above_the_byte_limit_before_opening_it(settings):
    settings.IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is 1 KB"):
        validation.validate_image_file(upload(image_bytes((200, 200)) + b"\0" * 2000))


def test_it_refuses_a_truncated_jpeg():
    assert _code(truncated_jpeg()) == "corrupt"


def test_it_refuses_bytes_that_are_no_image():
    assert _code(os.urandom(4096)) == "not_an_image"
    assert _code(b"<html><body>hello</body></html>", "page.gif") == "not_an_image"


def test_it_refuses_a_format_outside_the_list_even_if_pillow_reads_it():
    assert _code(image_bytes((20, 20), "BMP"), "old.jpg") == "not_an_image"


def test_it_accepts_a_one_pixel_image():
    clean = validation.validate_image_file(upload(image_bytes((1, 1), "PNG"), "dot.png"))
    assert (clean.width, clean.height) == (1, 1)


def test_a_jpg_that_is_really_a_png_is_stored_as_a_png():
    clean = validation.validate_image_file(upload(image_bytes((30, 20), "PNG"), "holiday.jpg"))
    assert clean.format == "PNG"
    assert clean.content.name == "holiday.png"
    assert clean.content.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_gif_html_polyglot_is_re_encoded_without_its_script():
    data = gif_html_polyglot()
    assert b"<script>" in data and PILImage.open(io.BytesIO(data)).format == "GIF"
    clean = validation.validate_image_file(upload(data, "funny.gif"))
    stored = clean.content.read()
    assert clean.format == "GIF"
    assert b"<script" not in stored and b"<html" not in stored


def test_an_exif_rotated_photo_is_stored_upright_without_gps_or_exif():
    source = exif_rotated_jpeg_with_gps((400, 200))
    assert PILImage.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture carries GPS
    clean = validation.validate_image_file(upload(source))
    assert (clean.width, clean.height) == (200, 400)
    stored = PILImage.open(clean.content)
    assert stored.size == (200, 400)
    assert not stored.getexif()
    assert b"GPS" not in clean.content.read() and b"TestCam" not in clean.content.read()
    # Orientation 6 turns the left (red) half to the top.
    top, bottom = stored.convert("RGB").getpixel((100, 20)), stored.convert("RGB").getpixel((100, 380))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


# --- Services and renditions ------------------------------------------------------------


@pytest.fixture
def photo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return services.image_create(upload=upload(image_bytes((1000, 500))), alt="A red field", caption="Harvest",
                                   credit="Ana")


def test_creating_an_image_stores_it_under_the_dated_folder_and_queues_renditions(
        db, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        image = services.image_create(upload=upload(image_bytes((700, 300))), alt="Field")
    assert image.file.name.startswith("blog/images/")
    assert (image.width, image.height) == (700, 300)
    assert queued == [("media.tasks.make_renditions", (image.pk,))]


def test_a_refused_upload_saves_nothing(db):
    with pytest.raises(ValidationError):
        services.image_create(upload=upload(truncated_jpeg()), alt="Broken")
    assert not Image.objects.exists()


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


def test_deleting_an_image_deletes_its_files(photo, django_capture_on_commit_callbacks):
    made = renditions.renditions_make(image=photo)
    names = [photo.file.name] + [r.file.name for r in made]
    storage = photo.file.storage
    assert all(storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=photo)
    assert not any(storage.exists(n) for n in names)
    assert not Rendition.objects.exists()


# --- HTML ---------------------------------------------------------------------------------


def test_the_picture_has_webp_sources_a_fallback_srcset_and_no_layout_shift(photo):
    renditions.renditions_make(image=photo)
    photo = Image.objects.prefetch_related("renditions").get(pk=photo.pk)
    html = media_html.picture_html(photo)
    assert html.startswith('<picture><source type="image/webp" srcset="')
    assert "-320w.webp 320w" in html and "-960w.jpg 960w" in html
    assert 'width="1000" height="500"' in html
    assert 'loading="lazy"' in html and 'decoding="async"' in html
    assert 'alt="A red field"' in html and 'sizes="' in html


def test_the_first_image_is_not_lazy(photo):
    assert 'loading="lazy"' not in media_html.picture_html(photo, lazy=False)


def test_until_renditions_exist_the_original_is_served(photo):
    html = media_html.picture_html(photo)
    assert html.startswith("<img") and f'src="{photo.file.url}"' in html


def test_alt_text_is_escaped(db):
    image = services.image_create(upload=upload(image_bytes((10, 10))), alt='"><script>x</script>')
    assert "<script>" not in media_html.picture_html(image)


def test_og_image_is_an_absolute_url_of_a_large_jpeg_rendition(photo, settings):
    settings.SITE_URL = "https://news.example"
    assert media_html.og_image_url(photo) == f"https://news.example{photo.file.url}"
    renditions.renditions_make(image=photo)
    photo = Image.objects.get(pk=photo.pk)
    url = media_html.og_image_url(photo)
    assert url.startswith("https://news.example/media/") and url.endswith("-960w.jpg")
    assert media_html.og_image_url(None) == ""


def test_absolute_image_urls_use_the_request_host_when_given(photo, rf, settings):
    settings.ALLOWED_HOSTS = ["blog.example"]
    request = rf.get("/", HTTP_HOST="blog.example")
    assert media_html.absolute_image_url(photo, request) == f"http://blog.example{photo.file.url}"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_with_gps_is_stripped_from_png_and_webp_too(fmt):
    exif = PILImage.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    data = image_bytes((40, 30), fmt, exif=exif.tobytes())
    assert PILImage.open(io.BytesIO(data)).getexif().get(0x010F) == "TestCam"
    stored = validation.validate_image_file(upload(data, f"x.{fmt.lower()}")).content.read()
    assert not PILImage.open(io.BytesIO(stored)).getexif() and b"TestCam" not in stored


def test_an_animated_gif_stays_animated():
    frames = [PILImage.new("RGB", (20, 20), color) for color in ("red", "green", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0,
                   comment=b"<script>x</script>")
    assert PILImage.open(io.BytesIO(buf.getvalue())).n_frames == 3
    clean = validation.validate_image_file(upload(buf.getvalue(), "loop.gif"))
    stored = PILImage.open(clean.content)
    assert stored.n_frames == 3 and b"<script" not in clean.content.open().read()


@pytest.mark.skipif("AVIF" not in validation.ACCEPTED_FORMATS, reason="this Pillow cannot read AVIF")
def test_avif_is_accepted_when_pillow_reads_it():
    clean = validation.validate_image_file(upload(image_bytes((64, 48), "AVIF"), "modern.avif"))
    assert (clean.format, clean.width, clean.content.name) == ("AVIF", 64, "modern.avif")


def test_feeds_get_absolute_image_urls_in_the_body(photo, settings):
    renditions.renditions_make(image=photo)
    photo = Image.objects.get(pk=photo.pk)
    html = media_html.figure_html(photo) + '<a href="https://elsewhere.example/x">x</a><a href="//cdn.example/y">y</a>'
    out = media_html.absolute_media_urls(html, base="https://news.example/")
    assert f'src="https://news.example{photo.file.url}"' in out
    assert out.count("https://news.example/media/") == 1 + 3 + 4  # src, 3 webp, 3 jpeg + original in srcset
    assert 'href="https://elsewhere.example/x"' in out and 'href="//cdn.example/y"' in out
    assert media_html.absolute_media_urls('<img src="/media/a.jpg">') == f'<img src="{settings.SITE_URL}/media/a.jpg">'


def test_og_image_gives_the_renditions_size_and_type_or_the_originals(photo):
    shared = media_html.og_image(photo)
    assert (shared.width, shared.height, shared.mime_type, shared.alt) == (1000, 500, "image/jpeg", "A red field")
    renditions.renditions_make(image=photo)
    shared = media_html.og_image(Image.objects.get(pk=photo.pk))
    assert (shared.width, shared.height, shared.mime_type) == (960, 480, "image/jpeg")
    assert shared.url.endswith("-960w.jpg")
    assert media_html.og_image(None) is None and media_html.og_image(Image(alt="no file")) is None


def test_og_image_of_a_transparent_png_is_a_png_rendition(db):
    png = services.image_create(upload=upload(image_bytes((1400, 700), "PNG", color=(0, 0, 0, 0), mode="RGBA"),
                                            "logo.png", "image/png"), alt="Logo")
    assert media_html.og_image(png).mime_type == "image/png"
    renditions.renditions_make(image=png)
    shared = media_html.og_image(Image.objects.get(pk=png.pk))
    assert (shared.width, shared.mime_type) == (1280, "image/png")


def test_a_thumbnail_is_lazy_and_sized_for_the_list_from_small_renditions(photo):
    html = media_html.thumbnail_html(photo)
    assert html.startswith("<img") and f'src="{photo.file.url}"' in html  # the original until renditions exist
    assert 'width="320" height="160"' in html and 'loading="lazy"' in html
    renditions.renditions_make(image=photo)
    html = media_html.thumbnail_html(Image.objects.get(pk=photo.pk))
    assert html.startswith('<picture class="thumbnail"><source type="image/webp"')
    assert "-960w." not in html and html.count("-640w.") == 2  # webp and jpeg srcsets
    assert html.count("-320w.") == 3  # the same, and the jpeg as src
    assert 'width="320" height="160"' in html and 'loading="lazy"' in html


def test_a_thumbnail_of_a_small_image_is_never_wider_than_the_image(db):
    tiny = services.image_create(upload=upload(image_bytes((100, 50))), alt="Tiny")
    assert 'width="100" height="50"' in media_html.thumbnail_html(tiny)


def test_a_featured_figure_carries_its_class_and_caption(photo):
    html = media_html.figure_html(photo, lazy=False, css_class="featured-image")
    assert html.startswith('<figure class="wp-caption featured-image">') and "Harvest" in html
    assert 'loading="lazy"' not in html
