"""Rendering a body: Markdown, sanitised, with WordPress shortcodes left intact."""

from html.parser import HTMLParser

from blog.rendering import render_body, render_markdown


def test_markdown_is_rendered_with_typographic_quotes():
    assert render_markdown('He said "hi".') == "<p>He said “hi”.</p>\n"


def test_a_gallery_shortcode_keeps_its_straight_quotes():
    assert render_markdown('[gallery ids="1,2,3"]') == '<p>[gallery ids="1,2,3"]</p>\n'


def test_a_url_inside_a_shortcode_is_not_linkified():
    html = render_markdown('[embed url="https://example.com/v"]')
    assert "<a" not in html
    assert 'url="https://example.com/v"' in html


def test_a_shortcode_inside_an_attribute_cannot_break_out_of_it():
    html = render_body('<img src="/a.png" alt="[video x=" onerror="alert(1)]">')
    attributes = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes.extend(name for name, _ in attrs)

    Tags().feed(html)
    assert sorted(attributes) == ["alt", "src"]


def test_a_shortcode_with_markup_inside_stays_text():
    html = render_markdown('[caption id="<script>alert(1)</script>"]')
    assert "<script>" not in html
