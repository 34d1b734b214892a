"""Vacuum the database and refresh the planner's statistics, now."""

from django.core.management.base import BaseCommand

from portal.maintenance import maintain_database


class Command(BaseCommand):
    help = (
        "Refresh the database planner's statistics (and vacuum, on PostgreSQL): "
        "what Celery beat does nightly. Run it after a bulk load."
    )

    def handle(self, *args, **options):
        for sql in maintain_database():
            self.stdout.write(f"ran {sql}")
