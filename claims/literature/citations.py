"""Services that keep publications' citation metadata in step with PubMed.

The path of a PMID: a publication is added (pending, claims.literature.tasks),
a refresh batch fetches up to 200 records through claims.literature.pubmed, and
each record is applied here: written only when its hash changed, every changed
field logged, integrity notices passed on to the evidence that rests on the
paper, claim statuses recomputed. Nothing here ever
deletes a publication or wipes metadata because NCBI failed.
"""

import datetime
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.literature.pubmed import BATCH_SIZE, EutilsClient, PubmedRecord
from claims.models import Evidence, Publication, PublicationChange, RefreshRun
from claims.services import claims_recompute_status
from claims.titles import publication_check_title

logger = logging.getLogger(__name__)

INTEGRITY_PREFIX = "Integrity: "
INTEGRITY_FIELDS = (
    "is_retracted",
    "retraction_notice_pmid",
    "expression_of_concern_pmids",
    "erratum_pmids",
    "superseded_by_pmid",
)
MAX_PMID = 2**31 - 1
BOOKKEEPING_FIELDS = [
    "record_hash",
    "metadata_state",
    "fetched_at",
    "updated_at",
    "last_error",
    "verification",
    "needs_review",
    "review_note",
]


@dataclass(frozen=True)
class BatchOutcome:
    changed: int
    unchanged: int
    missing: int


def batches(pmids: Sequence[int], size: int = BATCH_SIZE) -> list[list[int]]:
    """Split PMIDs into efetch batches of at most `size`."""
    return [list(pmids[i : i + size]) for i in range(0, len(pmids), size)]


def parse_pmid(value: object) -> int:
    """A PMID as a positive integer, or a ValidationError naming the bad value."""
    text = str(value).strip()
    # ASCII digits, few enough for int(): str.isdigit() also accepts "²".
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PMID))
    if not digits or not 0 < int(text) <= MAX_PMID:
        raise ValidationError(f"'{value}' is not a PMID (a positive whole number).")
    return int(text)


def pmids_parse(text: str) -> tuple[list[int], list[str]]:
    """Split pasted text into valid PMIDs and the tokens that are not PMIDs."""
    good, bad = [], []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        try:
            good.append(parse_pmid(token))
        except ValidationError:
            bad.append(token)
    return good, bad


# -- applying what PubMed returned ----------------------------------------------


def record_payload(record: PubmedRecord) -> dict:
    """A parsed record as JSON-safe model fields plus its hash: what apply needs.

    JSON-safe, so a fetch on the ncbi queue can hand it to a worker on the
    default queue through the broker.
    """
    fields = {name: _jsonable(v) for name, v in record.model_fields().items()}
    del fields["pmid"]
    return {"pmid": record.pmid, "hash": record.record_hash, "fields": fields}


def refresh_fetch(
    *, pmids: Sequence[int], client: EutilsClient | None = None
) -> list[dict]:
    """Fetch one batch from PubMed as payloads. NcbiError propagates to the caller."""
    client = client or EutilsClient.from_settings()
    return [record_payload(r) for r in client.fetch(pmids).records.values()]


def publications_refresh(
    *,
    pmids: Sequence[int],
    run: RefreshRun | None = None,
    client: EutilsClient | None = None,
) -> BatchOutcome:
    """Fetch one batch from PubMed and apply it, in this process."""
    client = client or EutilsClient.from_settings()
    before = client.requests_made
    payloads = refresh_fetch(pmids=pmids, client=client)
    requests = client.requests_made - before
    return refresh_apply(pmids=pmids, payloads=payloads, run=run, requests=requests)


@transaction.atomic
def refresh_apply(
    *,
    pmids: Sequence[int],
    payloads: Sequence[dict],
    run: RefreshRun | None = None,
    requests: int | None = None,
) -> BatchOutcome:
    """Apply fetched records: write the changed ones, mark missing PMIDs, and
    recompute the claims whose evidence starts or stops counting.

    `requests`: the efetch requests the batch took, retries included (one per
    200 PMIDs when the caller did not count them).
    """
    now = timezone.now()
    publications = Publication.objects.in_bulk(pmids, field_name="pmid")
    before = {pmid: pub.awaiting_verification for pmid, pub in publications.items()}
    returned = {payload["pmid"] for payload in payloads}
    changed, changes, unchanged, notices = [], [], [], []
    for payload in payloads:
        publication = publications.get(payload["pmid"])
        if publication is None:
            continue  # not asked for; never create papers behind a curator's back
        diffs = _publication_apply(publication, payload, now)
        if diffs is None:
            unchanged.append(publication.pmid)
            continue
        publication.skip_history_when_saving = True  # PublicationChange logs it
        publication.save(update_fields=[*payload["fields"], *BOOKKEEPING_FIELDS])
        changed.append(publication)
        changes += _change_log(publication, diffs, run)
        if diffs.keys() & set(INTEGRITY_FIELDS):
            notices.append(publication)
    PublicationChange.objects.bulk_create(changes)
    Publication.objects.filter(pmid__in=unchanged).update(
        fetched_at=now, last_error="", updated_at=now
    )
    missing = [pmid for pmid in pmids if pmid not in returned]
    Publication.objects.filter(pmid__in=missing).update(
        metadata_state=Publication.MetadataState.MISSING,
        fetched_at=now,
        last_error="PubMed returned no record for this PMID.",
        updated_at=now,
    )
    for pmid in set(missing) & publications.keys():
        publications[pmid].metadata_state = Publication.MetadataState.MISSING
    # A paper's author and year name it in status reasons; its confirmation
    # decides whether its evidence counts at all.
    recount = [pub.pk for pub in changed] + [
        pub.pk
        for pmid, pub in publications.items()
        if pub.awaiting_verification != before[pmid]
    ]
    _integrity_notices_apply(notices, recount)
    outcome = BatchOutcome(len(changed), len(unchanged), len(missing))
    if run is not None:
        if requests is None:
            requests = math.ceil(len(pmids) / BATCH_SIZE)
        _run_count(run, outcome, requests=requests)
    return outcome


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _publication_apply(
    publication: Publication, payload: dict, now: datetime.datetime
) -> dict[str, tuple] | None:
    """Set a record's fields on the publication (unsaved); None if nothing changed."""
    current = publication.metadata_state == Publication.MetadataState.CURRENT
    if current and publication.record_hash == payload["hash"]:
        return None
    fields = payload["fields"]
    diffs = {
        name: (getattr(publication, name), value)
        for name, value in fields.items()
        if _jsonable(getattr(publication, name)) != _jsonable(value)
    }
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.record_hash = payload["hash"]
    publication.metadata_state = Publication.MetadataState.CURRENT
    publication.fetched_at = publication.updated_at = now
    publication.last_error = ""
    publication_check_title(publication)
    return diffs


def _change_log(
    publication: Publication, diffs: dict[str, tuple], run: RefreshRun | None
) -> list[PublicationChange]:
    """Changes worth a line: a value that was there before, or any integrity flag.

    A first fetch fills dozens of empty fields; logging each would bury the
    changes that matter (a new title, a retraction).
    """
    return [
        PublicationChange(
            run=run,
            publication=publication,
            field=name,
            old_value=_jsonable(old),
            new_value=_jsonable(new),
        )
        for name, (old, new) in diffs.items()
        if old not in ("", None, []) or name in INTEGRITY_FIELDS
    ]


def _integrity_notices_apply(
    publications: list[Publication], recount: list[int]
) -> None:
    """Pass changed integrity notices on to evidence, and recompute the claims
    they touch and those of the papers to `recount`."""
    claims: set[int] = set(
        Evidence.objects.filter(publication__in=recount).values_list(
            "claim_id", flat=True
        )
    )
    for publication in publications:
        claims |= evidence_flag_integrity(publication=publication)
    if claims:
        claims_recompute_status(claim_ids=claims)


def integrity_reasons(publication: Publication) -> list[str]:
    """Why evidence on this paper needs another look, from its PubMed notices."""
    reasons = []
    if publication.is_retracted:
        notice = publication.retraction_notice_pmid
        reasons.append(f"retracted{f' (notice PMID {notice})' if notice else ''}")
    if publication.expression_of_concern_pmids:
        pmids = ", ".join(map(str, publication.expression_of_concern_pmids))
        reasons.append(f"expression of concern (PMID {pmids})")
    if publication.erratum_pmids:
        pmids = ", ".join(map(str, publication.erratum_pmids))
        reasons.append(f"erratum (PMID {pmids})")
    if publication.superseded_by_pmid:
        reasons.append(f"superseded by PMID {publication.superseded_by_pmid}")
    return reasons


def evidence_flag_integrity(*, publication: Publication) -> set[int]:
    """Flag (or clear) re-review on the paper's evidence; return affected claim ids.

    Only flags this function set are cleared, so a curator's own flag stays.
    """
    reasons = integrity_reasons(publication)
    text = f"{INTEGRITY_PREFIX}{'; '.join(reasons)}" if reasons else ""
    claims = set()
    for evidence in Evidence.objects.filter(publication=publication):
        claims.add(evidence.claim_id)
        automatic = evidence.rereview_reason.startswith(INTEGRITY_PREFIX)
        if text and evidence.rereview_reason != text:
            evidence.needs_rereview = True
            evidence.rereview_reason = text
        elif not text and automatic:
            evidence.needs_rereview = False
            evidence.rereview_reason = ""
        else:
            continue
        evidence._change_reason = "PubMed integrity notice changed"
        evidence.save(update_fields=["needs_rereview", "rereview_reason", "updated_at"])
    return claims


def _run_count(run: RefreshRun, outcome: BatchOutcome, *, requests: int) -> None:
    RefreshRun.objects.filter(pk=run.pk).update(
        changed=F("changed") + outcome.changed,
        unchanged=F("unchanged") + outcome.unchanged,
        missing=F("missing") + outcome.missing,
        requests_made=F("requests_made") + requests,
    )
    _run_finish_if_done(run)


def _run_finish_if_done(run: RefreshRun) -> None:
    run.refresh_from_db()
    if run.finished_at is None and run.processed >= run.requested:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])


@transaction.atomic
def refresh_record_failure(
    *,
    pmids: Sequence[int],
    error: str,
    run: RefreshRun | None = None,
    requests: int | None = None,
) -> None:
    """Record a batch that could not be fetched; the metadata we had stays.

    `requests`: the efetch requests tried for it (one per 200 PMIDs when the
    caller did not count them).
    """
    logger.warning("PubMed refresh of %d PMIDs failed: %s", len(pmids), error)
    publications = Publication.objects.filter(pmid__in=pmids)
    publications.update(last_error=error[:2000], updated_at=timezone.now())
    # Only never-fetched papers change state; fetched ones keep "current".
    publications.filter(
        metadata_state__in=[
            Publication.MetadataState.PENDING,
            Publication.MetadataState.FAILED,
        ]
    ).update(metadata_state=Publication.MetadataState.FAILED)
    if run is not None:
        if requests is None:
            requests = math.ceil(len(pmids) / BATCH_SIZE)
        RefreshRun.objects.filter(pk=run.pk).update(
            failed=F("failed") + len(pmids),
            requests_made=F("requests_made") + requests,
        )
        run.refresh_from_db()
        run.errors = [*run.errors, error[:2000]]
        run.save(update_fields=["errors"])
        _run_finish_if_done(run)
