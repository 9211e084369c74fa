"""The Celery application that runs Fusebox's background work."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("fusebox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
