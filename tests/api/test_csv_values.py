"""The evidence CSV export read as plain values writes what its serializer writes."""

import pytest

from claims.api.renderers import CSVRenderer
from claims.exports import csv_rows
from claims.models import Evidence
from tests.factories import EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_the_value_columns_are_the_serializers_columns_in_its_order():
    fields = list(csv_rows.EvidenceCsvSerializer().fields)
    computed = set(csv_rows.EvidenceCsvSerializer.plain_values)

    columns = [f for f in fields if f not in computed]
    assert list(csv_rows.EVIDENCE_CSV_VALUES) == columns
    assert computed == {"cancer_types"}


def test_a_records_cancer_types_are_one_cell_of_labels_in_label_order(api):
    EvidenceFactory(cancer_types=["melanoma", "breast-carcinoma"])

    response = api.get("/api/v1/evidence/?format=csv")
    header, row = b"".join(response.streaming_content).decode().splitlines()[:2]

    cell = dict(zip(header.split(","), row.split(","), strict=True))["cancer_types"]
    assert cell == "breast carcinoma; melanoma"


def test_the_export_writes_the_rows_the_serializer_writes(api):
    EvidenceFactory(
        publication=PublicationFactory(is_retracted=True, year=None),
        finding="=SUM(A1) looks like a formula",
        quote='A "quoted", multi-line\nquote',
        msc_tumor_ratio="1:4",
    )
    EvidenceFactory(
        cancer_types=["breast-carcinoma", "melanoma"], delivery="co_injection"
    )
    serializer = csv_rows.EvidenceCsvSerializer()
    columns = list(serializer.fields)
    renderer = CSVRenderer()
    records = Evidence.objects.order_by(*Evidence._meta.ordering)
    expected = "".join(
        renderer.stream((serializer.to_representation(e) for e in records), columns)
    )

    response = api.get("/api/v1/evidence/?format=csv")

    assert b"".join(response.streaming_content).decode() == expected
