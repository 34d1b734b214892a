"""Restore a release into an empty database, exactly as it was exported."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.exports.releases import ReleaseError, release_import


class Command(BaseCommand):
    help = (
        "Verify every checksum of a release made by export_release, then restore "
        "its reviews, topics, claims, publications and evidence (primary keys, "
        "timestamps and statuses as they were) into an empty database, in one "
        "transaction. A stored claim verdict that is not what the rules give "
        "the restored evidence (a release of older rules, or one written by "
        "hand) is recomputed, and the claims are named. Users named by evidence "
        "who do not exist are created inactive, without a usable password. "
        "History is not in a release: restored records start with none."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The release directory.")

    def handle(self, *args, path: Path, **options):
        try:
            report = release_import(path=path)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Release restored: {report.summary()}")
