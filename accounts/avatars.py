"""Commenter avatars without a third-party request.

By default an avatar is a small symmetric SVG identicon drawn from a keyed hash of the
e-mail (or the name when there is none), served by our own cacheable endpoint
`/accounts/avatars/<hash>.svg` (`identicon_url`): the page carries a ~60-byte URL per
comment instead of a 1.3 KB data: URI, the browser fetches each distinct identicon once
and keeps it for a year, and the URL names only the hash, never the address. A picture
a provider gave us is shown only once it is stored on our own origin (MEDIA_URL: see
accounts.pictures); Gravatar is used only when settings.GRAVATAR_ENABLED says the site
accepts that request.
"""

import hashlib
import hmac
import re
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse

SIZE = 5  # cells per side; the left half is mirrored onto the right
HASH_CHARS = 16  # hex characters of the keyed digest in an identicon URL (64 bits)
HASH_RE = re.compile(rf"^[0-9a-f]{{{HASH_CHARS}}}$")


def _digest(key: str) -> bytes:
    """Keyed with SECRET_KEY: an unkeyed hash of an e-mail would let anyone confirm a
    guessed address by drawing its identicon."""
    return hmac.new(settings.SECRET_KEY.encode(), key.strip().lower().encode(), hashlib.sha256).digest()


def identicon_hash(key: str) -> str:
    """The public name of `key`'s identicon: the first bytes of its keyed digest, in hex."""
    return _digest(key).hex()[:HASH_CHARS]


@lru_cache(maxsize=4096)
def identicon_svg_for_hash(hex_hash: str) -> str:
    """A deterministic 5×5 mirrored identicon drawn from an identicon hash, as SVG markup."""
    digest = bytes.fromhex(hex_hash)
    hue = int.from_bytes(digest[:2], "big") % 360
    cells = []
    bits = int.from_bytes(digest[2:6], "big")
    for row in range(SIZE):
        for col in range((SIZE + 1) // 2):
            if bits & 1:
                cells.append((col, row))
                if col != SIZE - 1 - col:
                    cells.append((SIZE - 1 - col, row))
            bits >>= 1
    rects = "".join(f'<rect x="{x}" y="{y}" width="1" height="1"/>' for x, y in sorted(cells))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6">'
        f'<rect x="-0.5" y="-0.5" width="6" height="6" fill="hsl({hue},30%,92%)"/>'
        f'<g fill="hsl({hue},55%,40%)">{rects}</g></svg>'
    )


def identicon_svg(key: str) -> str:
    """The identicon of `key` (an e-mail, or a name), as SVG markup."""
    return identicon_svg_for_hash(identicon_hash(key))


@lru_cache(maxsize=8)
def _identicon_url_pattern(script_prefix: str) -> str:
    return reverse("accounts:identicon", args=["0" * HASH_CHARS]).replace("0" * HASH_CHARS, "{}")


@lru_cache(maxsize=8192)
def _cached_hash(key: str, secret: str) -> str:
    return identicon_hash(key)


def identicon_url(key: str) -> str:
    """Our own URL of `key`'s identicon (hash cached per key and secret: a thousand
    comments by a hundred readers compute a hundred HMACs)."""
    return _identicon_url_pattern(get_script_prefix()).format(_cached_hash(key.strip().lower(), settings.SECRET_KEY))


def gravatar_url(email: str, *, size: int = 48) -> str:
    """Gravatar's URL for `email`: its protocol names the address by an unkeyed MD5, which
    is why it is used only when settings.GRAVATAR_ENABLED says the site accepts that."""
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?" + urlencode({"s": size, "d": "identicon"})


def is_local_picture(url: str) -> bool:
    """A picture stored on our origin (under MEDIA_URL), never a provider's own URL."""
    return bool(url) and url.startswith(settings.MEDIA_URL) and not url.startswith("//")


def avatar_for(*, email: str, name: str, picture: str = "", size: int = 48) -> str:
    """The image URL to show for a commenter: their provider picture once stored on our
    origin, else Gravatar if enabled, else the local identicon. The e-mail itself never
    reaches the page (only a keyed hash)."""
    if is_local_picture(picture):
        return picture
    if email and settings.GRAVATAR_ENABLED:
        return gravatar_url(email, size=size)
    return identicon_url(email or name or "anonymous")
