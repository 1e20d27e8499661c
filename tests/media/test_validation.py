"""media.validation: what an upload must be before anything is stored, and what is
stripped from it (EXIF, GPS, trailing bytes) on the way in."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from media import validation
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


def _animation(frames: int, size=(500, 500)) -> bytes:
    images = [PILImage.new("RGB", size, ("red", "blue")[i % 2]) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=50, loop=0)
    return buf.getvalue()


def test_an_animation_counts_the_pixels_of_all_its_frames_against_the_limit(settings):
    settings.IMAGE_MAX_PIXELS = 2_000_000  # each 500×500 frame is well under it; ten frames are not
    assert _code(_animation(10), "many.gif") == "too_many_pixels"


def test_an_animation_within_the_total_limit_keeps_every_frame(settings):
    settings.IMAGE_MAX_PIXELS = 2_000_000
    clean = validation.validate_image_file(upload(_animation(6), "few.gif"))
    assert PILImage.open(clean.content).n_frames == 6
