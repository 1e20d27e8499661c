"""Embeds: a supported URL alone in its own paragraph becomes a privacy-first facade.

Finders (as Wagtail's) decide which URLs are embeddable: `accept(url)` and `find(url)`,
from an allow-list of providers; we never paste third-party HTML. The facade is our own
markup: a link to the video (so it works without JavaScript), the title if the oEmbed task
fetched it, a thumbnail only if that task stored one locally. Nothing is requested from the
provider until the reader clicks; then media/static/media/embeds.js swaps in the player
iframe described by the facade's data-* attributes, from a host the CSP frame-src allows
because its finder names it (Finder.player_origins, added to the CSP by MediaConfig.ready).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import parse_qs, quote, urlsplit

import requests
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html

from media.models import Embed
from media.signals import embed_fetched
from media.validation import validate_image_file

_ALLOW_VIDEO = "autoplay; encrypted-media; picture-in-picture; fullscreen"
_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"


@dataclass(frozen=True)
class EmbedInfo:
    """What a finder knows from the URL alone (no network)."""

    provider: str  # youtube, vimeo, ...
    label: str  # "YouTube"
    key: str  # the provider's id for the item, found in the post body to re-render it
    url: str  # canonical page URL: what the facade links to and what we hash
    player: str  # iframe src, loaded only after a click
    oembed: str = ""  # oEmbed endpoint, "" when the provider needs credentials
    shape: str = "16x9"  # 16x9, tall, audio
    allow: str = _ALLOW_VIDEO
    sandbox: str = _SANDBOX
    thumbnail_hosts: tuple[str, ...] = field(default=())

    @property
    def url_hash(self) -> str:
        return url_hash(self.url)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _split(url: str):
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    return parts._replace(netloc=parts.netloc.lower().removeprefix("www.").removeprefix("m."))


class Finder:
    """accept(url) is cheap and pure; find(url) returns the EmbedInfo or None.

    `player_origins` are the origins its players load from (the `player` URL's, and any it
    redirects to): the CSP's frame-src allows exactly the finders' origins (MediaConfig.ready),
    so a finder is the one place a provider's hosts are written."""

    player_origins: tuple[str, ...] = ()

    def accept(self, url: str) -> bool:
        return self.find(url) is not None

    def find(self, url: str) -> EmbedInfo | None:  # pragma: no cover - interface
        raise NotImplementedError


_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def _seconds(value: str) -> int:
    """YouTube start times: "90", "90s", "1m30s", "1h2m3s"."""
    if value.isdigit():
        return int(value)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value)
    if not match or not any(match.groups()):
        return 0
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


class YouTubeFinder(Finder):
    player_origins = ("https://www.youtube-nocookie.com",)

    def find(self, url):
        parts = _split(url)
        if not parts:
            return None
        query = parse_qs(parts.query)
        path = parts.path.strip("/").split("/")
        video = ""
        if parts.netloc == "youtu.be":
            video = path[0]
        elif parts.netloc in ("youtube.com", "youtube-nocookie.com"):
            if path == ["watch"]:
                video = (query.get("v") or [""])[0]
            elif len(path) == 2 and path[0] in ("shorts", "embed", "live", "v"):
                video = path[1]
        if not _YT_ID.match(video):
            return None
        start = _seconds((query.get("t") or query.get("start") or ["0"])[0])
        player = f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1" + (f"&start={start}" if start else "")
        return EmbedInfo(
            provider="youtube", label="YouTube", key=video, url=f"https://www.youtube.com/watch?v={video}",
            player=player, oembed="https://www.youtube.com/oembed", thumbnail_hosts=("i.ytimg.com",),
            shape="tall" if path[0] == "shorts" else "16x9",
        )


class VimeoFinder(Finder):
    player_origins = ("https://player.vimeo.com",)

    def find(self, url):
        parts = _split(url)
        if not parts or parts.netloc not in ("vimeo.com", "player.vimeo.com"):
            return None
        match = re.fullmatch(r"/(?:video/)?(\d+)/?", parts.path)
        if not match:
            return None
        video = match.group(1)
        return EmbedInfo(
            provider="vimeo", label="Vimeo", key=video, url=f"https://vimeo.com/{video}",
            player=f"https://player.vimeo.com/video/{video}?dnt=1&autoplay=1",
            oembed="https://vimeo.com/api/oembed.json", thumbnail_hosts=("i.vimeocdn.com",),
        )


class DailymotionFinder(Finder):
    # The /embed/ URL redirects to the geo.dailymotion.com player; frame-src checks both.
    player_origins = ("https://www.dailymotion.com", "https://geo.dailymotion.com")

    def find(self, url):
        parts = _split(url)
        if not parts:
            return None
        match = None
        if parts.netloc == "dailymotion.com":
            match = re.fullmatch(r"/video/([a-z0-9]+)/?", parts.path)
        elif parts.netloc == "dai.ly":
            match = re.fullmatch(r"/([a-z0-9]+)/?", parts.path)
        if not match:
            return None
        video = match.group(1)
        return EmbedInfo(
            provider="dailymotion", label="Dailymotion", key=video, url=f"https://www.dailymotion.com/video/{video}",
            player=f"https://www.dailymotion.com/embed/video/{video}?autoplay=1",
            oembed="https://www.dailymotion.com/services/oembed", thumbnail_hosts=("s1.dmcdn.net", "s2.dmcdn.net"),
        )


class TwitterFinder(Finder):
    """An X/Twitter post. Its player needs popups and top navigation: no sandbox."""

    player_origins = ("https://platform.twitter.com",)

    def find(self, url):
        parts = _split(url)
        if not parts or parts.netloc not in ("twitter.com", "x.com", "mobile.twitter.com"):
            return None
        match = re.fullmatch(r"/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d+)/?", parts.path)
        if not match:
            return None
        user, status = match.groups()
        return EmbedInfo(
            provider="twitter", label="X", key=status, url=f"https://twitter.com/{user}/status/{status}",
            player=f"https://platform.twitter.com/embed/Tweet.html?id={status}&dnt=true",
            oembed="https://publish.twitter.com/oembed", shape="tall", allow="", sandbox="",
        )


class FacebookVideoFinder(Finder):
    """A Facebook video. Its oEmbed needs an app token, so the facade uses the URL alone."""

    player_origins = ("https://www.facebook.com",)

    def find(self, url):
        parts = _split(url)
        if not parts:
            return None
        key = ""
        if parts.netloc == "facebook.com":
            match = re.fullmatch(r"/[\w.-]+/videos/(?:[\w.-]+/)?(\d+)/?", parts.path)
            if match:
                key = match.group(1)
            elif parts.path.rstrip("/") == "/watch":
                key = (parse_qs(parts.query).get("v") or [""])[0]
        elif parts.netloc == "fb.watch":
            key = parts.path.strip("/")
        if not re.fullmatch(r"[\w-]{3,40}", key or ""):
            return None
        page = url.strip() if parts.netloc != "facebook.com" or "/videos/" in parts.path else \
            f"https://www.facebook.com/watch/?v={key}"
        return EmbedInfo(
            provider="facebook", label="Facebook", key=key, url=page,
            player=f"https://www.facebook.com/plugins/video.php?href={quote(page, safe='')}&show_text=false&autoplay=1",
            sandbox="",
        )


class SoundCloudFinder(Finder):
    player_origins = ("https://w.soundcloud.com",)

    def find(self, url):
        parts = _split(url)
        if not parts or parts.netloc != "soundcloud.com":
            return None
        match = re.fullmatch(r"/([\w-]+)/(sets/)?([\w-]+)/?", parts.path)
        if not match:
            return None
        page = f"https://soundcloud.com{parts.path.rstrip('/')}"
        return EmbedInfo(
            provider="soundcloud", label="SoundCloud", key=parts.path.strip("/"), url=page,
            player=f"https://w.soundcloud.com/player/?url={quote(page, safe='')}&auto_play=true",
            oembed="https://soundcloud.com/oembed", shape="audio", allow="autoplay",
            thumbnail_hosts=("i1.sndcdn.com",),
        )


FINDERS: list[Finder] = [
    YouTubeFinder(), VimeoFinder(), DailymotionFinder(), TwitterFinder(), FacebookVideoFinder(), SoundCloudFinder(),
]


def player_origins() -> list[str]:
    """Every finder's player origins, in finder order, each once: the CSP frame-src."""
    return list(dict.fromkeys(origin for finder in FINDERS for origin in finder.player_origins))


def find_embed(url: str) -> EmbedInfo | None:
    """The first finder that accepts `url`, or None (the URL stays a plain link)."""
    for finder in FINDERS:
        info = finder.find(url)
        if info:
            return info
    return None


# A paragraph holding only a URL: linkified (<a href=URL>URL</a>) or bare.
_ALONE = re.compile(
    r'<p>\s*(?:<a href="(?P<href>[^"]+)"[^>]*>(?P<text>[^<]+)</a>|(?P<bare>https?://[^\s<]+))\s*</p>'
)


def _candidate(match: re.Match) -> str | None:
    if match.group("bare"):
        return html.unescape(match.group("bare"))
    href, text = html.unescape(match.group("href")), html.unescape(match.group("text")).strip()
    # Only a link whose text is its own URL ("pasted alone"), not a link with words.
    if text.split("://")[-1].removeprefix("www.").rstrip("/") != href.split("://")[-1].removeprefix("www.").rstrip("/"):
        return None
    return href


def facade_html(info: EmbedInfo, embed=None) -> str:
    """Our markup for one embed. `embed` is the cached Embed row, if the task fetched it."""
    title = (embed.title if embed else "") or f"Watch on {info.label}"
    thumb = ""
    if embed is not None and embed.thumbnail:
        thumb = format_html('<img class="embed-thumb" src="{}" alt="" loading="lazy" decoding="async">',
                            embed.thumbnail.url)
    return format_html(
        '<figure class="embed embed-{} embed-{}" data-embed-src="{}" data-embed-title="{}" data-embed-allow="{}"'
        ' data-embed-sandbox="{}"><a class="embed-facade" href="{}" rel="noopener">{}'
        '<span class="embed-play" aria-hidden="true"></span><span class="embed-title">{}</span>'
        '<span class="embed-provider">{} · {}</span></a></figure>',
        info.provider, info.shape, info.player, title, info.allow, info.sandbox, info.url, thumb,
        title, info.label, "plays after you click" if info.provider != "twitter" else "loads after you click",
    )


def _found(html_text: str) -> list[tuple[re.Match, EmbedInfo]]:
    """Each paragraph of `html_text` that holds only an embeddable URL, with its EmbedInfo."""
    found = []
    for match in _ALONE.finditer(html_text or ""):
        url = _candidate(match)
        info = find_embed(url) if url else None
        if info:
            found.append((match, info))
    return found


def load_embeds(html_texts: Iterable[str]) -> dict[str, Embed]:
    """The cached Embed rows of every embeddable URL in `html_texts`, by URL hash: one query
    for all the texts, none when no text holds an embeddable URL. Reads only."""
    hashes = {info.url_hash for text in html_texts for _, info in _found(text)}
    return {e.url_hash: e for e in Embed.objects.filter(url_hash__in=hashes)} if hashes else {}


def expand_embeds(html_text: str, *, embeds: dict[str, Embed] | None = None) -> str:
    """Replace each paragraph that holds only a supported URL with its facade.

    Called on sanitised HTML (the facade is ours, built from an allow-listed URL). Reads
    only, because rendering must be pure (the admin preview renders too): the cached
    metadata come from `embeds` (load_embeds, for many bodies at once) or from one query
    for all the URLs of this text, and a URL with no row yet renders from the URL alone.
    Creating the rows and queueing their fetch is media.services.embeds_ensure's job, when a
    post is saved. No query at all when the HTML has no embeddable URL."""
    found = _found(html_text)
    if not found:
        return html_text
    if embeds is None:
        embeds = load_embeds([html_text])
    out, last = [], 0
    for match, info in found:
        out.append(html_text[last:match.start()])
        out.append(facade_html(info, embeds.get(info.url_hash)))
        last = match.end()
    out.append(html_text[last:])
    return "".join(out)


_FACADE_LINK = re.compile(r'<a class="embed-facade" href="([^"]+)"')


def facade_urls(html_text: str) -> list[str]:
    """The page URLs of the facades in rendered HTML (as facade_html writes them), in order:
    what a saved body embeds, for media.services.embeds_ensure."""
    return [html.unescape(url) for url in _FACADE_LINK.findall(html_text or "")]


# --- oEmbed metadata (run by the fetch_embed task) ----------------------------------------

THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
_GONE = {400, 401, 403, 404, 410}


def embed_fetch(*, url_hash: str) -> str:
    """Fetch oEmbed metadata (title, author, thumbnail) for a cached embed and store it.

    Idempotent: an embed already fetched is left alone. A provider that says the item is
    gone (4xx) is recorded and not retried; network errors and 5xx raise
    requests.RequestException so the task retries with backoff. The thumbnail is copied
    to our storage (from the provider's image host only) so readers never request it from
    the provider. Then `embed_fetched`, so the bodies that show the embed are rendered again
    with its title (blog receives it)."""
    embed = Embed.objects.filter(url_hash=url_hash).first()
    if embed is None or embed.fetched_at:
        return "skipped"
    info = find_embed(embed.url)
    if info is None or not info.oembed:
        Embed.objects.filter(pk=embed.pk).update(fetched_at=timezone.now())
        return "no-oembed"
    Embed.objects.filter(pk=embed.pk).update(attempts=F("attempts") + 1)
    response = requests.get(info.oembed, params={"url": info.url, "format": "json"}, timeout=(3, 8),
                            headers={"User-Agent": "Dispatch oEmbed"})
    if response.status_code in _GONE:
        Embed.objects.filter(pk=embed.pk).update(fetched_at=timezone.now(), data={"status": response.status_code})
        return "gone"
    response.raise_for_status()
    try:
        data = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    title = str(data.get("title") or "").strip()
    author = str(data.get("author_name") or "").strip()
    if not title and author:
        title = f"Post by {author}"
    embed.provider, embed.title, embed.author_name = info.provider, title[:500], author[:300]
    embed.data = {k: data[k] for k in ("type", "width", "height", "provider_name", "thumbnail_url") if k in data}
    embed.fetched_at = timezone.now()
    thumb = _download_thumbnail(info, str(data.get("thumbnail_url") or ""))
    if thumb is not None:
        embed.thumbnail.save(f"{info.provider}-{info.key[:40].replace('/', '-')}.{thumb.content.name.rsplit('.', 1)[-1]}",
                             thumb.content, save=False)
    embed, _ = Embed.objects.update_or_create(url_hash=url_hash, defaults={
        "url": info.url, "provider": embed.provider, "title": embed.title, "author_name": embed.author_name,
        "data": embed.data, "fetched_at": embed.fetched_at, "thumbnail": embed.thumbnail.name or "",
    })
    embed_fetched.send(sender=Embed, embed=embed)
    return "fetched"


def _download_thumbnail(info: EmbedInfo, url: str):
    """The provider's thumbnail, validated like an upload; None when absent or unusable."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in info.thumbnail_hosts:
        return None
    try:
        with requests.get(url, timeout=(3, 8), stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(THUMBNAIL_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException:
        return None
    if len(body) > THUMBNAIL_MAX_BYTES:
        return None
    try:
        return validate_image_file(BytesIO(body), name="thumbnail.jpg")
    except ValidationError:
        return None
