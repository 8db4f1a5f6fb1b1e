"""The Celery application: Redis broker, settings from Django's (CELERY_ prefix)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Celery runs Django's system checks when a worker starts, and they query PostgreSQL: a worker
# (re)started while the database is down would exit instead of waiting for it. The checks run at
# deploy (manage.py check, migrate) and in the suite.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
