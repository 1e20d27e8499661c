"""The Celery app: `celery -A config worker` / `celery -A config beat`.

DJANGO_SETTINGS_MODULE is set before Celery() is created so that the app's Task class is
DjangoTask, which gives every task `delay_on_commit()`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dispatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
