"""blog.receivers: when media says renditions are ready or an embed was fetched, the posts
and dated updates that show them are rendered again, once, in batches.

Driven through the signals only: this module never imports blog.receivers, so that the
connection made by BlogConfig.ready() is what these tests (and the whole suite) rely on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Post, PostUpdate
from media.embeds import url_hash
from media.models import Embed, Image
from media.renditions import renditions_make
from media.services import image_create
from media.signals import embed_fetched, renditions_ready
from tests.factories import PostFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db
YT = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _image(alt="Harbour") -> Image:
    return image_create(upload=upload(image_bytes((1000, 600))), alt=alt)


def test_it_is_connected_to_both_media_signals_by_the_app_config():
    assert renditions_ready.has_listeners(Image) and embed_fetched.has_listeners(Embed)


def test_it_re_renders_the_posts_and_the_dated_updates_that_show_the_image(author):
    image = _image()
    post = PostFactory(author=author, body=f'[gallery ids="{image.pk}"]')
    update = PostUpdate.objects.create(post=post, body=f'[image id="{image.pk}"]')
    renditions_make(image=image)
    renditions_ready.send(sender=Image, images=[image])
    assert "<picture>" in Post.objects.get(pk=post.pk).body_html
    assert "<picture>" in PostUpdate.objects.get(pk=update.pk).body_html


def test_it_finds_an_imported_image_by_its_wordpress_id_in_a_caption(author):
    image = _image()
    Image.objects.filter(pk=image.pk).update(wp_id=7)
    image.refresh_from_db()
    post = PostFactory(author=author, body='[caption]<img src="https://old.example/a.jpg" class="wp-image-7"> '
                                           "Bridge[/caption]")
    renditions_make(image=image)
    renditions_ready.send(sender=Image, images=[image])
    assert "<picture>" in Post.objects.get(pk=post.pk).body_html


def test_it_leaves_the_modified_time_alone(author):
    image = _image()
    post = PostFactory(author=author, body=f'[gallery ids="{image.pk}"]')
    modified = Post.objects.get(pk=post.pk).modified_at
    renditions_make(image=image)
    renditions_ready.send(sender=Image, images=[image])
    assert Post.objects.get(pk=post.pk).modified_at == modified


def test_running_it_twice_writes_nothing_the_second_time(author):
    image = _image()
    PostFactory(author=author, body=f'[gallery ids="{image.pk}"]')
    renditions_make(image=image)
    assert [changed for _, changed in renditions_ready.send(sender=Image, images=[image])] == [1]
    assert [changed for _, changed in renditions_ready.send(sender=Image, images=[image])] == [0]


def test_it_re_renders_the_bodies_that_show_a_fetched_embed(author):
    post = PostFactory(author=author, body="Intro\n\nhttps://youtu.be/dQw4w9WgXcQ")
    other = PostFactory(author=author, body="https://vimeo.com/76979871")
    Post.objects.filter(pk=other.pk).update(body_html="untouched")
    embed, _ = Embed.objects.update_or_create(url_hash=url_hash(YT), defaults={
        "url": YT, "provider": "youtube", "title": "Council live"})
    embed_fetched.send(sender=Embed, embed=embed)
    assert "Council live" in Post.objects.get(pk=post.pk).body_html
    assert Post.objects.get(pk=other.pk).body_html == "untouched"


def test_it_costs_the_same_queries_for_two_posts_as_for_six(author):
    def queries(count: int) -> int:
        images = [_image(f"Photo {i}") for i in range(2)]
        ids = ",".join(str(image.pk) for image in images)
        for _ in range(count):
            PostFactory(author=author, body=f'[gallery ids="{ids}"]\n\n{YT}')
        for image in images:
            renditions_make(image=image)
        with CaptureQueriesContext(connection) as ctx:
            renditions_ready.send(sender=Image, images=images)
        assert all("<picture>" in html for html in Post.objects.values_list("body_html", flat=True))
        Post.objects.all().delete()
        return len(ctx.captured_queries)

    assert queries(2) == queries(6) <= 10
