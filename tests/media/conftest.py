"""Fixtures shared by the media tests."""

import pytest

from media import services
from tests.media_files import image_bytes, upload


@pytest.fixture
def photo(db, django_capture_on_commit_callbacks):
    """A 1000×500 JPEG stored through the upload service; its renditions are not made (the
    queued task is captured, not run)."""
    with django_capture_on_commit_callbacks():
        return services.image_create(upload=upload(image_bytes((1000, 500))), alt="A red field", caption="Harvest",
                                     credit="Ana")
