"""Commenter avatars without a third-party request.

By default an avatar is a small symmetric SVG identicon drawn from a hash of the e-mail
(or the name when there is none) and inlined as a data: URI — the page asks nobody else
for anything (DESIGN §4), and the CSP already allows `img-src data:`. A provider's
picture wins when the commenter signed in with one; Gravatar is used only when
settings.GRAVATAR_ENABLED says the site accepts that request.
"""

import hashlib
import hmac
from functools import lru_cache
from urllib.parse import quote, urlencode

from django.conf import settings

SIZE = 5  # cells per side; the left half is mirrored onto the right


def _digest(key: str) -> bytes:
    """Keyed with SECRET_KEY: an unkeyed hash of an e-mail would let anyone confirm a
    guessed address by drawing its identicon."""
    return hmac.new(settings.SECRET_KEY.encode(), key.strip().lower().encode(), hashlib.sha256).digest()


@lru_cache(maxsize=4096)
def identicon_svg(key: str) -> str:
    """A deterministic 5×5 mirrored identicon for `key`, as SVG markup."""
    digest = _digest(key)
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


@lru_cache(maxsize=4096)
def identicon_data_uri(key: str) -> str:
    """The identicon as a data: URI for an <img src>: no request leaves the page."""
    return "data:image/svg+xml," + quote(identicon_svg(key), safe="")


def gravatar_url(email: str, *, size: int = 48) -> str:
    """Gravatar's URL for `email`: its protocol names the address by an unkeyed MD5, which
    is why it is used only when settings.GRAVATAR_ENABLED says the site accepts that."""
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?" + urlencode({"s": size, "d": "identicon"})


def avatar_for(*, email: str, name: str, picture: str = "", size: int = 48) -> str:
    """The image URL to show for a commenter: provider picture, else Gravatar if enabled,
    else the local identicon. The e-mail itself never reaches the page (only a hash)."""
    if picture:
        return picture
    if email and settings.GRAVATAR_ENABLED:
        return gravatar_url(email, size=size)
    return identicon_data_uri(email or name or "anonymous")
