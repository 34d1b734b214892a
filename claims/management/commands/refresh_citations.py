"""Refresh publications' citation metadata from PubMed."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.literature import citations, tasks
from claims.literature.pubmed import EutilsClient, NcbiError
from claims.models import Publication, RefreshRun


class Command(BaseCommand):
    help = (
        "Refresh citation metadata from PubMed for the given PMIDs (added if new), "
        "all publications (--all) or those due (--stale, the default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("pmids", nargs="*", help="PMIDs to refresh or add.")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--all", action="store_true", help="Every publication.")
        scope.add_argument(
            "--stale", action="store_true", help="Pending, failed or stale (default)."
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Fetch in this process, without a broker or worker.",
        )

    def handle(self, *args, pmids, all, stale, sync, **options):
        try:
            pmids = self._pmids(pmids, everything=all) or tasks.due_pmids()
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        run = tasks.refresh_plan(
            pmids=pmids, trigger=RefreshRun.Trigger.COMMAND, enqueue=not sync
        )
        if not sync:
            self.stdout.write(f"Queued {run.requested} PMIDs as refresh run {run.pk}.")
            return
        self._refresh_here(run, pmids)
        run.refresh_from_db()
        self.stdout.write(
            f"Refresh run {run.pk}: {run.changed} changed, {run.unchanged} unchanged, "
            f"{run.missing} missing, {run.failed} failed "
            f"({run.requests_made} requests)."
        )

    def _pmids(self, given: list[str], *, everything: bool) -> list[int]:
        if given:
            pmids = [citations.parse_pmid(p) for p in given]
            # Planned below with the rest, so no separate fetch for new ones.
            tasks.publications_add(pmids=pmids, fetch=False)
            return pmids
        if everything:
            return list(Publication.objects.values_list("pmid", flat=True))
        return []

    def _refresh_here(self, run: RefreshRun, pmids: list[int]) -> None:
        client = EutilsClient.from_settings()
        parts = citations.batches(sorted(set(pmids)))
        for number, batch in enumerate(parts, start=1):
            before = client.requests_made
            try:
                citations.publications_refresh(pmids=batch, run=run, client=client)
            except NcbiError as exc:
                citations.refresh_record_failure(
                    pmids=batch,
                    run=run,
                    error=str(exc),
                    requests=client.requests_made - before,
                )
            self.stdout.write(
                f"[{number}/{len(parts)}] {len(batch)} PMIDs", ending="\r"
            )
        self.stdout.write("")
