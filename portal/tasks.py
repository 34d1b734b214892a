"""The portal's own Celery tasks: upkeep of the database itself."""

import logging

from celery import shared_task

from portal.maintenance import maintain_database

logger = logging.getLogger(__name__)


@shared_task(name="portal.tasks.maintain_database_task")
def maintain_database_task() -> list[str]:
    statements = maintain_database()
    logger.info("database maintained: %s", "; ".join(statements))
    return statements
