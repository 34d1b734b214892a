"""The Celery application, configured from Django's CELERY_ settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The tasks live with the literature they refresh, and the database's upkeep
# with the portal.
app.autodiscover_tasks(["claims.literature", "portal"])
