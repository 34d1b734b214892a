"""Celery tasks, run eagerly in-process against the fake E-utilities server."""

import pytest
from celery.schedules import crontab

from claims.literature import tasks
from claims.models import Publication, RefreshRun
from portal.celery import app as celery_app
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

ZHU = 16214129


@pytest.fixture
def run():
    return RefreshRun.objects.create(trigger=RefreshRun.Trigger.COMMAND, requested=1)


def test_a_429_is_retried_and_the_batch_then_succeeds(fake_eutils, eager, run):
    PublicationFactory(pmid=ZHU, metadata_state="pending")
    fake_eutils.inject("429")

    tasks.refresh_publications_task.apply(args=[run.pk, [ZHU]])

    run.refresh_from_db()
    assert len(fake_eutils.requests) == 2
    assert Publication.objects.get(pmid=ZHU).metadata_state == "current"
    assert (run.changed, run.failed, run.finished_at is not None) == (1, 0, True)


def test_a_permanent_failure_is_recorded_without_retrying(fake_eutils, run):
    PublicationFactory(pmid=ZHU, metadata_state="pending", title="Checked")
    fake_eutils.inject("malformed")

    tasks.refresh_publications_task.apply(args=[run.pk, [ZHU]])

    run.refresh_from_db()
    pub = Publication.objects.get(pmid=ZHU)
    assert len(fake_eutils.requests) == 1
    assert (pub.metadata_state, pub.title) == ("failed", "Checked")
    assert run.failed == 1
    assert run.errors


def test_the_task_gives_up_after_its_retries_and_records_the_failure(fake_eutils, run):
    PublicationFactory(pmid=ZHU, metadata_state="pending")
    for _ in range(tasks.MAX_RETRIES + 1):
        fake_eutils.inject("500")

    tasks.refresh_publications_task.apply(args=[run.pk, [ZHU]])

    run.refresh_from_db()
    assert len(fake_eutils.requests) == tasks.MAX_RETRIES + 1
    assert run.failed == 1
    assert run.errors[0].startswith("gave up")


def test_an_empty_answer_for_a_large_batch_is_retried_not_marked_missing(
    fake_eutils, eager
):
    pmids = list(range(40_000_001, 40_000_055))
    fake_eutils.synthesize(pmids)
    Publication.objects.bulk_create(Publication(pmid=p) for p in pmids)
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.COMMAND, requested=54)
    fake_eutils.inject("empty")

    tasks.refresh_publications_task.apply(args=[run.pk, pmids])

    run.refresh_from_db()
    states = set(Publication.objects.values_list("metadata_state", flat=True))
    assert states == {"current"}
    assert (run.changed, run.missing, run.failed) == (54, 0, 0)
    assert run.requests_made == len(fake_eutils.requests) == 2


def test_a_run_that_gave_up_counts_every_request_it_made(fake_eutils, run):
    PublicationFactory(pmid=ZHU, metadata_state="pending")
    for _ in range(tasks.MAX_RETRIES + 1):
        fake_eutils.inject("500")

    tasks.refresh_publications_task.apply(args=[run.pk, [ZHU]])

    run.refresh_from_db()
    assert run.failed == 1
    assert run.requests_made == len(fake_eutils.requests) == tasks.MAX_RETRIES + 1


def test_a_permanent_failure_counts_its_one_request(fake_eutils, run):
    PublicationFactory(pmid=ZHU, metadata_state="pending")
    fake_eutils.inject("400")

    tasks.refresh_publications_task.apply(args=[run.pk, [ZHU]])

    run.refresh_from_db()
    assert (run.failed, run.requests_made) == (1, 1)


@pytest.mark.parametrize("attempt", range(6))
def test_retry_delay_grows_exponentially_with_jitter(attempt):
    ceiling = min(tasks.BACKOFF_CAP_SECONDS, tasks.BACKOFF_BASE_SECONDS * 2**attempt)
    delays = {tasks.retry_delay(attempt) for _ in range(20)}

    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(delays) > 1


def test_retry_delay_never_comes_before_ncbis_retry_after():
    assert tasks.retry_delay(0, retry_after=120) == 120


def test_retry_delay_is_capped():
    assert tasks.retry_delay(30) <= tasks.BACKOFF_CAP_SECONDS


def test_the_planner_fetches_all_due_papers_in_batches_of_200(
    fake_eutils, eager, django_capture_on_commit_callbacks
):
    pmids = list(range(40_000_001, 40_000_251))
    fake_eutils.synthesize(pmids)
    Publication.objects.bulk_create(Publication(pmid=p) for p in pmids)

    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.plan_refresh_task.apply().get()

    run = RefreshRun.objects.get(pk=run_id)
    assert [len(r[2]["id"]) for r in fake_eutils.requests] == [200, 50]
    assert (run.trigger, run.requested, run.changed) == ("scheduled", 250, 250)
    assert run.requests_made == 2
    assert run.finished_at is not None


def test_a_new_publication_is_fetched_after_commit(
    fake_eutils, eager, django_capture_on_commit_callbacks
):
    from claims.literature.tasks import publications_add

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publications_add(pmids=[ZHU])
        assert fake_eutils.requests == []

    assert len(callbacks) == 1
    assert Publication.objects.get(pmid=ZHU).metadata_state == "current"


def test_beat_runs_the_planner_nightly_at_one_in_new_york():
    entry = celery_app.conf.beat_schedule["refresh-citations-nightly"]

    assert entry["task"] == "claims.literature.tasks.plan_refresh_task"
    assert entry["schedule"] == crontab(hour=1, minute=0)
    assert celery_app.conf.timezone == "America/New_York"


def queue_of(task) -> str:
    return celery_app.amqp.router.route({}, task.name)["queue"].name


def test_fetches_go_to_the_ncbi_queue_and_writes_to_the_default_queue():
    assert queue_of(tasks.refresh_publications_task) == "ncbi"
    assert queue_of(tasks.apply_refresh_task) == "celery"


@pytest.mark.parametrize(
    "task", [tasks.refresh_publications_task, tasks.apply_refresh_task]
)
def test_refresh_tasks_are_redelivered_when_a_worker_dies(task):
    assert task.acks_late
    assert task.reject_on_worker_lost


def use_broker(url: str) -> None:
    """Point the app at another broker; kombu keeps one pool per broker URL."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_broker_outage_is_recorded_on_the_run_and_the_papers_stay_due(
    django_capture_on_commit_callbacks,
):
    from claims.literature.tasks import due_pmids, refresh_plan

    PublicationFactory(pmid=ZHU, metadata_state="pending")
    previous = celery_app.conf.broker_url
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = refresh_plan(pmids=[ZHU], trigger=RefreshRun.Trigger.ADMIN)
    finally:
        use_broker(previous)

    run.refresh_from_db()
    assert run.errors[0].startswith("Broker unavailable, 1 PMIDs not queued")
    assert run.finished_at is not None
    assert due_pmids() == [ZHU]
