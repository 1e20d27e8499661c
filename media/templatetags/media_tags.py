"""Template tags for images outside a post body: the featured image and list thumbnails.

Body images are rendered into the stored HTML when a post is saved; these two are drawn per
request from the featured image, so views must prefetch `featured_image__renditions`."""

from django import template

from media.html import figure_html, thumbnail_html

register = template.Library()


@register.simple_tag
def featured_figure(image):
    """The featured image at the top of a post: never lazy, it is the first image seen."""
    if image is None or not image.file:
        return ""
    return figure_html(image, lazy=False, css_class="featured-image")


@register.simple_tag
def thumbnail(image):
    """A small lazy rendition for post lists; nothing without an image."""
    if image is None or not image.file:
        return ""
    return thumbnail_html(image)
