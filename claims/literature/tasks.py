"""The refresh schedule: papers added and refresh runs planned, their batches
sent to the workers, and the Celery tasks that fetch and apply them (thin
wrappers that take ids and PMIDs and call claims.literature.citations).

Retries live here. Transient NCBI failures (timeouts, connection errors, 429, 5xx)
are retried with exponential backoff and jitter; permanent ones are recorded at once.
"""

import datetime
import logging
import random
from collections.abc import Iterable, Sequence
from functools import partial

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.literature import citations
from claims.literature.citations import batches, parse_pmid
from claims.literature.pubmed import (
    EutilsClient,
    PermanentNcbiError,
    TransientNcbiError,
)
from claims.models import Publication, RefreshRun

logger = logging.getLogger(__name__)

STALE_AFTER_DAYS = 30
UNINDEXED_AFTER_DAYS = 7
# The start of a paper's last_error when its fetch never reached the broker.
NOT_QUEUED = "The PubMed fetch could not be queued"
MAX_RETRIES = 5
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 15 * 60


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, never sooner than NCBI's Retry-After."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return max(random.uniform(ceiling / 2, ceiling), retry_after or 0)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def refresh_publications_task(
    self: Task, run_id: int | None, pmids: list[int], requests: int = 0
) -> int:
    """Fetch one batch of at most 200 PMIDs (ncbi queue) and hand it to apply.

    Only network and parsing happen here, so the rate-limited queue never waits
    on the database; the writes run on the default queue. `requests` counts the
    efetch requests of earlier tries, so the run counts every one.
    """
    client = EutilsClient.from_settings()
    try:
        payloads = citations.refresh_fetch(pmids=pmids, client=client)
    except TransientNcbiError as exc:
        made = requests + client.requests_made
        if self.request.retries < self.max_retries:
            delay = retry_delay(self.request.retries, exc.retry_after)
            kwargs = {"requests": made}
            raise self.retry(exc=exc, countdown=delay, kwargs=kwargs) from exc
        _record_failure(run_id, pmids, f"gave up: {exc}", made)
        return 0
    except PermanentNcbiError as exc:
        _record_failure(run_id, pmids, str(exc), requests + client.requests_made)
        return 0
    made = requests + client.requests_made
    apply_refresh_task.delay(run_id, pmids, payloads, requests=made)
    return len(payloads)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def apply_refresh_task(
    run_id: int | None, pmids: list[int], payloads: list, requests: int | None = None
) -> dict:
    """Write one fetched batch to the database (default queue)."""
    run = _refresh_run(run_id)
    outcome = citations.refresh_apply(
        pmids=pmids, payloads=payloads, run=run, requests=requests
    )
    return outcome.__dict__


def _refresh_run(run_id: int | None) -> RefreshRun | None:
    return RefreshRun.objects.filter(pk=run_id).first() if run_id is not None else None


def _record_failure(
    run_id: int | None, pmids: list[int], error: str, requests: int
) -> None:
    run = _refresh_run(run_id)
    citations.refresh_record_failure(
        pmids=pmids, run=run, error=error, requests=requests
    )


@shared_task
def plan_refresh_task() -> int:
    """Nightly: refresh every pending, failed, stale or unindexed publication."""
    return refresh_plan(trigger=RefreshRun.Trigger.SCHEDULED).pk


# -- adding publications and planning refresh runs ---------------------------------


@transaction.atomic
def publications_add(
    *,
    pmids: Iterable[int],
    trigger: str = RefreshRun.Trigger.NEW_PUBLICATION,
    fetch: bool = True,
) -> list[Publication]:
    """Add publications by PMID alone; new ones are fetched after commit."""
    wanted = sorted({parse_pmid(p) for p in pmids})
    existing = set(
        Publication.objects.filter(pmid__in=wanted).values_list("pmid", flat=True)
    )
    new = [Publication(pmid=pmid) for pmid in wanted if pmid not in existing]
    Publication.objects.bulk_create(new)
    if new and fetch:
        refresh_plan(pmids=[pub.pmid for pub in new], trigger=trigger)
    return list(Publication.objects.filter(pmid__in=wanted))


def due_pmids(*, now: datetime.datetime | None = None) -> list[int]:
    """PMIDs the nightly refresh should fetch: pending, failed, stale or unindexed."""
    due = Publication.objects.due_for_refresh(
        now=now or timezone.now(),
        stale_days=STALE_AFTER_DAYS,
        unindexed_days=UNINDEXED_AFTER_DAYS,
    )
    return list(due.order_by("pmid").values_list("pmid", flat=True))


@transaction.atomic
def refresh_plan(
    *, pmids: Sequence[int] | None = None, trigger: str, enqueue: bool = True
) -> RefreshRun:
    """Start a refresh run and enqueue one task per batch of at most 200 PMIDs."""
    pmids = due_pmids() if pmids is None else sorted(set(pmids))
    run = RefreshRun.objects.create(trigger=trigger, requested=len(pmids))
    if not pmids:
        run.finished_at = run.started_at
        run.save(update_fields=["finished_at"])
    elif enqueue:
        # After commit, so the worker never looks for a run that isn't there yet.
        transaction.on_commit(partial(_enqueue, run.pk, batches(pmids)))
    return run


def _enqueue(run_id: int, parts: list[list[int]]) -> None:
    """Send the batches to the broker; if it is down, say so on the run and on
    each paper not sent.

    The papers stay due (pending, or stale), so the next planned refresh picks
    them up.
    """
    for number, batch in enumerate(parts):
        try:
            refresh_publications_task.delay(run_id, batch)
        except OperationalError as exc:
            logger.error("Could not enqueue refresh run %s: %s", run_id, exc)
            unsent = [pmid for part in parts[number:] for pmid in part]
            now = timezone.now()
            RefreshRun.objects.filter(pk=run_id).update(
                errors=[f"Broker unavailable, {len(unsent)} PMIDs not queued: {exc}"],
                finished_at=now,
            )
            Publication.objects.filter(pmid__in=unsent).update(
                last_error=f"{NOT_QUEUED} (the task broker is unavailable); "
                "the next planned refresh tries again.",
                updated_at=now,
            )
            return
