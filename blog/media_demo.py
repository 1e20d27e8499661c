"""Demo pictures for `seed_demo`: three images drawn with Pillow (no download), so the demo
post can show `[gallery ids="1,2,3"]` on a fresh machine. Idempotent."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageDraw

from blog.images import image_create, renditions_make
from blog.models import Image

DEMO_IMAGES = [
    ("River at dawn, water over the quay", "The quay at 6 a.m.", (34, 85, 136), (180, 200, 220)),
    ("Closed bridge with barriers", "The east bridge, closed overnight", (90, 90, 90), (230, 170, 60)),
    ("Volunteers filling sandbags", "Volunteers by the lock", (60, 110, 60), (220, 210, 170)),
]


def _drawing(top, bottom, size=(1600, 1000)) -> bytes:
    im = PILImage.new("RGB", size, bottom)
    draw = ImageDraw.Draw(im)
    for y in range(size[1] // 2):
        t = y / (size[1] / 2)
        draw.line([(0, y), (size[0], y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    draw.polygon([(0, size[1]), (size[0] // 3, size[1] // 2), (size[0] // 2, size[1])], fill=top)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def demo_images_ensure() -> list[int]:
    """The pks of the demo images, created (with renditions, made here: the worker may not
    be running yet) the first time."""
    pks = []
    for alt, caption, top, bottom in DEMO_IMAGES:
        image = Image.objects.filter(alt=alt).first()
        if image is None:
            upload = SimpleUploadedFile(f"{alt.split(',')[0].lower().replace(' ', '-')}.jpg", _drawing(top, bottom))
            image = image_create(upload=upload, alt=alt, caption=caption, credit="Dispatch demo")
            renditions_make(image=image)
        pks.append(image.pk)
    return pks
