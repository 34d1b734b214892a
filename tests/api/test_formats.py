import csv
import io
import json
import tracemalloc

import jsonschema
import pytest

from claims.api.views import PortalViewSet
from claims.exports import citation_formats
from claims.models import Claim, Publication
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LISTS = ["reviews", "topics", "claims", "evidence", "publications"]

KARNOUB = {
    "pmid": 17914389,
    "title": "Mesenchymal stem cells within tumour stroma promote breast cancer "
    "metastasis",
    "authors": [
        {"last_name": "Karnoub", "fore_name": "Antoine E", "initials": "AE"},
        {"last_name": "Weinberg", "fore_name": "Robert A", "initials": "RA"},
        {"collective_name": "The MSC & Tumour {Stroma} Consortium"},
    ],
    "first_author": "Karnoub",
    "journal": "Nature",
    "journal_iso": "Nature",
    "volume": "449",
    "issue": "7162",
    "pages": "557-63",
    "pub_date": "2007 Oct 4",
    "year": 2007,
    "doi": "10.1038/nature06188",
    "pmcid": "PMC1234567",
    "abstract": "Tumour growth rose by 50% when_MSC were co-injected.",
}


@pytest.fixture
def karnoub():
    return PublicationFactory(**KARNOUB)


def streamed(response) -> str:
    assert response.streaming, "exports must be streamed"
    return b"".join(response.streaming_content).decode()


def test_every_list_streams_the_whole_filtered_list_as_csv(api):
    ReviewFactory()
    EvidenceFactory.create_batch(3)

    for name in LISTS:
        response = api.get(f"/api/v1/{name}/?format=csv&page_size=1")
        rows = list(csv.DictReader(io.StringIO(streamed(response))))

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].endswith('.csv"')
        assert len(rows) == api.get(f"/api/v1/{name}/").json()["count"] > 1, name


def test_csv_is_chosen_by_the_accept_header_too(api):
    ClaimFactory(slug="one", statement='Says "yes", then no.')

    response = api.get("/api/v1/claims/", HTTP_ACCEPT="text/csv")
    (row,) = csv.DictReader(io.StringIO(streamed(response)))

    assert row["slug"] == "one"
    assert row["statement"] == 'Says "yes", then no.'
    assert row["supports"] == "0"


def test_the_claims_csv_carries_status_and_counts_by_stance_and_effect(api):
    claim = ClaimFactory(slug="counted")
    EvidenceFactory.create_batch(2, claim=claim)
    EvidenceFactory(claim=claim, stance="refutes", effect="anti_tumor")
    Claim.objects.filter(pk=claim.pk).update(status_rules_version="1.10")

    (row,) = csv.DictReader(
        io.StringIO(streamed(api.get("/api/v1/claims/?format=csv")))
    )

    # Text a spreadsheet keeps: "1.10" would be read as the number 1.1.
    assert row["status_rules_version"] == "v1.10"
    assert (row["evidence"], row["supports"], row["refutes"]) == ("3", "2", "1")
    assert (row["pro_tumor"], row["anti_tumor"]) == ("2", "1")


def test_the_csv_export_applies_the_filters(api):
    EvidenceFactory(claim__slug="pro", stance="supports")
    EvidenceFactory(claim__slug="con", stance="refutes")

    body = streamed(api.get("/api/v1/claims/?format=csv&stance=refutes"))

    assert [row["slug"] for row in csv.DictReader(io.StringIO(body))] == ["con"]


def test_the_csv_export_goes_past_the_largest_page(api):
    Publication.objects.bulk_create(Publication(pmid=n) for n in range(1, 602))

    body = streamed(api.get("/api/v1/publications/?format=csv"))

    assert len(body.splitlines()) == 1 + 601


def test_the_csv_export_runs_in_constant_memory(api, monkeypatch):
    monkeypatch.setattr("claims.exports.plans.CHUNK_ROWS", 100)
    Publication.objects.bulk_create(
        Publication(pmid=n, title="x" * 4000) for n in range(1, 1201)
    )
    streamed(api.get("/api/v1/publications/?format=csv&year_min=2000"))  # warm up

    tracemalloc.start()
    size = sum(map(len, api.get("/api/v1/publications/?format=csv").streaming_content))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    # ~5 MB went out while at most a third of that was ever held in memory
    # (measured: ~1 MB whether 1, 3 or 9 MB go out).
    assert size > 4_800_000
    assert peak < size / 3


def test_a_publication_as_ris_has_the_tags_zotero_reads(api, karnoub):
    response = api.get("/api/v1/publications/17914389/?format=ris")
    lines = response.content.decode().split("\r\n")

    assert (
        response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    )
    assert lines[:2] == ["TY  - JOUR", "ID  - pmid17914389"]
    assert lines[2:5] == [
        "AU  - Karnoub, Antoine E",
        "AU  - Weinberg, Robert A",
        "AU  - The MSC & Tumour {Stroma} Consortium",
    ]
    for line in [
        f"TI  - {KARNOUB['title']}",
        "T2  - Nature",
        "JO  - Nature",
        "PY  - 2007",
        "VL  - 449",
        "IS  - 7162",
        "SP  - 557",
        "EP  - 563",
        "DO  - 10.1038/nature06188",
        "AN  - 17914389",
    ]:
        assert line in lines
    assert lines[-3:] == ["ER  - ", "", ""]


def test_a_publication_as_bibtex_is_an_article_with_its_specials_escaped(api, karnoub):
    response = api.get("/api/v1/publications/17914389/?format=bibtex")
    entry = response.content.decode()

    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert entry.startswith("@article{pmid17914389,\n")
    assert (
        "  author = {Karnoub, Antoine E and Weinberg, Robert A and "
        r"{The MSC \& Tumour \{Stroma\} Consortium}},"
    ) in entry
    assert "  pages = {557--563},\n" in entry
    assert "  doi = {10.1038/nature06188},\n" in entry
    assert (
        r"  abstract = {Tumour growth rose by 50\% when\_MSC were co-injected.},"
        in entry
    )
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(
        r"\}"
    )
    assert entry.endswith("}\n\n")


def test_bibtex_escapes_every_special_character():
    assert citation_formats.bibtex_escape(r"a\b{c}&%$#_~^") == (
        r"a\textbackslash{}b\{c\}\&\%\$\#\_\textasciitilde{}\textasciicircum{}"
    )


# The CSL data schema's rules for the variables we write (csl-data.json).
CSL_STRINGS = ["title", "container-title", "container-title-short", "abstract"]
CSL_STRINGS += ["DOI", "PMID", "PMCID", "URL", "note"]
CSL_ITEMS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["type", "id"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": ["article-journal"]},
            "id": {"type": ["string", "number"]},
            "author": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "family": {"type": "string"},
                        "given": {"type": "string"},
                        "literal": {"type": "string"},
                    },
                },
            },
            "issued": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "date-parts": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 2,
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 3,
                            "items": {"type": ["string", "number"]},
                        },
                    }
                },
            },
            **{key: {"type": "string"} for key in CSL_STRINGS},
            **{
                key: {"type": ["string", "number"]}
                for key in ("volume", "issue", "page")
            },
        },
    },
}


def test_a_publication_as_csl_json_follows_the_csl_data_schema(api, karnoub):
    response = api.get("/api/v1/publications/17914389/?format=csljson")
    items = json.loads(response.content)

    jsonschema.validate(items, CSL_ITEMS)
    (item,) = items
    assert item["author"] == [
        {"family": "Karnoub", "given": "Antoine E"},
        {"family": "Weinberg", "given": "Robert A"},
        {"literal": "The MSC & Tumour {Stroma} Consortium"},
    ]
    assert item["issued"] == {"date-parts": [[2007, 10, 4]]}
    assert (item["container-title"], item["page"]) == ("Nature", "557-563")
    assert (item["PMID"], item["PMCID"], item["DOI"]) == (
        "17914389",
        "PMC1234567",
        "10.1038/nature06188",
    )


def test_the_publication_list_exports_every_citation_format(api, karnoub):
    PublicationFactory(pmid=2585025, title="Second", year=1989)

    ris = streamed(api.get("/api/v1/publications/?format=ris"))
    bib = streamed(api.get("/api/v1/publications/?format=bibtex"))
    items = json.loads(streamed(api.get("/api/v1/publications/?format=csljson")))

    assert ris.count("TY  - JOUR") == ris.count("ER  - ") == 2
    assert bib.count("@article{") == 2
    jsonschema.validate(items, CSL_ITEMS)
    assert {item["PMID"] for item in items} == {"17914389", "2585025"}


def test_citation_formats_are_chosen_by_the_accept_header(api, karnoub):
    bib = api.get("/api/v1/publications/17914389/", HTTP_ACCEPT="application/x-bibtex")
    csl = api.get(
        "/api/v1/publications/",
        HTTP_ACCEPT="application/vnd.citationstyles.csl+json",
    )

    assert bib.content.startswith(b"@article{")
    assert json.loads(streamed(csl))[0]["PMID"] == "17914389"


def test_a_retracted_paper_says_so_in_every_citation_format(api):
    PublicationFactory(pmid=555, is_retracted=True, retraction_notice_pmid=556)

    for fmt in ("ris", "bibtex", "csljson"):
        body = api.get(f"/api/v1/publications/555/?format={fmt}").content.decode()
        assert "Retracted (notice: PMID 556)" in body, fmt


def test_an_error_in_an_export_format_is_still_json(api):
    response = api.get("/api/v1/claims/?format=csv&status=proven")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["fields"] == {
        "status": ["Select a valid choice. proven is not one of the available choices."]
    }


def test_a_format_an_endpoint_does_not_offer_is_a_400(api):
    ClaimFactory(slug="c")

    response = api.get("/api/v1/claims/c/?format=csv")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"format": ["Choose one of: json."]}


def test_an_accept_header_no_format_satisfies_is_a_406(api):
    response = api.get("/api/v1/claims/", HTTP_ACCEPT="image/png")

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("249-61", ("249", "261")),
        ("1234-9", ("1234", "1239")),
        ("557-563", ("557", "563")),
        ("e1001", ("e1001", "")),
        ("", ("", "")),
        ("S12-S19", ("S12", "S19")),
    ],
)
def test_medline_page_ranges_are_expanded(pages, expected):
    assert citation_formats.expand_pages(pages) == expected


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        ("2010 Jun", [2010, 6]),
        ("2007 Oct 4", [2007, 10, 4]),
        ("2010", [2010]),
        ("2008 Spring", [2008]),
        ("2009 Jan-Feb", [2009]),
        ("1998 Dec-1999 Jan", [1998]),
    ],
)
def test_publication_dates_become_csl_date_parts(pub_date, expected):
    year = expected[0]
    assert citation_formats.date_parts({"year": year, "pub_date": pub_date}) == expected


def test_every_list_offers_csv_and_nothing_else_offers_it():
    assert all(
        "csv" in [r.format for r in v.list_renderer_classes] for v in _viewsets()
    )
    assert not any(
        r.format == "csv" for v in _viewsets() for r in v.detail_renderer_classes
    )


def _viewsets():
    from claims.api.urls import router

    return [
        viewset
        for _, viewset, _ in router.registry
        if issubclass(viewset, PortalViewSet)
    ]


def test_topics_export_without_pagination_even_when_asked_for_a_page(api):
    TopicFactory.create_batch(3)

    body = streamed(api.get("/api/v1/topics/?format=csv&page=2&page_size=1"))

    assert len(body.splitlines()) == 4


def test_every_integrity_notice_is_in_every_citation_format(api):
    PublicationFactory(
        pmid=555,
        is_retracted=True,
        retraction_notice_pmid=556,
        expression_of_concern_pmids=[557],
        erratum_pmids=[558, 559],
        superseded_by_pmid=560,
    )
    note = (
        "Retracted (notice: PMID 556). Expression of concern: PMID 557. "
        "Erratum: PMID 558, PMID 559. Updated version: PMID 560"
    )

    for fmt in ("ris", "bibtex", "csljson"):
        body = api.get(f"/api/v1/publications/555/?format={fmt}").content.decode()
        assert note in body, fmt
    (item,) = api.get("/api/v1/publications/555/?format=csljson").json()
    assert item["status"] == "retracted"


def test_a_paper_known_by_its_first_author_alone_is_cited_with_et_al(api):
    PublicationFactory(pmid=1234, authors=[], first_author="Karnoub AE")

    bib = api.get("/api/v1/publications/1234/?format=bibtex").content.decode()

    assert "author = {Karnoub AE and others}," in bib


def test_each_export_has_its_own_url_answering_in_its_one_format(api, karnoub):
    bib = api.get("/api/v1/publications/export.bib", {"retracted": "false"})
    csv_rows_text = streamed(api.get("/api/v1/evidence/export.csv"))
    bad = api.get("/api/v1/publications/export.bib", {"year_min": "soon"})

    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert "@article{pmid17914389," in streamed(bib)
    assert csv_rows_text.startswith("id,claim,pmid,")
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/json")
    assert "year_min" in bad.json()["error"]["fields"]
    assert api.post("/api/v1/publications/export.bib", {}).status_code == 405
    for asked in ({"format": "json"}, {"page": "2"}, {"page_size": "5"}):
        refused = api.get("/api/v1/publications/export.bib", asked)
        assert refused.status_code == 400, asked
        assert set(refused.json()["error"]["fields"]) == set(asked)
