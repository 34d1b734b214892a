"""Freeze the curated content as a dated, checksummed release directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.exports.releases import ReleaseError, release_export


class Command(BaseCommand):
    help = (
        "Write a dated, read-only, self-describing release of the curated content "
        "(release.json and its JSON Schema, CSV tables, BibTeX, RIS and CSL-JSON "
        "citations, datapackage.json, README.md, LICENSE, CITATION.cff and a "
        "SHA-256 MANIFEST) to RELEASES_DIR/<date> or --output; never overwrites. "
        "Public by default: accepted evidence only, no usernames and none of the "
        "portal's bookkeeping. --internal writes every row and field (a full "
        "backup, as import_release restores it) under var/backups/<date>."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The release directory to create (default: RELEASES_DIR/<date>, "
            "then <date>-2, ...; var/backups/<date> with --internal).",
        )
        parser.add_argument(
            "--internal",
            action="store_true",
            help="Every workflow state, curators' usernames and the bookkeeping "
            "fields: a backup, not for publication.",
        )

    def handle(self, *args, output: Path | None, internal: bool, **options):
        try:
            report = release_export(output=output, internal=internal)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from exc
        scope = "Internal release (not for publication)" if internal else "Release"
        self.stdout.write(f"{scope} written: {report.summary()}")
        self.stdout.write(f"Verify it with: cd {report.path} && sha256sum -c MANIFEST")
