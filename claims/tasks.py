"""Celery tasks: thin wrappers that take ids and PMIDs and call a service.

Retries live here. Transient NCBI failures (timeouts, connection errors, 429, 5xx)
are retried with exponential backoff and jitter; permanent ones are recorded at once.
"""

import random

from celery import shared_task

from claims import citations
from claims.models import RefreshRun
from claims.pubmed import EutilsClient, PermanentNcbiError, TransientNcbiError

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
    self, run_id: int | None, pmids: list[int], requests: int = 0
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
    run = RefreshRun.objects.filter(pk=run_id).first()
    outcome = citations.refresh_apply(
        pmids=pmids, payloads=payloads, run=run, requests=requests
    )
    return outcome.__dict__


def _record_failure(
    run_id: int | None, pmids: list[int], error: str, requests: int
) -> None:
    run = RefreshRun.objects.filter(pk=run_id).first()
    citations.refresh_record_failure(
        pmids=pmids, run=run, error=error, requests=requests
    )


@shared_task
def plan_refresh_task() -> int:
    """Nightly: refresh every pending, failed, stale or unindexed publication."""
    return citations.refresh_plan(trigger=RefreshRun.Trigger.SCHEDULED).pk
