"""The citation refresh services, against the fake E-utilities server on 127.0.0.1."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from claims.literature import citations, tasks
from claims.literature.pubmed import PermanentNcbiError, TransientNcbiError
from claims.models import Claim, Publication, PublicationChange, RefreshRun
from claims.selectors import claims_drift
from claims.services import claims_recompute_status
from claims.status_rules import ClaimStatus, LeftOut
from claims.titles import titles_match
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db

ZHU, RUBIO, KARNOUB = 16214129, 15833829, 17914389


def pending(pmid: int, **fields) -> Publication:
    fields.setdefault("verification", Publication.Verification.UNVERIFIED)
    return PublicationFactory(
        pmid=pmid, metadata_state=Publication.MetadataState.PENDING, **fields
    )


def refresh(*pmids: int, run: RefreshRun | None = None):
    return citations.publications_refresh(pmids=list(pmids), run=run)


def test_refresh_fills_in_the_metadata_of_a_pending_publication(fake_eutils):
    pending(ZHU, title="", curated_title="")

    outcome = refresh(ZHU)

    pub = Publication.objects.get(pmid=ZHU)
    assert outcome == citations.BatchOutcome(changed=1, unchanged=0, missing=0)
    assert pub.metadata_state == Publication.MetadataState.CURRENT
    assert "tumor cell growth" in pub.title
    assert pub.journal_iso == "Exp Mol Pathol"
    assert pub.year == 2006
    assert pub.doi
    assert pub.authors
    assert pub.first_author == "Zhu"
    assert pub.fetched_at is not None
    assert len(pub.record_hash) == 64


def test_refreshing_an_unchanged_record_writes_no_field(fake_eutils):
    pending(ZHU)
    refresh(ZHU)
    changes_before = PublicationChange.objects.count()
    hash_before = Publication.objects.get(pmid=ZHU).record_hash

    outcome = refresh(ZHU)

    assert outcome.unchanged == 1
    assert outcome.changed == 0
    assert PublicationChange.objects.count() == changes_before
    assert Publication.objects.get(pmid=ZHU).record_hash == hash_before


def test_refresh_logs_every_changed_field_with_old_and_new_values(fake_eutils):
    pending(ZHU)
    refresh(ZHU)
    fake_eutils.articles[ZHU] = fake_eutils.articles[ZHU].replace(
        "<Volume>", "<Volume>9"
    )
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.COMMAND, requested=1)

    refresh(ZHU, run=run)

    change = PublicationChange.objects.get(run=run)
    assert change.field == "volume"
    assert change.new_value == "9" + change.old_value


def test_pmids_pubmed_does_not_return_are_marked_missing_and_kept(fake_eutils):
    pub = pending(99999999, title="A paper we had")

    outcome = refresh(99999999)

    pub.refresh_from_db()
    assert outcome.missing == 1
    assert pub.metadata_state == Publication.MetadataState.MISSING
    assert pub.title == "A paper we had"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("timeout", TransientNcbiError),
        ("429", TransientNcbiError),
        ("500", TransientNcbiError),
        ("400", PermanentNcbiError),
        ("malformed", PermanentNcbiError),
        ("html", PermanentNcbiError),
        ("error", PermanentNcbiError),
    ],
)
def test_old_metadata_survives_every_ncbi_failure(fake_eutils, settings, fault, error):
    pending(ZHU)
    refresh(ZHU)
    before = Publication.objects.filter(pmid=ZHU).values().get()
    fake_eutils.inject(fault)

    with pytest.raises(error):
        refresh(ZHU)
    citations.refresh_record_failure(pmids=[ZHU], error=f"{fault} happened")

    after = Publication.objects.filter(pmid=ZHU).values().get()
    assert after["last_error"] == f"{fault} happened"
    for field in ("title", "authors", "doi", "abstract", "record_hash"):
        assert after[field] == before[field]
    assert after["metadata_state"] == Publication.MetadataState.CURRENT


def test_a_failed_first_fetch_is_recorded_as_failed_not_lost(fake_eutils):
    pub = pending(ZHU, title="Checked title")
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.COMMAND, requested=1)

    citations.refresh_record_failure(pmids=[ZHU], run=run, error="timed out")

    pub.refresh_from_db()
    run.refresh_from_db()
    assert pub.metadata_state == Publication.MetadataState.FAILED
    assert pub.title == "Checked title"
    assert (run.failed, run.errors, run.finished_at is not None) == (
        1,
        ["timed out"],
        True,
    )


def test_a_refresh_of_450_pmids_makes_three_efetch_requests(fake_eutils):
    pmids = list(range(30_000_001, 30_000_451))
    fake_eutils.synthesize(pmids)
    Publication.objects.bulk_create(Publication(pmid=p) for p in pmids)

    citations.publications_refresh(pmids=pmids)

    assert len(fake_eutils.requests) == 3
    assert max(len(r[2]["id"]) for r in fake_eutils.requests) == 200
    assert Publication.objects.filter(metadata_state="current").count() == 450


def test_a_retraction_flags_the_evidence_and_reaches_the_claim_status(fake_eutils):
    claim = ClaimFactory()
    # Confirmed before PubMed retracted it.
    rubio = PublicationFactory(
        pmid=RUBIO, title="Spontaneous human adult stem cell transformation"
    )
    evidence = EvidenceFactory(claim=claim, publication=rubio)
    citations.claims_recompute_status(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPPORTED

    refresh(RUBIO)

    rubio.refresh_from_db()
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert rubio.is_retracted
    assert rubio.retraction_notice_pmid
    assert evidence.needs_rereview
    assert evidence.rereview_reason.startswith(citations.INTEGRITY_PREFIX)
    assert "retracted" in evidence.rereview_reason
    assert claim.status == ClaimStatus.INSUFFICIENT


def test_the_integrity_flag_clears_when_the_notice_disappears(fake_eutils):
    rubio = pending(RUBIO)
    evidence = EvidenceFactory(publication=rubio)
    refresh(RUBIO)
    article = fake_eutils.articles[RUBIO]
    start = article.index("<CommentsCorrectionsList>")
    end = article.index("</CommentsCorrectionsList>") + len(
        "</CommentsCorrectionsList>"
    )
    fake_eutils.articles[RUBIO] = (article[:start] + article[end:]).replace(
        '<PublicationType UI="D016441">Retracted Publication</PublicationType>', ""
    )

    refresh(RUBIO)

    evidence.refresh_from_db()
    assert not Publication.objects.get(pmid=RUBIO).is_retracted
    assert not evidence.needs_rereview
    assert evidence.rereview_reason == ""


def test_a_curators_own_rereview_flag_is_never_cleared(fake_eutils):
    pub = pending(ZHU)
    evidence = EvidenceFactory(
        publication=pub, needs_rereview=True, rereview_reason="Check the dose."
    )

    refresh(ZHU)

    evidence.refresh_from_db()
    assert (evidence.needs_rereview, evidence.rereview_reason) == (
        True,
        "Check the dose.",
    )


def test_a_materially_different_pubmed_title_flags_the_publication(fake_eutils):
    pending(ZHU, curated_title="Adipose stromal cells in glioma")

    refresh(ZHU)

    pub = Publication.objects.get(pmid=ZHU)
    assert pub.needs_review
    assert "is the PMID right?" in pub.review_note
    assert pub.verification == Publication.Verification.MISMATCH
    assert pub.awaiting_verification == LeftOut.TITLE_MISMATCH


def test_a_matching_title_confirms_an_unverified_pmid(fake_eutils):
    pending(
        ZHU,
        curated_title="Mesenchymal stem cells derived from bone marrow favor tumor "
        "cell growth in vivo",
        verification=Publication.Verification.UNVERIFIED,
    )

    refresh(ZHU)

    pub = Publication.objects.get(pmid=ZHU)
    assert pub.verification == Publication.Verification.VERIFIED
    assert not pub.needs_review


@pytest.mark.parametrize(
    ("checked", "pubmed", "same"),
    [
        (
            "Spontaneous human adult stem cell transformation",
            "Spontaneous Human Adult Stem Cell Transformation.",
            True,
        ),
        ("Stromal fibroblasts in cancer", "Marrow stromal cells as stem cells", False),
    ],
)
def test_titles_match_ignores_case_and_punctuation_only(checked, pubmed, same):
    assert titles_match(checked, pubmed) is same


def test_due_publications_are_pending_failed_stale_or_unindexed():
    now = timezone.now()
    old = now - datetime.timedelta(days=tasks.STALE_AFTER_DAYS + 1)
    week = now - datetime.timedelta(days=tasks.UNINDEXED_AFTER_DAYS + 1)
    PublicationFactory(pmid=1, metadata_state="pending")
    PublicationFactory(pmid=2, metadata_state="failed", fetched_at=now)
    PublicationFactory(
        pmid=3, metadata_state="current", fetched_at=old, medline_status="MEDLINE"
    )
    PublicationFactory(
        pmid=4, metadata_state="current", fetched_at=week, medline_status="In-Process"
    )
    PublicationFactory(
        pmid=5, metadata_state="current", fetched_at=week, medline_status="MEDLINE"
    )
    PublicationFactory(
        pmid=6, metadata_state="current", fetched_at=now, medline_status="Publisher"
    )

    assert tasks.due_pmids(now=now) == [1, 2, 3, 4]


def test_adding_pmids_keeps_the_good_ones_and_rejects_junk():
    with pytest.raises(ValidationError, match="'abc' is not a PMID"):
        tasks.publications_add(pmids=[16214129, "abc"], fetch=False)

    added = tasks.publications_add(pmids=["16214129", 16214129], fetch=False)

    assert [p.pmid for p in added] == [16214129]
    assert added[0].metadata_state == Publication.MetadataState.PENDING


@pytest.mark.parametrize(
    "value", ["0", "-4", "1.5", "", "99999999999", "²", "①", "9" * 5000]
)
def test_parse_pmid_rejects_what_is_not_a_positive_pmid(value):
    with pytest.raises(ValidationError):
        citations.parse_pmid(value)


def test_batches_never_exceed_two_hundred():
    sizes = [len(b) for b in citations.batches(list(range(401)))]

    assert sizes == [200, 200, 1]


def test_evidence_flagged_for_rereview_does_not_stop_counting_until_retracted():
    evidence = EvidenceFactory(needs_rereview=True)

    claims_recompute_status()

    evidence.claim.refresh_from_db()
    assert evidence.claim.n_supporting == 1


def test_a_paper_added_by_pmid_claims_no_check_before_pubmed_answers():
    (pub,) = tasks.publications_add(pmids=[ZHU], fetch=False)

    assert pub.verification == Publication.Verification.UNVERIFIED
    assert pub.awaiting_verification == LeftOut.NOT_FETCHED


def test_evidence_starts_counting_once_pubmed_confirms_its_paper(fake_eutils):
    evidence = EvidenceFactory(publication=pending(ZHU, curated_title=""))
    claims_recompute_status()
    claim = evidence.claim
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INSUFFICIENT
    assert claim.left_out == {"not_fetched": 1}

    refresh(ZHU)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPPORTED
    assert claim.left_out == {}


def test_a_title_pubmed_contradicts_keeps_the_evidence_uncounted(fake_eutils):
    paper = pending(ZHU, curated_title="Adipose stromal cells in glioma")
    evidence = EvidenceFactory(publication=paper)

    refresh(ZHU)

    evidence.claim.refresh_from_db()
    assert evidence.claim.status == ClaimStatus.INSUFFICIENT
    assert evidence.claim.left_out == {"title_mismatch": 1}
    assert "PubMed's title differs" in evidence.claim.status_reason


def test_a_paper_pubmed_stops_returning_stops_counting(fake_eutils):
    evidence = EvidenceFactory(publication=PublicationFactory(pmid=99999998))
    claims_recompute_status()

    refresh(99999998)

    evidence.claim.refresh_from_db()
    assert evidence.claim.status == ClaimStatus.INSUFFICIENT
    assert evidence.claim.left_out == {"missing": 1}


def test_a_payload_survives_the_broker_as_json(fake_eutils):
    from claims.literature.pubmed import parse_pubmed_xml

    record = parse_pubmed_xml(fake_eutils.document([16636132]).encode())[0]
    payload = citations.record_payload(record)

    assert json.loads(json.dumps(payload)) == payload
    assert payload["hash"] == record.record_hash
    assert payload["fields"]["date_revised"] == record.date_revised.isoformat()


def test_a_refresh_that_renames_a_papers_author_renames_it_in_status_reasons():
    claim = ClaimFactory()
    for stance, delivery in [("supports", "co_injection"), ("refutes", "systemic")]:
        for _ in range(2):
            EvidenceFactory(claim=claim, stance=stance, delivery=delivery)
    # Delivery mostly separates the sides; the reason names the one exception.
    outlier = EvidenceFactory(claim=claim, publication__first_author="Old")
    claims_recompute_status(claim_ids=[claim.pk])
    assert "Old 2006" in Claim.objects.get(pk=claim.pk).status_reason
    payload = {"pmid": outlier.publication.pmid, "hash": "new", "fields": {}}
    payload["fields"] = {"first_author": "New", "year": 2007}

    citations.refresh_apply(pmids=[payload["pmid"]], payloads=[payload])

    assert "New 2007" in Claim.objects.get(pk=claim.pk).status_reason
    assert claims_drift() == []
