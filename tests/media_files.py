"""Real image files for tests, made with Pillow (or by hand where Pillow would need too much
memory): good photos, and the bad inputs an upload must survive."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(size=(800, 600), fmt="JPEG", color=(200, 80, 40), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt, **save)
    return buf.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of any size: a few KB on disk, width×height pixels once
    decoded. Written row by row so the test never holds the decoded image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    """A real photo-like JPEG with its second half cut off."""
    im = Image.effect_noise((640, 480), 60).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def gif_html_polyglot() -> bytes:
    """A GIF that is also an HTML page: a comment extension and trailing bytes with script."""
    gif = image_bytes((16, 16), "GIF", color=3, mode="P", comment=b"<script>alert(1)</script>")
    return gif + b"<html><script>alert(document.cookie)</script></html>"


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
)


def exif_rotated_jpeg_with_gps(size=(400, 200)) -> bytes:
    """A landscape-stored photo whose EXIF says "rotate 90°" (orientation 6), with GPS tags.
    The left half is red, the right half blue, so the upright result can be checked."""
    im = Image.new("RGB", size, (255, 0, 0))
    im.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "TestCam"
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    exif[0x8825] = gps
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    return buf.getvalue()


def stored_photo(size=(1600, 900), *, alt="A photo", color=(30, 90, 160), renditions=True, **fields):
    """An Image saved through the real upload service, with its renditions made (as the
    worker would) unless `renditions=False`."""
    from media.renditions import renditions_make
    from media.services import image_create

    image = image_create(upload=upload(image_bytes(size, color=color)), alt=alt, **fields)
    if renditions:
        renditions_make(image=image)
    return image
