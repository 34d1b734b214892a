"""Each list's CSV is its JSON records, flattened: the two cannot disagree."""

import csv
import io

import pytest

from claims.exports import csv_rows
from claims.services import claims_recompute_status
from tests.conftest import papers_confirm
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def csv_of(api, url: str) -> list[dict[str, str]]:
    response = api.get(url)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_records_cancer_types_are_one_cell_of_labels_in_label_order(api):
    EvidenceFactory(cancer_types=["melanoma", "breast-carcinoma"])

    (row,) = csv_of(api, "/api/v1/evidence/?format=csv")

    assert row["cancer_types"] == "breast carcinoma; melanoma"


def test_a_claims_csv_counts_are_its_strength_and_evidence_counts(api):
    claim = ClaimFactory(slug="counted")
    paper = PublicationFactory()
    EvidenceFactory(claim=claim, publication=paper)
    EvidenceFactory(claim=claim, publication=paper, effect="mixed")  # same paper
    EvidenceFactory(claim=claim, stance="refutes", effect="anti_tumor")
    EvidenceFactory(claim=claim, status="draft")
    papers_confirm()
    claims_recompute_status()

    (row,) = csv_of(api, "/api/v1/claims/?format=csv")
    body = api.get("/api/v1/claims/counted/").json()

    strength, counts = body["strength"], body["evidence_counts"]
    assert (row["papers"], row["papers_supporting"]) == ("2", "1")
    assert int(row["papers"]) == strength["papers"]
    assert int(row["papers_refuting"]) == strength["refuting"]
    assert int(row["evidence"]) == counts["total"] == 3
    assert int(row["supports"]) == counts["by_stance"]["supports"] == 2
    assert int(row["mixed"]) == counts["by_effect"]["mixed"] == 1


@pytest.mark.parametrize(
    ("resource", "table"),
    [
        ("evidence", csv_rows.EVIDENCE),
        ("claims", csv_rows.CLAIMS),
        ("publications", csv_rows.PUBLICATIONS),
        ("topics", csv_rows.TOPICS),
        ("reviews", csv_rows.REVIEWS),
    ],
)
def test_every_csv_cell_is_the_json_value_under_its_key(api, resource, table):
    EvidenceFactory(
        publication=PublicationFactory(is_retracted=True, year=None),
        finding="=SUM(A1) looks like a formula",
        quote='A "quoted", multi-line\nquote',
        cancer_types=["breast-carcinoma", "melanoma"],
    )

    rows = csv_of(api, f"/api/v1/{resource}/?format=csv")
    records = api.get(f"/api/v1/{resource}/").json()["results"]

    assert len(rows) == len(records) >= 1
    assert list(rows[0]) == list(table.columns)
    expected = [
        {column: str(csv_rows._cell(value)) for column, value in row.items()}
        for row in table.rows(records)
    ]
    assert rows == expected


def test_a_csv_column_is_named_as_the_filter_that_selects_on_it():
    """?retracted= on the evidence and the papers, ?workflow= on the evidence:
    their columns bear those names; no column is a "status" that means
    something else than the list's ?status= (the claim's)."""
    from claims.api.filters import EvidenceFilter, PublicationFilter
    from claims.exports.csv_rows import EVIDENCE, PUBLICATIONS

    assert {"retracted", "workflow"} <= set(EvidenceFilter.base_filters)
    assert "retracted" in PublicationFilter.base_filters
    assert EVIDENCE.columns["retracted"] == "publication.is_retracted"
    assert EVIDENCE.columns["workflow"] == "status"
    assert PUBLICATIONS.columns["retracted"] == "is_retracted"
    assert "status" not in EVIDENCE.columns
    assert "is_retracted" not in PUBLICATIONS.columns
