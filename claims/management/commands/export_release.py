"""Freeze the curated content as a dated, checksummed release directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.exports.releases import ReleaseError, release_export


class Command(BaseCommand):
    help = (
        "Write a dated, read-only release of the curated content (release.json, "
        "CSV tables, BibTeX and RIS citations, a SHA-256 MANIFEST) to "
        "var/releases/<date> or --output; never overwrites. Leaves out history, "
        "refresh runs and user accounts (evidence keeps usernames)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The release directory to create (default: var/releases/<date>, "
            "then <date>-2, ...).",
        )

    def handle(self, *args, output: Path | None, **options):
        try:
            report = release_export(output=output)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Release written: {report.summary()}")
        self.stdout.write(f"Verify it with: cd {report.path} && sha256sum -c MANIFEST")
