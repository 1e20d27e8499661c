"""Fixtures for accounts' tests."""

import pytest


@pytest.fixture
def connect():
    """connect(signal, receiver): a receiver for this test only, as another app would connect it."""
    connected = []

    def _connect(signal, receiver):
        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))

    yield _connect
    for signal, receiver in connected:
        signal.disconnect(receiver)


@pytest.fixture
def picture_bytes() -> bytes:
    """A provider's profile picture: a real JPEG with EXIF."""
    from tests.factories import jpeg  # noqa: PLC0415 -- factories import the models: only once Django is set up

    return jpeg()
