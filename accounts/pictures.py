"""Provider profile pictures, stored on our own origin.

A social login gives us the URL of the reader's picture on the provider's servers. Showing
that URL would make every reader's browser ask Google, X or Facebook for it (and tell them
who reads what), so the page never does: the worker (accounts.tasks.store_picture) fetches
the picture once, over https and only from the providers' image hosts (ALLOWED_HOSTS, the
one list of them), at most MAX_BYTES, decodes it with Pillow and writes a fresh square
SIZE-pixel WebP (no EXIF, no colour profile, nothing of the original file but its pixels)
under MEDIA_ROOT/avatars/. The user's `avatar_url` then holds that local URL; until it
does, comments show the identicon (accounts.avatars.avatar_for).

The stored name is a keyed hash of the provider's URL: the same picture is fetched once, a
new picture gets a new name (browsers cache avatars for long), and the name reveals
neither the account nor the provider's URL.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from accounts.signals import user_picture_stored

logger = logging.getLogger(__name__)

# The providers' image hosts (Google, X, Facebook and the CDN its picture URL redirects to).
ALLOWED_HOSTS = frozenset({
    "lh3.googleusercontent.com", "lh4.googleusercontent.com", "lh5.googleusercontent.com",
    "lh6.googleusercontent.com", "pbs.twimg.com", "platform-lookaside.fbsbx.com", "graph.facebook.com",
})
ALLOWED_SUFFIXES = (".fbcdn.net",)
MAX_BYTES = 2 * 1024 * 1024  # streamed: the download stops at the first byte over
MAX_PIXELS = 25_000_000  # decoded size: a small file that expands to gigabytes is refused
MAX_REDIRECTS = 3
TIMEOUT = (5, 10)  # seconds to connect, seconds between bytes
SIZE = 96  # pixels per side (shown at 40-48 CSS px: sharp on a 2x screen)
DIRECTORY = "avatars"


class PictureRefused(ValueError):
    """The picture is not one we store: wrong scheme or host, too big, or not an image."""


def is_allowed(url: str) -> bool:
    """https on the default port, to one of the providers' image hosts, no credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" and port in (None, 443) and not parts.username and not parts.password
            and (host in ALLOWED_HOSTS or host.endswith(ALLOWED_SUFFIXES)))


def stored_name(url: str) -> str:
    """Where the picture of `url` is kept in the default storage (a keyed hash of the URL)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"picture:" + url.encode(), hashlib.sha256).hexdigest()
    return f"{DIRECTORY}/{digest[:32]}.webp"


def local_url(url: str) -> str:
    """Our own URL for the picture of `url` (whether or not it is stored yet)."""
    return default_storage.url(stored_name(url))


def download(url: str) -> bytes:
    """The bytes at `url`, following at most MAX_REDIRECTS redirects, each to an allowed
    host. Raises PictureRefused, or requests.RequestException for a network failure."""
    for _ in range(MAX_REDIRECTS + 1):
        if not is_allowed(url):
            raise PictureRefused(f"not an allowed https picture host: {urlsplit(url).hostname!r}")
        with requests.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False) as response:
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                continue
            response.raise_for_status()
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise PictureRefused(f"picture of {declared} bytes (limit {MAX_BYTES})")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise PictureRefused(f"picture over {MAX_BYTES} bytes")
            return bytes(data)
    raise PictureRefused("too many redirects")


def reencode(data: bytes) -> bytes:
    """A fresh SIZE×SIZE WebP of the picture's pixels (upright, centre-cropped, no metadata)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_PIXELS:
                raise PictureRefused(f"picture of {im.width}×{im.height} pixels")
            im.seek(0)
            im.load()
            upright = ImageOps.exif_transpose(im) or im
            square = ImageOps.fit(upright.convert("RGBA" if "A" in upright.getbands() else "RGB"), (SIZE, SIZE),
                                  method=Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise PictureRefused(f"not a readable image: {error}") from None
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85)
    return out.getvalue()


def picture_store(*, user_id: int, url: str) -> str:
    """Fetch the picture at the provider's `url`, store it on our origin and make it the
    user's avatar; returns the local URL ("" if the user is gone or the picture refused).
    Safe to run twice: a picture already stored is not fetched again."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return ""
    target, local = stored_name(url), local_url(url)
    if not default_storage.exists(target):
        try:
            picture = reencode(download(url))
        except PictureRefused as refused:
            logger.warning("picture of user %s refused: %s", user_id, refused)
            return ""
        if not default_storage.exists(target):  # another run may have stored it meanwhile
            default_storage.save(target, ContentFile(picture))
    if User.objects.filter(pk=user_id, is_active=True).exclude(avatar_url=local).update(avatar_url=local):
        user_picture_stored.send(sender=User, user_id=user_id)  # cached threads show it now
    return local


def picture_delete(*, avatar_url: str) -> None:
    """Remove a stored picture (erasure); a provider's URL or "" is ignored."""
    prefix = default_storage.url(DIRECTORY + "/")
    if avatar_url.startswith(prefix):
        name = DIRECTORY + "/" + avatar_url[len(prefix):]
        if "/" not in name[len(DIRECTORY) + 1:] and default_storage.exists(name):
            default_storage.delete(name)
