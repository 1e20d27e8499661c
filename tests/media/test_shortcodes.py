"""media.shortcodes: [gallery], [image], [caption], [embed] and [youtube] in a body become
our figure, picture and embed markup, with one query for all of its images."""

import pytest

from blog.rendering import render_body, render_markdown
from media.models import Image
from media.renditions import renditions_make
from media.services import image_create
from media.shortcodes import parse_shortcodes, render_shortcodes
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db


def _image(alt="A boat", size=(1000, 600), **kwargs) -> Image:
    return image_create(upload=upload(image_bytes(size)), alt=alt, **kwargs)


def test_a_gallery_renders_its_images_in_the_given_order_as_pictures():
    a, b, c = _image("one"), _image("two"), _image("three")
    for image in (a, b, c):
        renditions_make(image=image)
    html = render_body(f'Look:\n\n[gallery ids="{c.pk},{a.pk},{b.pk}" columns="2"]\n\nDone.')
    assert '<div class="gallery gallery-columns-2">' in html
    assert html.index('alt="three"') < html.index('alt="one"') < html.index('alt="two"')
    assert html.count("<picture>") == 3 and 'type="image/webp"' in html
    assert "<p>Done.</p>" in html


def test_only_the_first_image_of_a_body_loads_eagerly():
    a, b = _image("one"), _image("two")
    html = render_body(f'[gallery ids="{a.pk},{b.pk}"]')
    first, second = html.split('alt="two"')
    assert 'loading="lazy"' not in first and 'loading="lazy"' in second


def test_a_gallery_finds_imported_images_by_their_wordpress_id():
    image = _image("imported")
    Image.objects.filter(pk=image.pk).update(wp_id=4242)
    assert 'alt="imported"' in render_body('[gallery ids="4242"]')


def test_a_gallery_skips_unknown_ids_and_renders_nothing_when_none_exist():
    image = _image("known")
    html = render_body(f'[gallery ids="999999,{image.pk}"]')
    assert html.count("<figure") == 1
    assert render_body('[gallery ids="999999"]') == ""


def test_a_body_with_a_gallery_costs_a_constant_number_of_queries(django_assert_num_queries):
    ids = ",".join(str(_image(f"img {i}").pk) for i in range(8))
    with django_assert_num_queries(2):  # the images, their renditions
        render_shortcodes(f'[gallery ids="{ids}"] and [image id="{ids.split(",")[0]}"]')


def test_an_image_shortcode_renders_a_figure_with_caption_and_credit():
    image = _image("Boat", caption="The ferry at dawn", credit="Photo: Ana")
    html = render_body(f'[image id="{image.pk}"]')
    assert '<figure class="wp-caption">' in html
    assert '<figcaption>The ferry at dawn <span class="credit">Photo: Ana</span></figcaption>' in html
    assert f'width="{image.width}" height="{image.height}"' in html


def test_a_wordpress_caption_wraps_its_image_and_text_in_a_figure():
    src = ('[caption id="attachment_7" align="aligncenter" width="300"]<img src="https://old.example/a.jpg" '
           'alt="Bridge" width="300" height="200" class="size-medium wp-image-7" /> The old bridge[/caption]')
    html = render_body(src)
    assert '<figure class="wp-caption aligncenter">' in html
    assert '<img src="https://old.example/a.jpg" alt="Bridge" width="300" height="200">' in html
    assert "<figcaption>The old bridge</figcaption>" in html


def test_a_caption_around_an_imported_image_uses_our_renditions():
    image = _image("Bridge")
    Image.objects.filter(pk=image.pk).update(wp_id=7)
    renditions_make(image=image)
    html = render_body('[caption align="alignnone"]<img src="https://old.example/a.jpg" class="wp-image-7"> '
                       "Bridge[/caption]")
    assert "<picture>" in html and "old.example" not in html and "<figcaption>Bridge</figcaption>" in html


def test_a_caption_cannot_smuggle_script():
    html = render_body('[caption caption="<script>alert(1)</script>Hi"]<img src="x.jpg" onerror="alert(2)">[/caption]')
    assert "<script" not in html and "onerror" not in html and "Hi" in html


@pytest.mark.parametrize(
    "source",
    [
        "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]",
        "[embed width=\"640\"]https://youtu.be/dQw4w9WgXcQ[/embed]",
        "[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ&w=640&h=385]",
        "[youtube=https://www.youtube.com/watch?v=dQw4w9WgXcQ]",
        "[youtube dQw4w9WgXcQ]",
        "Text before [youtube=http://www.youtube.com/watch?v=dQw4w9WgXcQ] text after",
    ],
)
def test_embed_and_youtube_shortcodes_become_facades(source):
    html = render_body(source)
    assert html.count("embed-facade") == 1
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html


def test_an_escaped_shortcode_is_shown_as_text():
    assert render_shortcodes('Write [[gallery ids="1"]] to show a gallery.') == 'Write [gallery ids="1"] to show a gallery.'


def test_unknown_shortcodes_and_plain_brackets_are_left_alone(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert render_shortcodes("[contact-form] and [a link](https://x.example)") == (
            "[contact-form] and [a link](https://x.example)"
        )


# --- The grammar (parse_shortcodes), shared with blog.rendering and blog.wxr ---------------


def test_it_parses_paired_single_escaped_and_stray_tags():
    text = ('[caption align="alignleft"]<img src="a.jpg"> A[/caption] [gallery ids="1,2" columns=3] '
            '[[image id="4"]] [video src="v.mp4"] [/embed] [contact-form]')
    codes = parse_shortcodes(text)
    assert [(c.name, c.renders, c.escaped, c.closing) for c in codes] == [
        ("caption", True, False, False), ("gallery", True, False, False), ("image", False, True, False),
        ("video", False, False, False), ("embed", False, False, True),
    ]
    caption, gallery = codes[:2]
    assert caption.inner == '<img src="a.jpg"> A' and caption.attrs == {"align": "alignleft"}
    assert gallery.attrs == {"ids": "1,2", "columns": "3"} and gallery.raw_attrs == ' ids="1,2" columns=3'
    assert [text[c.start:c.end] for c in codes] == [c.text for c in codes]


def test_a_markdown_link_whose_text_starts_with_a_shortcode_name_stays_a_link(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_body("See [gallery of the week](https://x.example/g) and [image credits](https://x.example/c).")
    assert '<a href="https://x.example/g" rel="noopener">gallery of the week</a>' in html
    assert '<a href="https://x.example/c" rel="noopener">image credits</a>' in html


def test_a_wp_caption_is_the_old_name_of_a_caption():
    html = render_body('[wp_caption align="alignright"]<img src="https://old.example/a.jpg" alt="Quay"> The quay'
                       "[/wp_caption]")
    assert '<figure class="wp-caption alignright">' in html and "<figcaption>The quay</figcaption>" in html


def test_an_escaped_caption_is_shown_whole_as_text():
    html = render_body('[[caption]<img src="x.jpg" alt="x"> Hi[/caption]]')
    assert "<img" not in html and "[caption]&lt;img" in html and "Hi[/caption]" in html


@pytest.mark.parametrize("source", ['[image id="4"]', '[youtube id="x"]', '[video src="v.mp4"]',
                                    '[playlist ids="1,2"]', '[caption id="c"]'])
def test_a_shortcode_left_as_text_keeps_its_straight_quotes(source):
    assert render_markdown(source) == f"<p>{source}</p>\n"
