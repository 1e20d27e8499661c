"""Renditions of a 24-megapixel JPEG: our pipeline (one draft-mode decode, cascaded resizes
with reducing_gap) against a plain Pillow open + resize + save of the same sizes, in the
same run. Target: ours ≤ 1.2× the plain way (it is usually well under 1×).

run() -> dict; `python -m tests.benchmarks.bench_images` prints it.
"""

import io
import os
import time


def _photo_like_jpeg(size=(6000, 4000)) -> bytes:
    """A 24 MP JPEG with gradients and noise, so the encoder and decoder do real work."""
    from PIL import Image

    w, h = size
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    im = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _plain(data: bytes, widths) -> list:
    """What one would write without thinking: open, resize, save, for every size."""
    from PIL import Image

    from media.renditions import save_params  # here: only after run() has called django.setup()

    out = []
    for width in widths:
        im = Image.open(io.BytesIO(data))
        height = round(im.height * width / im.width)
        small = im.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in ("webp", "jpeg"):
            buf = io.BytesIO()
            small.save(buf, format=fmt.upper(), **save_params(fmt))
            out.append((width, height, fmt, buf.getvalue()))
    return out


def _best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run(repeat: int = 3) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from media.renditions import RENDITION_WIDTHS, render_renditions  # needs django.setup() above

    data = _photo_like_jpeg()
    ours = render_renditions(io.BytesIO(data))
    assert sorted((w, f) for w, _, f, _ in ours) == sorted((w, f) for w, _, f, _ in _plain(data, RENDITION_WIDTHS))
    ours_s = _best_of(lambda: render_renditions(io.BytesIO(data)), repeat)
    plain_s = _best_of(lambda: _plain(data, RENDITION_WIDTHS), repeat)
    ratio = ours_s / plain_s
    return {
        "name": "image renditions (24 MP JPEG, 5 widths × WebP+JPEG)",
        "source_bytes": len(data),
        "renditions": len(ours),
        "ours_s": round(ours_s, 3),
        "plain_pillow_s": round(plain_s, 3),
        "ratio": round(ratio, 3),
        "target_ratio": 1.2,
        "ok": ratio <= 1.2,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
