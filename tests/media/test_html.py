"""media.html: the picture, figure and thumbnail HTML, and the absolute URLs and sizes
that feeds and link previews get."""

from media import html as media_html
from media import renditions, services
from media.models import Image
from tests.media_files import image_bytes, upload


def test_the_picture_has_webp_sources_a_fallback_srcset_and_no_layout_shift(photo):
    renditions.renditions_make(image=photo)
    photo = Image.objects.prefetch_related("renditions").get(pk=photo.pk)
    html = media_html.picture_html(photo)
    assert html.startswith('<picture><source type="image/webp" srcset="')
    assert "-320w.webp 320w" in html and "-960w.jpg 960w" in html
    assert 'width="1000" height="500"' in html
    assert 'loading="lazy"' in html and 'decoding="async"' in html
    assert 'alt="A red field"' in html and 'sizes="' in html


def test_the_first_image_is_not_lazy(photo):
    assert 'loading="lazy"' not in media_html.picture_html(photo, lazy=False)


def test_until_renditions_exist_the_original_is_served(photo):
    html = media_html.picture_html(photo)
    assert html.startswith("<img") and f'src="{photo.file.url}"' in html


def test_alt_text_is_escaped(db):
    image = services.image_create(upload=upload(image_bytes((10, 10))), alt='"><script>x</script>')
    assert "<script>" not in media_html.picture_html(image)


def test_og_image_is_an_absolute_url_of_a_large_jpeg_rendition(photo, settings):
    settings.SITE_URL = "https://news.example"
    assert media_html.og_image_url(photo) == f"https://news.example{photo.file.url}"
    renditions.renditions_make(image=photo)
    photo = Image.objects.get(pk=photo.pk)
    url = media_html.og_image_url(photo)
    assert url.startswith("https://news.example/media/") and url.endswith("-960w.jpg")
    assert media_html.og_image_url(None) == ""


def test_absolute_image_urls_use_the_request_host_when_given(photo, rf, settings):
    settings.ALLOWED_HOSTS = ["blog.example"]
    request = rf.get("/", HTTP_HOST="blog.example")
    assert media_html.absolute_image_url(photo, request) == f"http://blog.example{photo.file.url}"


def test_feeds_get_absolute_image_urls_in_the_body(photo, settings):
    renditions.renditions_make(image=photo)
    photo = Image.objects.get(pk=photo.pk)
    html = media_html.figure_html(photo) + '<a href="https://elsewhere.example/x">x</a><a href="//cdn.example/y">y</a>'
    out = media_html.absolute_media_urls(html, base="https://news.example/")
    assert f'src="https://news.example{photo.file.url}"' in out
    assert out.count("https://news.example/media/") == 1 + 3 + 4  # src, 3 webp, 3 jpeg + original in srcset
    assert 'href="https://elsewhere.example/x"' in out and 'href="//cdn.example/y"' in out
    assert media_html.absolute_media_urls('<img src="/media/a.jpg">') == f'<img src="{settings.SITE_URL}/media/a.jpg">'


def test_og_image_gives_the_renditions_size_and_type_or_the_originals(photo):
    shared = media_html.og_image(photo)
    assert (shared.width, shared.height, shared.mime_type, shared.alt) == (1000, 500, "image/jpeg", "A red field")
    renditions.renditions_make(image=photo)
    shared = media_html.og_image(Image.objects.get(pk=photo.pk))
    assert (shared.width, shared.height, shared.mime_type) == (960, 480, "image/jpeg")
    assert shared.url.endswith("-960w.jpg")
    assert media_html.og_image(None) is None and media_html.og_image(Image(alt="no file")) is None


def test_og_image_of_a_transparent_png_is_a_png_rendition(db):
    png = services.image_create(upload=upload(image_bytes((1400, 700), "PNG", color=(0, 0, 0, 0), mode="RGBA"),
                                            "logo.png", "image/png"), alt="Logo")
    assert media_html.og_image(png).mime_type == "image/png"
    renditions.renditions_make(image=png)
    shared = media_html.og_image(Image.objects.get(pk=png.pk))
    assert (shared.width, shared.mime_type) == (1280, "image/png")


def test_a_thumbnail_is_lazy_and_sized_for_the_list_from_small_renditions(photo):
    html = media_html.thumbnail_html(photo)
    assert html.startswith("<img") and f'src="{photo.file.url}"' in html  # the original until renditions exist
    assert 'width="320" height="160"' in html and 'loading="lazy"' in html
    renditions.renditions_make(image=photo)
    html = media_html.thumbnail_html(Image.objects.get(pk=photo.pk))
    assert html.startswith('<picture class="thumbnail"><source type="image/webp"')
    assert "-960w." not in html and html.count("-640w.") == 2  # webp and jpeg srcsets
    assert html.count("-320w.") == 3  # the same, and the jpeg as src
    assert 'width="320" height="160"' in html and 'loading="lazy"' in html


def test_a_thumbnail_of_a_small_image_is_never_wider_than_the_image(db):
    tiny = services.image_create(upload=upload(image_bytes((100, 50))), alt="Tiny")
    assert 'width="100" height="50"' in media_html.thumbnail_html(tiny)


def test_a_featured_figure_carries_its_class_and_caption(photo):
    html = media_html.figure_html(photo, lazy=False, css_class="featured-image")
    assert html.startswith('<figure class="wp-caption featured-image">') and "Harvest" in html
    assert 'loading="lazy"' not in html
