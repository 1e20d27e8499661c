"""The suite runs on what the environment names: CI's second leg must really be on
PostgreSQL and Redis, not silently on the embedded defaults."""

import os

from django.conf import settings
from django.db import connection


def test_the_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_the_broker_is_the_one_celery_broker_url_names():
    from config.celery import app

    url = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    assert app.conf.broker_url == url == settings.CELERY_BROKER_URL


def test_the_cache_is_the_one_cache_url_names():
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("CACHE_URL", "").startswith("rediscache://"):
        assert backend.endswith("RedisCache")
    else:
        assert backend.endswith("LocMemCache")
