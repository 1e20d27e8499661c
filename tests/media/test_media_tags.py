"""media_tags on a post page: only the featured image is drawn per request (its renditions
prefetched); a page costs the same queries with 20 images and 5 embeds as with one, because
body images and embeds are rendered into the stored body when the post is saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.renditions import renditions_make
from media.services import image_create
from tests.factories import PostFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db

EMBEDS = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/aqz-KE-bpKQ", "https://vimeo.com/76979871",
    "https://www.dailymotion.com/video/x8abcd1", "https://soundcloud.com/forss/flickermood",
]


def _queries(client, post) -> int:
    client.get(post.get_absolute_url())  # warm per-process caches (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_post_with_20_images_and_5_embeds_issues_no_query_per_image(client, author, django_assert_max_num_queries):
    ids = []
    for i in range(20):
        image = image_create(upload=upload(image_bytes((700, 400), color=(i * 10, 50, 90))), alt=f"Photo {i}")
        renditions_make(image=image)
        ids.append(str(image.pk))
    # The baseline has a featured image too: its renditions cost one query per page.
    plain = PostFactory(author=author, body="Just words.", featured_image_id=int(ids[0]))
    baseline = _queries(client, plain)

    body = f'Intro.\n\n[gallery ids="{",".join(ids[:10])}"]\n\n' + "\n\n".join(EMBEDS) + "\n\n"
    body += "\n\n".join(f'[image id="{pk}"]' for pk in ids[10:])
    rich = PostFactory(author=author, body=body, featured_image_id=int(ids[0]))
    html = client.get(rich.get_absolute_url()).content.decode()
    content = html[html.index('<div class="entry-content">'):]
    assert content.count("<picture>") == 20 and content.count("embed-facade") == 5
    assert html.count("<picture>") == 21  # and the featured image above the body

    with django_assert_max_num_queries(baseline):
        response = client.get(rich.get_absolute_url())
    assert response.status_code == 200
