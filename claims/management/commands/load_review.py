"""Load the curated review data file into the database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.review_file import ReviewFileError, read_review_file
from claims.services import review_load


class Command(BaseCommand):
    help = "Load the review's topics, claims, evidence and papers from the data file."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=settings.REVIEW_DATA_FILE,
            help="The YAML data file (default: %(default)s).",
        )

    def handle(self, *args, path: Path, **options):
        try:
            report = review_load(data=read_review_file(path))
        except ReviewFileError as exc:
            # A malformed file, or a merge the database refuses: nothing written.
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
