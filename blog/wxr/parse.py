"""Reading a WordPress eXtended RSS (WXR 1.0-1.2) file into plain dataclasses.

No ORM here: the parser is a pure function from bytes to a `WxrDocument`, so the mapping
to models (importer.py) can be read and tested on its own. The file is streamed with
`iterparse` and each `<item>` is dropped once read, so a large export does not sit in
memory twice. The stdlib parser never fetches external entities, and expat (>= 2.4.1)
refuses "billion laughs" entity expansion, so a hostile file fails with a `WxrError`.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET  # noqa: S405 - expat refuses entity bombs; no external entities
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from django.utils import timezone


class WxrError(Exception):
    """The file is not a readable WordPress export; the message says why."""


@dataclass
class WxrAuthor:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    wp_id: int | None = None


@dataclass
class WxrTerm:
    """A category (`parent` is the parent's nicename) or a tag."""

    slug: str
    name: str
    parent: str = ""
    description: str = ""


@dataclass
class WxrComment:
    wp_id: int
    parent_wp_id: int
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: datetime.datetime
    content: str
    approved: str  # "1", "0", "spam", "trash", "post-trashed"
    type: str  # "", "comment", "pingback", "trackback"
    user_id: int


@dataclass
class WxrItem:
    wp_id: int
    post_type: str
    status: str
    title: str
    link: str
    slug: str
    content: str
    excerpt: str
    date: datetime.datetime
    creator: str
    comment_status: str
    is_sticky: bool
    parent_wp_id: int
    modified: datetime.datetime | None = None
    password: str = ""
    attachment_url: str = ""
    categories: list[str] = field(default_factory=list)  # nicenames
    tags: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WxrComment] = field(default_factory=list)


@dataclass
class WxrDocument:
    title: str = ""
    link: str = ""
    version: str = ""
    authors: list[WxrAuthor] = field(default_factory=list)
    categories: list[WxrTerm] = field(default_factory=list)
    tags: list[WxrTerm] = field(default_factory=list)
    items: list[WxrItem] = field(default_factory=list)


@lru_cache(maxsize=256)
def _name(tag: str) -> str:
    """`{https://wordpress.org/export/1.2/}post_id` -> `wp:post_id`, whatever the WXR version."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if "wordpress.org/export/" in uri:
        prefix = "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    elif "purl.org/rss/1.0/modules/content" in uri:
        prefix = "content"
    elif "purl.org/dc/elements" in uri:
        prefix = "dc"
    elif "wellformedweb.org" in uri:
        prefix = "wfw"
    else:
        prefix = uri
    return f"{prefix}:{local}"


def _fields(elem: ET.Element) -> dict[str, str]:
    """The text of each child, by prefixed name (the first one wins)."""
    out: dict[str, str] = {}
    for child in elem:
        out.setdefault(_name(child.tag), (child.text or "").strip() if len(child) == 0 else "")
    return out


def _int(value: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def parse_date(gmt: str, local: str = "") -> datetime.datetime | None:
    """WordPress writes `YYYY-MM-DD HH:MM:SS`; drafts carry `0000-00-00 00:00:00` in GMT, so
    the local date (read in the site's time zone) is the fallback."""
    for value, tz in ((gmt, datetime.UTC), (local, timezone.get_current_timezone())):
        if value and not value.startswith("0000"):
            try:
                naive = datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
            return naive.replace(tzinfo=tz)
    return None


def _author(elem: ET.Element) -> WxrAuthor:
    f = _fields(elem)
    return WxrAuthor(
        login=f.get("wp:author_login", ""), email=f.get("wp:author_email", ""),
        display_name=f.get("wp:author_display_name", ""), first_name=f.get("wp:author_first_name", ""),
        last_name=f.get("wp:author_last_name", ""), wp_id=_int(f.get("wp:author_id", "")) or None,
    )


def _comment(elem: ET.Element) -> WxrComment:
    f = _fields(elem)
    return WxrComment(
        wp_id=_int(f.get("wp:comment_id", "")), parent_wp_id=_int(f.get("wp:comment_parent", "")),
        author=f.get("wp:comment_author", ""), author_email=f.get("wp:comment_author_email", ""),
        author_url=f.get("wp:comment_author_url", ""), author_ip=f.get("wp:comment_author_IP", ""),
        date=parse_date(f.get("wp:comment_date_gmt", ""), f.get("wp:comment_date", "")) or timezone.now(),
        content=(elem.findtext(_tag(elem, "comment_content")) or ""),
        approved=f.get("wp:comment_approved", "1"), type=f.get("wp:comment_type", ""),
        user_id=_int(f.get("wp:comment_user_id", "")),
    )


def _tag(elem: ET.Element, local: str) -> str:
    """The namespaced tag of `elem`'s wp: child called `local` (namespaces differ by version)."""
    wp_uri = elem.tag[1:].split("}", 1)[0] if elem.tag.startswith("{") else ""
    return f"{{{wp_uri}}}{local}" if wp_uri else local


def _item(elem: ET.Element) -> WxrItem:
    f = _fields(elem)
    # content:encoded keeps its inner whitespace: autop depends on the blank lines.
    content = excerpt = ""
    categories: list[str] = []
    tags: list[tuple[str, str]] = []
    meta: dict[str, str] = {}
    comments: list[WxrComment] = []
    for child in elem:
        name = _name(child.tag)
        if name == "content:encoded":
            content = child.text or ""
        elif name == "excerpt:encoded":
            excerpt = (child.text or "").strip()
        elif name == "category":
            nicename = unquote(child.get("nicename", ""))
            if child.get("domain") == "category":
                categories.append(nicename)
            elif child.get("domain") == "post_tag":
                tags.append((nicename, (child.text or nicename).strip()))
        elif name == "wp:postmeta":
            mf = _fields(child)
            meta.setdefault(mf.get("wp:meta_key", ""), mf.get("wp:meta_value", ""))
        elif name == "wp:comment":
            comments.append(_comment(child))
    return WxrItem(
        wp_id=_int(f.get("wp:post_id", "")), post_type=f.get("wp:post_type", "post"),
        status=f.get("wp:status", "publish"), title=f.get("title", ""), link=f.get("link", ""),
        slug=unquote(f.get("wp:post_name", "")), content=content, excerpt=excerpt,
        date=parse_date(f.get("wp:post_date_gmt", ""), f.get("wp:post_date", "")) or timezone.now(),
        creator=f.get("dc:creator", ""), comment_status=f.get("wp:comment_status", "open"),
        is_sticky=f.get("wp:is_sticky", "0") == "1", parent_wp_id=_int(f.get("wp:post_parent", "")),
        modified=parse_date(f.get("wp:post_modified_gmt", ""), f.get("wp:post_modified", "")),
        password=f.get("wp:post_password", ""),
        attachment_url=f.get("wp:attachment_url", ""), categories=categories, tags=tags, meta=meta,
        comments=comments,
    )


def parse_wxr(source: str | Path | IO[bytes]) -> WxrDocument:
    """Read a WXR file (a path or a binary file object) into a `WxrDocument`.

    Raises `WxrError` for anything that is not a well-formed WordPress export."""
    doc = WxrDocument()
    depth = 0
    channel: ET.Element | None = None
    seen_wp = False
    try:
        for event, elem in ET.iterparse(source, events=("start", "end")):  # noqa: S314 - see module docstring
            if event == "start":
                depth += 1
                if depth == 2 and elem.tag == "channel":
                    channel = elem
                continue
            depth -= 1
            if depth != 2 or channel is None:  # only direct children of <channel>
                continue
            name = _name(elem.tag)
            seen_wp = seen_wp or name.startswith("wp:")
            if name == "item":
                doc.items.append(_item(elem))
                channel.remove(elem)  # keep memory flat on big exports
            elif name == "wp:author":
                doc.authors.append(_author(elem))
            elif name == "wp:category":
                f = _fields(elem)
                doc.categories.append(WxrTerm(
                    slug=unquote(f.get("wp:category_nicename", "")), name=f.get("wp:cat_name", ""),
                    parent=unquote(f.get("wp:category_parent", "")),
                    description=f.get("wp:category_description", ""),
                ))
            elif name == "wp:tag":
                f = _fields(elem)
                doc.tags.append(WxrTerm(slug=unquote(f.get("wp:tag_slug", "")), name=f.get("wp:tag_name", ""),
                                        description=f.get("wp:tag_description", "")))
            elif name == "wp:wxr_version":
                doc.version = (elem.text or "").strip()
            elif name == "wp:base_blog_url":
                doc.link = (elem.text or "").strip()
            elif name == "title":
                doc.title = (elem.text or "").strip()
    except ET.ParseError as exc:
        raise WxrError(f"Not well-formed XML: {exc}") from None
    if channel is None or not (seen_wp or doc.items and any(i.wp_id for i in doc.items)):
        raise WxrError("Not a WordPress export (WXR): no <channel> with wp: elements found.")
    return doc
