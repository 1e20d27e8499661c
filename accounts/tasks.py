"""Celery tasks of accounts, found by autodiscovery: storing a provider's picture on our
origin (queued after commit by accounts.adapters when a social login brings a new one)."""

import requests
from celery import shared_task

from accounts.pictures import picture_store
from config.celery import RELIABLE, TRANSIENT

__all__ = ["store_picture"]


@shared_task(**{**RELIABLE, "autoretry_for": (*TRANSIENT, requests.ConnectionError, requests.Timeout),
                "max_retries": 4})
def store_picture(user_id: int, url: str) -> str:
    """The user's provider picture at `url`, fetched, re-encoded and made their avatar; a
    refused picture is logged and dropped, a network failure retried with backoff."""
    return picture_store(user_id=user_id, url=url)
