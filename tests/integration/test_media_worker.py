"""The real path from an upload to renditions: saved → queued after commit → a Celery worker
(in a thread, on kombu's in-memory transport) runs make_renditions → the gallery shows them."""

import time

import pytest

from blog.images import image_create
from blog.models import Post, Rendition
from tests.factories import PostFactory, UserFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


def _forget_connections(app):
    """Celery caches its connection pools: drop them so a broker_url change takes effect."""
    if app._pool is not None:
        app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    previous = app.conf.broker_url, app.conf.broker_transport_options
    _forget_connections(app)
    app.conf.broker_url, app.conf.broker_transport_options = "memory://", {}
    app.connection_for_write().ensure_connection()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        _forget_connections(app)  # later tests get the configured broker again
        app.conf.broker_url, app.conf.broker_transport_options = previous


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_an_uploaded_image_gets_renditions_from_the_worker_and_its_gallery_shows_them(worker):
    image = image_create(upload=upload(image_bytes((1000, 600))), alt="Harbour")
    post = PostFactory(author=UserFactory(), body=f'[gallery ids="{image.pk}"]')
    assert _wait_for(lambda: Rendition.objects.filter(image=image).count() == 6)
    assert _wait_for(lambda: "<picture>" in Post.objects.get(pk=post.pk).body_html)
