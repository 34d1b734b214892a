"""The NCBI side of citation metadata: parsing, transport, rate limits, offline DTDs."""

import dataclasses
import datetime
import hashlib
import json
import logging
import multiprocessing
import os
import re
import socket
import time
import uuid
from pathlib import Path

import pytest
import redis
from Bio import Entrez
from django.core.serializers.json import DjangoJSONEncoder

from claims.literature.pubmed import (
    BATCH_SIZE,
    EutilsClient,
    LocalRateLimiter,
    PermanentNcbiError,
    PubmedRecord,
    RedisTokenBucket,
    TransientNcbiError,
    parse_pubmed_xml,
    rate_limiter_from_settings,
)
from claims.literature.pubmed.markup import readable
from claims.models import Publication
from claims.titles import titles_match
from tests.fake_eutils import load_fixture, pubmed_document

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
BUNDLED_DTDS = Path(Entrez.__file__).parent / "DTDs"


def parse(*fragments: str, dtd: str = "pubmed_250101.dtd") -> list[PubmedRecord]:
    return parse_pubmed_xml(pubmed_document(list(fragments), dtd).encode())


def record(pmid: int, edit=lambda xml: xml) -> PubmedRecord:
    """Parse one fixture article, optionally edited first."""
    [parsed] = parse(edit(load_fixture(pmid)))
    return parsed


def with_title(xml: str, title: str) -> str:
    return re.sub(
        r"<ArticleTitle>.*?</ArticleTitle>",
        f"<ArticleTitle>{title}</ArticleTitle>",
        xml,
        flags=re.DOTALL,
    )


def client(server, **options) -> EutilsClient:
    options.setdefault("rate_limiter", LocalRateLimiter(rate=1000))
    return EutilsClient(base_url=server.url, **options)


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Refuse, and record, any attempt to open a network connection."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


# --- Parsing: one normalisation rule per test --------------------------------


def test_plain_article_gives_its_bibliographic_fields():
    zhu = record(16214129)

    assert zhu.pmid == 16214129
    assert zhu.title == (
        "Mesenchymal stem cells derived from bone marrow favor tumor cell growth "
        "in vivo."
    )
    assert (zhu.journal, zhu.journal_iso) == (
        "Experimental and molecular pathology",
        "Exp Mol Pathol",
    )
    assert (zhu.volume, zhu.issue, zhu.pages) == ("80", "3", "267-74")
    assert (zhu.pub_date, zhu.year) == ("2006 Jun", 2006)
    assert zhu.date_revised == datetime.date(2022, 3, 31)
    assert zhu.medline_status == "MEDLINE"
    assert zhu.is_book is False


def test_doi_comes_from_the_article_id_list():
    assert record(16214129).doi == "10.1016/j.yexmp.2005.07.004"


def test_authors_keep_their_order_and_name_parts():
    authors = record(16214129).authors

    assert [a.last_name for a in authors] == ["Zhu", "Xu", "Jiang", "Qian"]
    assert (authors[0].fore_name, authors[0].initials) == ("Wei", "W")


def test_structured_abstract_keeps_labelled_sections_as_paragraphs():
    khakoo = record(16636132)

    assert [label for label, _, _ in khakoo.abstract_sections] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert khakoo.abstract.split("\n\n") == [
        "BACKGROUND: Background text for fixture.",
        "METHODS: Methods text for fixture.",
        "RESULTS: Results text for fixture.",
        "CONCLUSIONS: Conclusions text for fixture.",
    ]


def test_unstructured_abstract_is_one_unlabelled_section():
    zhu = record(16214129)

    assert zhu.abstract_sections == (
        ("", "Abstract text for fixture.", "Abstract text for fixture."),
    )
    assert zhu.abstract == "Abstract text for fixture."


def test_orcid_is_normalised_from_a_url_and_from_a_bare_run_of_digits():
    authors = record(16636132).authors

    assert authors[0].orcid == "0000-0002-1825-0097"
    assert authors[1].orcid == "0000-0002-1825-009X"
    assert authors[2].orcid == ""


def test_orcid_with_spaces_and_lowercase_check_digit_is_normalised():
    def spaced(xml: str) -> str:
        return xml.replace(
            "https://orcid.org/0000-0002-1825-0097",
            " http://orcid.org/0000 0002 1825 009x ",
        )

    assert record(16636132, spaced).authors[0].orcid == "0000-0002-1825-009X"


def test_pmcid_and_doi_are_the_articles_own_not_a_cited_works():
    khakoo = record(16636132)

    assert khakoo.pmcid == "PMC2121206"
    assert khakoo.doi == "10.1084/jem.20051921"


def test_mesh_terms_are_the_descriptor_names_in_order():
    assert record(16636132).mesh_terms == (
        "Animals",
        "Humans",
        "Sarcoma, Kaposi",
        "Mesenchymal Stem Cells",
    )


def test_publication_types_are_kept_in_order():
    assert record(16214129).publication_types == (
        "Journal Article",
        "Research Support, Non-U.S. Gov't",
    )


def test_retraction_in_marks_the_record_retracted_with_its_notice_pmid():
    rubio = record(15833829)

    assert rubio.is_retracted is True
    assert rubio.retraction_notice_pmid == 90000001
    assert rubio.erratum_pmids == (90000002,)


def test_retracted_publication_type_alone_means_retracted():
    def without_retraction_in(xml: str) -> str:
        return re.sub(
            r'<CommentsCorrections RefType="RetractionIn">.*?</CommentsCorrections>',
            "",
            xml,
            flags=re.DOTALL,
        )

    rubio = record(15833829, without_retraction_in)

    assert rubio.is_retracted is True
    assert rubio.retraction_notice_pmid is None


def test_retraction_in_alone_means_retracted():
    def without_type(xml: str) -> str:
        return xml.replace(
            '<PublicationType UI="D016441">Retracted Publication</PublicationType>', ""
        )

    rubio = record(15833829, without_type)

    assert "Retracted Publication" not in rubio.publication_types
    assert rubio.is_retracted is True


def test_errata_concerns_and_updates_are_collected_and_comments_ignored():
    karnoub = record(17914389)

    assert karnoub.erratum_pmids == (90000011, 90000012)
    assert karnoub.expression_of_concern_pmids == (90000013,)
    assert karnoub.superseded_by_pmid == 90000014
    assert karnoub.is_retracted is False
    assert karnoub.retraction_notice_pmid is None


def test_title_markup_is_kept_in_the_html_and_reduced_in_the_plain_text():
    otsu = record(19036701)

    assert otsu.title == (
        "Concentration-dependent inhibition of angiogenesis by mesenchymal stem cells."
    )
    assert otsu.title_html == (
        "<i>Concentration-dependent</i> inhibition of angiogenesis by mesenchymal "
        "<sup>stem</sup> cells."
    )
    assert otsu.abstract == "Abstract text for fixture, with inline markup."
    assert otsu.abstract_sections[0][2] == (
        "Abstract text for fixture, with <i>inline</i> markup."
    )


def test_the_stored_title_is_the_markups_text_and_readers_get_unicode_scripts():
    title = (
        "≥10<sup>6</sup> CD34<sup>+</sup> cells, H<sub>2</sub>O<sub>2</sub> and "
        "IL-1<i>β</i>"
    )

    parsed = record(16214129, lambda xml: with_title(xml, title))

    # What search indexes and a checked title is compared with: the text as
    # typed ("H2O2" finds it, and a curator's "CO2" matches "CO<sub>2</sub>").
    assert parsed.title == "≥106 CD34+ cells, H2O2 and IL-1β"
    assert parsed.title_html == title
    assert readable(parsed.title_html) == "≥10⁶ CD34⁺ cells, H₂O₂ and IL-1β"


def test_a_checked_title_still_matches_a_title_with_scripts():
    title = "Ca<sup>2+</sup> and CO<sub>2</sub> in H<sub>2</sub>O<sub>2</sub>"

    parsed = record(16214129, lambda xml: with_title(xml, title))

    assert titles_match(parsed.title, "Ca2+ and CO2 in H2O2")


def test_script_like_text_never_survives_as_markup_but_a_less_than_sign_does():
    title = (
        "IC<sub>50</sub> of <i>TP53</i> at p &lt; 0.05 &amp; more "
        "<script>alert(1)</script> &lt;script&gt;alert(2)&lt;/script&gt; "
        '<b title="a>b">bold</b>'
    )

    parsed = record(16214129, lambda xml: with_title(xml, title))

    assert parsed.title == "IC50 of TP53 at p < 0.05 & more alert(1) alert(2) bold"
    assert "<" not in parsed.title.replace("p < 0.05", "")
    # The markup keeps the subset's bare tags only, the text escaped.
    assert parsed.title_html == (
        "IC<sub>50</sub> of <i>TP53</i> at p &lt; 0.05 &amp; more alert(1) "
        "alert(2) <b>bold</b>"
    )


def test_collective_name_is_an_author_and_can_be_the_first_author():
    def group_only(xml: str) -> str:
        return re.sub(r'<Author ValidYN="Y"><LastName>.*?</Author>', "", xml)

    otsu = record(19036701)
    group = record(19036701, group_only)

    assert otsu.authors[-1].collective_name == "Fixture Angiogenesis Study Group"
    assert otsu.authors[-1].last_name == ""
    assert otsu.model_fields()["first_author"] == "Otsu"
    assert group.model_fields()["first_author"] == "Fixture Angiogenesis Study Group"


def test_author_names_marked_invalid_are_left_out():
    def invalid_second(xml: str) -> str:
        return xml.replace(
            '<Author ValidYN="Y"><LastName>Xu', '<Author ValidYN="N"><LastName>Xu'
        )

    assert [a.last_name for a in record(16214129, invalid_second).authors] == [
        "Zhu",
        "Jiang",
        "Qian",
    ]


def test_medline_date_is_kept_as_given_and_gives_its_first_year():
    ohlsson = record(14611816)

    assert ohlsson.pub_date == "2003 Dec-2004 Jan"
    assert ohlsson.year == 2003


def test_doi_falls_back_to_a_valid_elocation_id():
    assert record(14611816).doi == "10.1016/j.yexmp.2003.06.001"


def test_elocation_doi_marked_invalid_is_ignored():
    def invalid(xml: str) -> str:
        return xml.replace('EIdType="doi" ValidYN="Y"', 'EIdType="doi" ValidYN="N"')

    assert record(14611816, invalid).doi == ""


def test_pages_fall_back_to_start_and_end_page_and_journal_iso_to_medline_ta():
    ohlsson = record(14611816)

    assert ohlsson.pages == "248-255"
    assert ohlsson.journal_iso == "Exp Mol Pathol"


def test_season_is_kept_in_the_date_and_the_year_still_sorts():
    bataille = record(2585025)

    assert bataille.pub_date == "1989 Winter"
    assert bataille.year == 1989
    assert (bataille.abstract, bataille.abstract_sections) == ("", ())


def test_year_falls_back_to_the_electronic_article_date():
    def no_year(xml: str) -> str:
        return xml.replace(
            "<PubDate><Year>2006</Year><Month>Jun</Month></PubDate>",
            "<PubDate><MedlineDate>Spring</MedlineDate></PubDate>",
        )

    zhu = record(16214129, no_year)

    assert zhu.pub_date == "Spring"
    assert zhu.year == 2005


def test_book_article_is_read_from_its_book_document():
    book = record(20301295)

    assert book.is_book is True
    assert book.pmid == 20301295
    assert book.title == "Achondroplasia"
    assert book.journal == "GeneReviews®"
    assert [a.last_name for a in book.authors] == ["Fixture"]
    assert (book.pub_date, book.year) == ("1993", 1993)
    assert [label for label, _, _ in book.abstract_sections] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
    ]
    assert book.publication_types == ("Review",)
    assert book.date_revised == datetime.date(2023, 5, 11)


def test_articles_and_books_parse_together():
    parsed = parse(load_fixture(16214129), load_fixture(20301295))

    assert sorted((r.pmid, r.is_book) for r in parsed) == [
        (16214129, False),
        (20301295, True),
    ]


def test_empty_article_set_parses_to_no_records():
    assert parse() == []


# --- model_fields and record_hash --------------------------------------------


def test_model_fields_are_publication_fields_with_json_ready_values():
    fields = record(16636132).model_fields()
    model_names = {field.name for field in Publication._meta.get_fields()}

    assert set(fields) <= model_names
    assert {"pmid", "first_author", "authors", "abstract_sections"} <= set(fields)
    assert fields["authors"][0] == {
        "last_name": "Khakoo",
        "fore_name": "Aarif Y",
        "initials": "AY",
        "suffix": "",
        "collective_name": "",
        "orcid": "0000-0002-1825-0097",
    }
    assert (fields["issn"], fields["language"], fields["is_book"]) == (
        "0022-1007",
        "eng",
        False,
    )
    assert fields["abstract_sections"][0] == {
        "label": "BACKGROUND",
        "text": "Background text for fixture.",
        "html": "Background text for fixture.",
    }
    assert isinstance(fields["mesh_terms"], list)
    assert json.loads(json.dumps(fields, cls=DjangoJSONEncoder))["date_revised"] == (
        "2023-11-12"
    )


def test_an_authors_name_suffix_is_kept():
    def junior(xml: str) -> str:
        return xml.replace(
            "<Initials>AY</Initials>", "<Initials>AY</Initials><Suffix>Jr</Suffix>", 1
        )

    (author, *_) = record(16636132, junior).model_fields()["authors"]

    assert (author["last_name"], author["suffix"]) == ("Khakoo", "Jr")


def test_a_bookshelf_chapter_is_a_book_in_its_language():
    fields = record(20301295).model_fields()

    assert fields["is_book"] is True
    assert (fields["title"], fields["journal"]) == ("Achondroplasia", "GeneReviews®")
    assert fields["language"] == "eng"


def test_model_fields_fit_long_strings_to_the_model_columns():
    def long_group(xml: str) -> str:
        return re.sub(
            r"<AuthorList CompleteYN=\"Y\">",
            f'<AuthorList CompleteYN="Y"><Author ValidYN="Y"><CollectiveName>'
            f"{'Consortium ' * 30}</CollectiveName></Author>",
            xml,
        )

    fields = record(16214129, long_group).model_fields()

    assert len(fields["first_author"]) == 200
    assert len(fields["authors"][0]["collective_name"]) > 200  # JSON keeps it whole


def test_record_hash_is_identical_for_identical_records():
    first, second = record(16636132), record(16636132)

    assert first is not second
    assert first.record_hash == second.record_hash
    assert re.fullmatch(r"[0-9a-f]{64}", first.record_hash)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "A corrected title."},
        {"date_revised": datetime.date(2025, 1, 1)},
        {"is_retracted": True},
        {"mesh_terms": ("Humans",)},
    ],
)
def test_record_hash_changes_when_any_field_changes(change):
    original = record(16636132)

    assert dataclasses.replace(original, **change).record_hash != original.record_hash


# --- Unusable responses ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Service unavailable</body></html>",
        b"\x00\x01 not xml at all",
        pubmed_document([load_fixture(16214129)]).encode()[:900],
        b'<?xml version="1.0" ?>\n<eFetchResult>\n<ERROR>Empty id list</ERROR>\n'
        b"</eFetchResult>",
    ],
    ids=["html", "garbage", "truncated", "error-document"],
)
def test_unusable_bodies_are_permanent_errors(body, no_network):
    with pytest.raises(PermanentNcbiError):
        parse_pubmed_xml(body)

    assert no_network == []


def test_inline_entity_declarations_are_refused(no_network):
    body = (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY e SYSTEM '
        b'"file:///etc/passwd">]>\n<PubmedArticleSet>&e;</PubmedArticleSet>'
    )

    with pytest.raises(PermanentNcbiError, match="entities"):
        parse_pubmed_xml(body)


# --- DTDs, offline -----------------------------------------------------------


def test_a_newer_pubmed_dtd_than_biopython_bundles_parses_offline(
    settings, tmp_path, no_network, caplog
):
    settings.VAR_DIR = tmp_path
    assert not (BUNDLED_DTDS / "pubmed_260101.dtd").exists()

    with caplog.at_level(logging.WARNING, logger="claims.literature.pubmed"):
        first = parse(load_fixture(16214129), dtd="pubmed_260101.dtd")
        second = parse(load_fixture(19036701), dtd="pubmed_260101.dtd")

    assert [r.pmid for r in first + second] == [16214129, 19036701]
    assert no_network == []
    [cached] = tmp_path.glob("entrez/**/pubmed_260101.dtd")
    newest = max(BUNDLED_DTDS.glob("pubmed_*.dtd"), key=lambda path: path.name)
    assert cached.read_bytes() == newest.read_bytes()
    assert sum("pubmed_260101.dtd" in m for m in caplog.messages) == 1


def test_an_unknown_non_pubmed_dtd_is_refused_without_going_online(
    settings, tmp_path, no_network
):
    settings.VAR_DIR = tmp_path
    body = (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//X//EN" '
        b'"https://dtd.nlm.nih.gov/ncbi/other/unknown_990101.dtd">\n'
        b"<PubmedArticleSet></PubmedArticleSet>"
    )

    with pytest.raises(PermanentNcbiError, match=r"unknown_990101\.dtd"):
        parse_pubmed_xml(body)

    assert no_network == []


# --- Transport ---------------------------------------------------------------


def test_fake_server_serves_fixtures_with_ncbis_doctype(fake_eutils):
    body = client(fake_eutils).efetch([16214129])

    assert body.startswith(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet')
    assert b"pubmed_250101.dtd" in body
    assert b'<PMID Version="1">16214129</PMID>' in body


def test_efetch_posts_db_ids_tool_email_and_api_key(fake_eutils):
    eutils = client(fake_eutils, api_key="k3y", email="curator@example.org")

    eutils.efetch([16214129, 2585025])

    [(_, method, params)] = fake_eutils.requests
    assert method == "POST"
    assert params == {
        "db": "pubmed",
        "id": [16214129, 2585025],
        "retmode": "xml",
        "tool": "msc-evidence-portal",
        "email": "curator@example.org",
        "api_key": "k3y",
    }


def test_efetch_leaves_out_email_and_api_key_when_unset(fake_eutils):
    client(fake_eutils).efetch([16214129])

    [(_, _, params)] = fake_eutils.requests
    assert "email" not in params
    assert "api_key" not in params


def test_base_url_without_a_trailing_slash_still_reaches_efetch(fake_eutils):
    eutils = client(fake_eutils)
    eutils = EutilsClient(
        base_url=fake_eutils.url.rstrip("/"), rate_limiter=eutils.rate_limiter
    )

    assert [r.pmid for r in parse_pubmed_xml(eutils.efetch([16214129]))] == [16214129]


@pytest.mark.parametrize("count", [0, BATCH_SIZE + 1])
def test_efetch_refuses_empty_and_oversized_batches(fake_eutils, count):
    with pytest.raises(ValueError, match="1 to 200"):
        client(fake_eutils).efetch(list(range(1, count + 1)))

    assert fake_eutils.requests == []


def test_fetching_450_pmids_makes_three_requests_of_at_most_200(fake_eutils):
    pmids = list(range(30_000_001, 30_000_451))
    fake_eutils.synthesize(pmids)

    result = client(fake_eutils).fetch(pmids)

    sizes = [len(params["id"]) for _, _, params in fake_eutils.requests]
    assert sizes == [200, 200, 50]
    assert sorted(result.records) == pmids
    assert result.missing == ()


def test_fetch_reports_pmids_ncbi_did_not_return(fake_eutils):
    result = client(fake_eutils).fetch([16214129, 99999999, 20301295, 99999998])

    assert sorted(result.records) == [16214129, 20301295]
    assert result.missing == (99999999, 99999998)


def test_an_empty_response_returns_no_records_and_all_missing(fake_eutils):
    fake_eutils.inject("empty")

    result = client(fake_eutils).fetch([16214129, 2585025])

    assert result.records == {}
    assert result.missing == (16214129, 2585025)


@pytest.mark.parametrize("fault", ["empty", "partial"])
def test_an_answer_missing_most_of_a_large_batch_is_transient(fake_eutils, fault):
    pmids = list(range(30_000_001, 30_000_055))  # 54, as in the incident
    fake_eutils.synthesize(pmids)
    fake_eutils.inject(fault)

    with pytest.raises(TransientNcbiError, match=r"returned \d+ of 54 records"):
        client(fake_eutils).fetch(pmids)


def test_a_large_batch_missing_a_few_reports_them_missing(fake_eutils):
    present = list(range(30_000_001, 30_000_011))
    fake_eutils.synthesize(present)

    result = client(fake_eutils).fetch([*present, 99999998, 99999999])

    assert sorted(result.records) == present
    assert result.missing == (99999998, 99999999)


def test_the_client_counts_every_request_it_sent_failed_ones_too(fake_eutils):
    fake_eutils.inject("500")
    eutils = client(fake_eutils)

    with pytest.raises(TransientNcbiError):
        eutils.fetch([16214129])
    eutils.fetch([16214129])

    assert eutils.requests_made == len(fake_eutils.requests) == 2


def test_a_read_that_stalls_past_the_read_timeout_is_transient(fake_eutils):
    fake_eutils.inject("timeout", seconds=2.0)
    started = time.monotonic()

    with pytest.raises(TransientNcbiError, match="timed out"):
        client(fake_eutils, read_timeout=0.3).efetch([16214129])

    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("fault", "retry_after"), [("429", 1.0), ("500", None), ("502", None)]
)
def test_rate_limit_and_server_errors_are_transient(fake_eutils, fault, retry_after):
    fake_eutils.inject(fault)

    with pytest.raises(TransientNcbiError) as error:
        client(fake_eutils).fetch([16214129])

    assert error.value.retry_after == retry_after
    assert f"HTTP {fault}" in str(error.value)


@pytest.mark.parametrize("fault", ["400", "malformed", "html", "error"])
def test_client_errors_and_unusable_bodies_are_permanent(fake_eutils, fault):
    fake_eutils.inject(fault)

    with pytest.raises(PermanentNcbiError):
        client(fake_eutils).fetch([16214129])


def test_a_refused_connection_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    eutils = EutilsClient(
        base_url=f"http://127.0.0.1:{port}/entrez/eutils/",
        rate_limiter=LocalRateLimiter(rate=1000),
    )

    with pytest.raises(TransientNcbiError):
        eutils.efetch([16214129])


def test_a_fault_answers_one_request_and_the_next_succeeds(fake_eutils):
    fake_eutils.inject("500")
    eutils = client(fake_eutils)

    with pytest.raises(TransientNcbiError):
        eutils.fetch([16214129])
    assert list(eutils.fetch([16214129]).records) == [16214129]


def test_client_from_settings_uses_the_ncbi_settings(settings, fake_eutils, fast_rate):
    settings.NCBI_API_KEY = "k3y"
    settings.NCBI_EMAIL = "curator@example.org"
    settings.NCBI_TOOL = "portal-test"

    eutils = EutilsClient.from_settings()
    eutils.efetch([16214129])

    assert eutils.base_url == fake_eutils.url
    assert eutils.rate_limiter is fast_rate
    [(_, _, params)] = fake_eutils.requests
    assert (params["tool"], params["email"], params["api_key"]) == (
        "portal-test",
        "curator@example.org",
        "k3y",
    )


def test_an_injected_timeout_times_out_a_client_built_from_settings(
    fake_eutils, fast_rate
):
    fake_eutils.inject("timeout")

    with pytest.raises(TransientNcbiError, match="timed out"):
        EutilsClient.from_settings().efetch([16214129])


# --- Rate limiting -----------------------------------------------------------


def test_fake_server_max_rate_counts_the_busiest_sliding_window(fake_eutils):
    fake_eutils.requests.extend(
        (moment, "POST", {}) for moment in (0.0, 0.5, 0.99, 1.0, 1.2, 3.0)
    )

    assert fake_eutils.max_rate(window=1.0) == 4  # 0.5, 0.99, 1.0, 1.2
    assert fake_eutils.max_rate(window=0.005) == 1


def test_fake_server_enforcing_a_rate_answers_429_beyond_it(fake_eutils):
    fake_eutils.enforce_rate = 3
    eutils = client(fake_eutils)
    for _ in range(3):
        eutils.efetch([16214129])

    with pytest.raises(TransientNcbiError, match="429"):
        eutils.efetch([16214129])


def test_local_rate_limiter_lets_the_first_request_through_at_once():
    limiter = LocalRateLimiter(rate=1)
    started = time.monotonic()

    limiter.acquire()

    assert time.monotonic() - started < 0.05


def test_local_rate_limiter_keeps_the_server_at_three_per_second(fake_eutils):
    eutils = client(fake_eutils, rate_limiter=LocalRateLimiter(rate=3))
    started = time.monotonic()

    for _ in range(10):
        eutils.efetch([16214129])

    assert len(fake_eutils.requests) == 10
    assert fake_eutils.max_rate(window=1.0) <= 3
    assert time.monotonic() - started >= 9 / 3  # it did hold requests back


def _fetch_in_turn(base_url: str, key: str, rate: float, count: int) -> None:
    """One worker process: its own client and its own Redis connection."""
    limiter = RedisTokenBucket(REDIS_URL, rate, key)
    eutils = EutilsClient(base_url=base_url, rate_limiter=limiter)
    for _ in range(count):
        eutils.efetch([16214129])


def test_redis_token_bucket_keeps_two_processes_within_one_rate(fake_eutils):
    # No skip: CI starts Redis, and a limiter we cannot check must fail the build.
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()
    key = f"ncbi:bucket:test-{uuid.uuid4().hex}"
    fork = multiprocessing.get_context("fork")
    workers = [
        fork.Process(target=_fetch_in_turn, args=(fake_eutils.url, key, 5, 6))
        for _ in range(2)
    ]
    started = time.monotonic()
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=15)
    finally:
        connection.delete(key)

    assert [worker.exitcode for worker in workers] == [0, 0]
    assert len(fake_eutils.requests) == 12
    assert fake_eutils.max_rate(window=1.0) <= 5
    assert time.monotonic() - started >= 11 / 5


def test_redis_token_bucket_outage_is_a_transient_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    limiter = RedisTokenBucket(f"redis://127.0.0.1:{port}/0", 3, "ncbi:bucket:x")

    with pytest.raises(TransientNcbiError, match="rate limiter"):
        limiter.acquire()


def test_limiter_from_settings_is_local_at_three_per_second_without_redis(settings):
    settings.NCBI_API_KEY = ""
    settings.CELERY_BROKER_URL = "filesystem://"

    limiter = rate_limiter_from_settings()

    assert isinstance(limiter, LocalRateLimiter)
    assert limiter.rate == 3
    assert rate_limiter_from_settings() is limiter


def test_limiter_from_settings_is_a_redis_bucket_per_api_key_at_ten(settings):
    settings.NCBI_API_KEY = "k3y"
    settings.CELERY_BROKER_URL = REDIS_URL

    limiter = rate_limiter_from_settings()

    assert isinstance(limiter, RedisTokenBucket)
    assert limiter.rate == 10
    assert limiter.key == f"ncbi:bucket:{hashlib.sha1(b'k3y').hexdigest()}"
    assert rate_limiter_from_settings() is limiter
