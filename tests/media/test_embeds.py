"""media.embeds: finders turn allow-listed URLs into facades that load nothing until a click;
the oEmbed fetch stores a title and a local thumbnail; rendering reads, saving creates."""

import pytest
import requests
import responses
from django.core.files.base import ContentFile

from blog.models import Post, PostUpdate
from blog.rendering import render_body
from media import embeds
from media.models import Embed
from media.tasks import fetch_embed
from tests.factories import PostFactory
from tests.media_files import image_bytes

YT = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
YT_HASH = embeds.url_hash(YT)


# --- Finders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "provider", "key", "player"),
    [
        (YT, "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
        ("https://youtu.be/dQw4w9WgXcQ?t=90", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=65"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
        ("https://vimeo.com/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
        ("https://www.dailymotion.com/video/x8abcd1", "dailymotion", "x8abcd1",
         "https://www.dailymotion.com/embed/video/x8abcd1?autoplay=1"),
        ("https://dai.ly/x8abcd1", "dailymotion", "x8abcd1", "https://www.dailymotion.com/embed/video/x8abcd1?autoplay=1"),
        ("https://x.com/nasa/status/1234567890", "twitter", "1234567890",
         "https://platform.twitter.com/embed/Tweet.html?id=1234567890&dnt=true"),
        ("https://twitter.com/nasa/status/1234567890", "twitter", "1234567890",
         "https://platform.twitter.com/embed/Tweet.html?id=1234567890&dnt=true"),
        ("https://www.facebook.com/NASA/videos/10155/", "facebook", "10155",
         "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fvideos%2F10155%2F"
         "&show_text=false&autoplay=1"),
        ("https://soundcloud.com/forss/flickermood", "soundcloud", "forss/flickermood",
         "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood&auto_play=true"),
    ],
)
def test_each_finder_accepts_its_provider_urls(url, provider, key, player):
    info = embeds.find_embed(url)
    assert (info.provider, info.key, info.player) == (provider, key, player)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/channel/UC123",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "https://vimeo.com/about",
        "https://x.com/nasa",
        "https://soundcloud.com/forss",
    ],
)
def test_urls_not_on_the_list_are_not_embeds(url):
    assert embeds.find_embed(url) is None
    assert not any(f.accept(url) for f in embeds.FINDERS)


def test_every_youtube_form_shares_one_cache_entry():
    forms = [YT, "https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/shorts/dQw4w9WgXcQ",
             "https://youtube.com/watch?v=dQw4w9WgXcQ&t=30"]
    assert {embeds.find_embed(u).url_hash for u in forms} == {YT_HASH}


# --- Facades in rendered bodies -----------------------------------------------------------


@pytest.mark.django_db
def test_a_url_alone_in_its_paragraph_becomes_a_facade_without_any_third_party_request():
    html = render_body(f"Before.\n\n{YT}\n\nAfter.")
    assert '<figure class="embed embed-youtube embed-16x9"' in html
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html
    assert f'<a class="embed-facade" href="{YT}"' in html
    assert "Watch on YouTube" in html
    assert "<iframe" not in html and "<img" not in html and "<script" not in html


@pytest.mark.django_db
def test_a_url_inside_a_sentence_stays_a_plain_link():
    html = render_body(f"See {YT} for the video.")
    assert "embed" not in html and f'href="{YT.replace("&", "&amp;")}"' in html


@pytest.mark.django_db
def test_a_link_with_words_is_not_an_embed():
    html = render_body(f"[Watch the council meeting]({YT})")
    assert "embed-facade" not in html


@pytest.mark.django_db
def test_an_unsupported_url_alone_stays_a_link_and_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_body("https://example.com/video/1")
    assert html == '<p><a href="https://example.com/video/1" rel="noopener">https://example.com/video/1</a></p>\n'


@pytest.mark.django_db
def test_a_bare_url_paragraph_from_imported_html_becomes_a_facade():
    assert "embed-vimeo" in embeds.expand_embeds("<p>https://vimeo.com/76979871</p>")


@pytest.mark.django_db
def test_the_facade_shows_the_fetched_title_and_local_thumbnail():
    embed = Embed.objects.create(url_hash=YT_HASH, url=YT, provider="youtube", title="Council <live>")
    embed.thumbnail.save("yt.jpg", ContentFile(image_bytes((480, 360))))
    html = render_body(YT)
    assert "Council &lt;live&gt;" in html and 'data-embed-title="Council &lt;live&gt;"' in html
    assert f'<img class="embed-thumb" src="{embed.thumbnail.url}"' in html
    assert embed.thumbnail.url.startswith("/media/")


@pytest.mark.django_db
def test_rendering_reads_the_cached_embeds_in_one_query_and_writes_nothing(django_capture_on_commit_callbacks,
                                                                          django_assert_num_queries):
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        html = render_body(f"{YT}\n\nhttps://vimeo.com/76979871\n\nhttps://soundcloud.com/forss/flickermood")
    assert html.count("embed-facade") == 3 and "Watch on YouTube" in html
    assert not callbacks and not Embed.objects.exists()


@pytest.mark.django_db
def test_saving_a_post_with_a_new_embed_queues_one_metadata_fetch_after_commit(
        author, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(author=author, body=YT)
        PostFactory(author=author, body=f"{YT}\n\nhttps://youtu.be/dQw4w9WgXcQ")
        post.save()
    assert queued == [("media.tasks.fetch_embed", (YT_HASH,))]
    assert Embed.objects.get().fetched_at is None


@pytest.mark.django_db
def test_saving_a_dated_update_with_a_new_embed_queues_its_fetch(author, django_capture_on_commit_callbacks,
                                                                  monkeypatch):
    queued = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: queued.append((task.name, args)))
    post = PostFactory(author=author, body="Words.")
    with django_capture_on_commit_callbacks(execute=True):
        PostUpdate.objects.create(post=post, body="Now live:\n\nhttps://vimeo.com/76979871")
    digest = embeds.url_hash("https://vimeo.com/76979871")
    assert queued == [("media.tasks.fetch_embed", (digest,))]
    assert Embed.objects.get().url_hash == digest


@pytest.mark.django_db
def test_facebook_needs_no_fetch_and_still_renders(author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        html = render_body("https://www.facebook.com/NASA/videos/10155/")
        post = PostFactory(author=author, body="https://www.facebook.com/NASA/videos/10155/")
    assert "Watch on Facebook" in html and "Watch on Facebook" in post.body_html
    assert not callbacks and not Embed.objects.exists()


@pytest.mark.parametrize("url", [YT, "https://youtu.be/dQw4w9WgXcQ?t=90", "https://vimeo.com/76979871",
                                 "https://dai.ly/x8abcd1", "https://x.com/nasa/status/1234567890",
                                 "https://fb.watch/abcDEF123/", "https://www.facebook.com/watch/?v=10155",
                                 "https://soundcloud.com/forss/flickermood"])
def test_a_facades_link_finds_the_same_embed_again(url):
    """Saving finds a body's embeds from its facades' links (facade_urls): each canonical
    URL must lead back to the same cache entry."""
    info = embeds.find_embed(url)
    assert embeds.facade_urls(embeds.facade_html(info)) == [info.url]
    assert embeds.find_embed(info.url).url_hash == info.url_hash


# --- oEmbed task --------------------------------------------------------------------------


@pytest.fixture
def pending(db):
    return Embed.objects.create(url_hash=YT_HASH, url=YT, provider="youtube")


@responses.activate
def test_the_task_stores_title_and_a_local_copy_of_the_thumbnail(pending, author):
    post = PostFactory(author=author, body=f"Intro\n\n{YT}")
    assert "Watch on YouTube" in post.body_html
    responses.get("https://www.youtube.com/oembed", json={
        "title": "Flood defences explained", "author_name": "City TV", "type": "video",
        "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
    })
    responses.get("https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", body=image_bytes((480, 360)),
                  content_type="image/jpeg")
    assert fetch_embed.run(YT_HASH) == "fetched"
    embed = Embed.objects.get()
    assert (embed.title, embed.author_name) == ("Flood defences explained", "City TV")
    assert embed.thumbnail.name.startswith("blog/embeds/youtube-dQw4w9WgXcQ")
    assert responses.calls[0].request.params == {"url": YT, "format": "json"}
    body = Post.objects.get(pk=post.pk).body_html
    assert "Flood defences explained" in body and embed.thumbnail.url in body and "i.ytimg.com" not in body


@responses.activate
def test_running_the_task_twice_fetches_once(pending):
    responses.get("https://www.youtube.com/oembed", json={"title": "Once"})
    fetch_embed.run(YT_HASH)
    assert fetch_embed.run(YT_HASH) == "skipped"
    assert len(responses.calls) == 1 and Embed.objects.count() == 1


@responses.activate
def test_a_thumbnail_from_another_host_is_never_downloaded(pending):
    responses.get("https://www.youtube.com/oembed", json={"title": "T", "thumbnail_url": "http://10.0.0.1/x.jpg"})
    fetch_embed.run(YT_HASH)
    assert len(responses.calls) == 1 and not Embed.objects.get().thumbnail


@responses.activate
def test_a_thumbnail_that_is_not_an_image_is_dropped(pending):
    responses.get("https://www.youtube.com/oembed", json={"title": "T",
                                                            "thumbnail_url": "https://i.ytimg.com/vi/x/0.jpg"})
    responses.get("https://i.ytimg.com/vi/x/0.jpg", body=b"<svg><script>alert(1)</script></svg>")
    fetch_embed.run(YT_HASH)
    embed = Embed.objects.get()
    assert embed.title == "T" and not embed.thumbnail


@responses.activate
def test_a_removed_video_is_recorded_and_not_retried(pending):
    responses.get("https://www.youtube.com/oembed", status=404)
    assert fetch_embed.run(YT_HASH) == "gone"
    embed = Embed.objects.get()
    assert embed.fetched_at is not None and embed.data == {"status": 404} and embed.title == ""
    assert "Watch on YouTube" in render_body(YT)


@responses.activate
def test_a_network_failure_raises_for_a_retry_with_backoff_and_counts_the_attempt(pending):
    responses.get("https://www.youtube.com/oembed", body=requests.ConnectionError("offline"))
    with pytest.raises(requests.ConnectionError):
        fetch_embed.run(YT_HASH)
    embed = Embed.objects.get()
    assert embed.fetched_at is None and embed.attempts == 1
    assert requests.RequestException in fetch_embed.autoretry_for and fetch_embed.retry_backoff
    assert "Watch on YouTube" in render_body(YT)  # with no network the embed still renders


@responses.activate
def test_a_server_error_is_retried(pending):
    responses.get("https://www.youtube.com/oembed", status=503)
    with pytest.raises(requests.HTTPError):
        fetch_embed.run(YT_HASH)
    assert Embed.objects.get().fetched_at is None
