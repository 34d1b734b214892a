"""The citation exports read by the software researchers use: bibtexparser 2
and pybtex (BibTeX, as LaTeX users' tools parse and render it), rispy (RIS, as
reference managers read it), citeproc-py and pandoc --citeproc (CSL-JSON and
BibTeX rendered in a citation style). A title with Greek letters, gene and
protein names must keep its case, one key must find a paper in every format,
and a retracted paper must say so."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from pybtex.database import parse_string
from pybtex.style.formatting.plain import Style

from claims.models import Publication
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

# A title as PubMed writes it (sentence case), with what a style must not
# lowercase or recapitalise: acronyms, gene and protein names with Greek
# letters, digits and a sign, a one-letter cell type.
TITLE = (
    "Human MSC expressing TRAIL suppress NF-κB and TGF-β1 signalling in CD133+ "
    "glioma cells via Cxcr4 and Pge2 in T cells"
)
KEPT = ("MSC", "TRAIL", "NF-κB", "TGF-β1", "CD133+", "Cxcr4", "Pge2")
GLIOMA, RETRACTED, PENDING, CHAPTER = 30000001, 30000002, 30000003, 30000004
MARKUP = 30000005
# A title with PubMed's inline markup, as the parser stores it.
MARKED_TITLE = (
    "Engraftment of ≥10<sup>6</sup> human MSC <i>in vivo</i> raises IL-1<i>β</i>"
)
PLAIN_TITLE = "Engraftment of ≥10⁶ human MSC in vivo raises IL-1β"


@pytest.fixture
def papers():
    PublicationFactory(
        pmid=GLIOMA,
        title=TITLE,
        authors=[
            {"last_name": "Lindqvist", "fore_name": "Maja", "initials": "M"},
            {
                "last_name": "Okafor",
                "fore_name": "Chidi",
                "initials": "C",
                "suffix": "Jr",
            },
        ],
        first_author="Lindqvist",
        journal="Cancer research",
        journal_iso="Cancer Res",
        issn="0008-5472",
        language="eng",
        volume="71",
        issue="4",
        pages="1234-45",
        pub_date="2011 Feb 15",
        year=2011,
        doi="10.1158/0008-5472.CAN-10-0001",
    )
    PublicationFactory(
        pmid=RETRACTED,
        title="Stromal cells drive tumour growth",
        authors=[{"last_name": "Brandt", "fore_name": "Jonas", "initials": "J"}],
        first_author="Brandt",
        journal="Oncogene",
        journal_iso="Oncogene",
        year=2009,
        pub_date="2009",
        is_retracted=True,
        retraction_notice_pmid=30000009,
    )
    PublicationFactory(
        pmid=MARKUP,
        title=PLAIN_TITLE,
        title_html=MARKED_TITLE,
        abstract="RESULTS: 106 cells engrafted in vivo.",
        abstract_sections=[
            {
                "label": "RESULTS",
                "text": "106 cells engrafted in vivo.",
                "html": "10<sup>6</sup> cells engrafted <i>in vivo</i>.",
            }
        ],
        authors=[{"last_name": "Haddad", "fore_name": "Rana", "initials": "R"}],
        first_author="Haddad",
        journal="Stem cells",
        journal_iso="Stem Cells",
        year=2013,
        pub_date="2013",
    )
    PublicationFactory(
        pmid=CHAPTER,
        title="Achondroplasia",
        authors=[{"last_name": "Legare", "fore_name": "Janet M", "initials": "JM"}],
        first_author="Legare",
        journal="GeneReviews®",
        journal_iso="",
        year=1998,
        pub_date="1998 Oct 12",
        is_book=True,
    )
    PublicationFactory(
        pmid=PENDING,
        title="",
        curated_title="A paper not yet fetched",
        authors=[],
        first_author="Suzuki",
        # As the review file gives a paper before PubMed does: its abbreviation.
        journal="Mol Med",
        journal_iso="",
        year=2012,
        metadata_state=Publication.MetadataState.PENDING,
    )


def export(api, fmt: str) -> str:
    response = api.get(f"/api/v1/publications/?format={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_bibtexparser_reads_every_entry_by_its_key_with_its_fields(api, papers):
    library = bibtexparser.parse_string(export(api, "bibtex"))

    assert library.failed_blocks == []
    entries = {entry.key: entry for entry in library.entries}
    assert set(entries) >= {f"pmid{p}" for p in (GLIOMA, RETRACTED, PENDING)}
    glioma = entries[f"pmid{GLIOMA}"]
    assert glioma.entry_type == "article"
    # BibTeX's "Last, Jr, First" keeps the suffix as the name's lineage.
    assert glioma["author"] == "Lindqvist, Maja and Okafor, Jr, Chidi"
    assert glioma["issn"] == "0008-5472"
    chapter = entries[f"pmid{CHAPTER}"]
    assert chapter.entry_type == "incollection"
    assert (chapter["title"], chapter["booktitle"]) == (
        "Achondroplasia",
        "GeneReviews®",
    )
    assert "journal" not in chapter
    # The markup as LaTeX, the case-carrying words braced.
    assert entries[f"pmid{MARKUP}"]["abstract"] == (
        r"RESULTS: 10\textsuperscript{6} cells engrafted \textit{in vivo}."
    )
    assert entries[f"pmid{MARKUP}"]["title"] == (
        r"Engraftment of ≥10\textsuperscript{6} human {MSC} \textit{in vivo} "
        r"raises {IL-1}\textit{β}"
    )
    assert glioma["shortjournal"] == "Cancer Res"
    assert glioma["pages"] == "1234--1245"
    assert glioma["doi"] == "10.1158/0008-5472.CAN-10-0001"
    assert entries[f"pmid{PENDING}"]["author"] == "Suzuki and others"
    assert entries[f"pmid{RETRACTED}"]["note"] == "Retracted (notice: PMID 30000009)"


def test_pybtex_renders_the_title_with_its_case(api, papers):
    bib = parse_string(export(api, "bibtex"), "bibtex")
    rendered = {
        entry.key: entry.text.render_as("text")
        for entry in Style().format_entries(bib.entries.values())
    }

    glioma = rendered[f"pmid{GLIOMA}"]
    for word in KEPT:
        assert word in glioma, (word, glioma)
    assert "Chidi Okafor, Jr." in glioma
    assert "In GeneReviews®" in rendered[f"pmid{CHAPTER}"]
    # A paper not yet fetched is cited by the title a curator checked, et al.
    assert rendered[f"pmid{PENDING}"].startswith(
        "Suzuki and others. A paper not yet fetched."
    )
    # The plain style sets the title in sentence case: a capital past the first
    # word is kept ("t cells" without the braces).
    assert "in T cells." in glioma
    assert "Retracted (notice: PMID 30000009)" in rendered[f"pmid{RETRACTED}"]


def test_rispy_reads_the_key_journal_abbreviation_and_notice(api, papers):
    entries = {entry["id"]: entry for entry in rispy.loads(export(api, "ris"))}

    glioma = entries[f"pmid{GLIOMA}"]
    assert glioma["type_of_reference"] == "JOUR"
    assert glioma["title"] == TITLE
    assert glioma["authors"] == ["Lindqvist, Maja", "Okafor, Chidi, Jr"]
    assert glioma["secondary_title"] == "Cancer research"
    assert glioma["journal_name"] == "Cancer Res"
    assert (glioma["issn"], glioma["language"]) == ("0008-5472", "eng")
    assert glioma["accession_number"] == str(GLIOMA)
    # Zotero's RIS reader puts M2 in Extra, where it reads "PMID: N".
    assert glioma["unknown_tag"]["M2"] == [f"PMID: {GLIOMA}"]
    # RIS has no markup: the plain title, its superscript in Unicode.
    assert entries[f"pmid{MARKUP}"]["title"] == PLAIN_TITLE
    assert entries[f"pmid{MARKUP}"]["abstract"] == (
        "RESULTS: 10⁶ cells engrafted in vivo."
    )
    chapter = entries[f"pmid{CHAPTER}"]
    assert (chapter["type_of_reference"], chapter["secondary_title"]) == (
        "CHAP",
        "GeneReviews®",
    )
    assert entries[f"pmid{RETRACTED}"]["notes"] == ["Retracted (notice: PMID 30000009)"]


def test_citeproc_py_renders_the_csl_json_with_its_case(api, papers):
    items = json.loads(export(api, "csljson"))
    marked = next(item for item in items if item["id"] == f"pmid{MARKUP}")
    assert marked["abstract"] == (
        "RESULTS: 10<sup>6</sup> cells engrafted <i>in vivo</i>."
    )
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(f"pmid{GLIOMA}")]))

    (entry,) = (str(item) for item in bibliography.bibliography())
    for word in KEPT:
        assert word in entry, (word, entry)
    assert "Lindqvist, M. and Okafor, C., Jr (2011)" in entry
    assert "<span" not in entry


@pytest.fixture
def pandoc() -> str:
    found = shutil.which("pandoc")
    if found is None:
        message = "pandoc is missing; see ensure_pandoc in .ci/run"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def render(pandoc: str, tmp_path: Path, bibliography: Path, keys: list[str]) -> str:
    document = tmp_path / "paper.md"
    document.write_text(" ".join(f"[@{key}]" for key in keys) + "\n")
    return subprocess.run(
        [
            pandoc,
            "--citeproc",
            "-t",
            "plain",
            "--wrap=none",
            "--bibliography",
            str(bibliography),
            str(document),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pandoc_finds_each_paper_by_one_key_in_bibtex_and_csl_json(
    api, papers, pandoc, tmp_path
):
    (tmp_path / "refs.bib").write_text(export(api, "bibtex"))
    (tmp_path / "refs.json").write_text(export(api, "csljson"))
    keys = [f"pmid{p}" for p in (GLIOMA, RETRACTED, PENDING, CHAPTER)]

    from_json = render(pandoc, tmp_path, tmp_path / "refs.json", keys)
    from_bib = render(pandoc, tmp_path, tmp_path / "refs.bib", keys)

    for output in (from_json, from_bib):
        assert "???" not in output  # every key found
        assert "Lindqvist, Maja, and Chidi Okafor Jr. 2011." in output
        assert "“Achondroplasia.” In GeneReviews®." in output
        # Chicago prints no note and no CSL status: the title says it.
        assert "“Stromal Cells Drive Tumour Growth [Retracted].”" in output
    # BibTeX's "and others" is et al.; CSL-JSON has no way to say it.
    assert "Suzuki et al. 2012" in from_bib
    assert "Suzuki. 2012" in from_json
    # Chicago sets titles in title case: CSL-JSON's nocase markup keeps every
    # case-carrying word as PubMed has it.
    glioma = next(
        line for line in from_json.splitlines() if line.startswith("Lindqvist")
    )
    for word in KEPT:
        assert word in glioma, (word, glioma)


def test_pandoc_renders_the_markup_from_bibtex_and_from_csl_json(
    api, papers, pandoc, tmp_path
):
    (tmp_path / "refs.bib").write_text(export(api, "bibtex"))
    (tmp_path / "refs.json").write_text(export(api, "csljson"))
    document = tmp_path / "paper.md"
    document.write_text(f"[@pmid{MARKUP}]\n")

    for source in ("refs.bib", "refs.json"):
        rendered = subprocess.run(
            [
                pandoc,
                "--citeproc",
                "-t",
                "html",
                "--wrap=none",
                "--bibliography",
                str(tmp_path / source),
                str(document),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        entry = rendered[rendered.index('id="ref-pmid30000005"') :]
        assert "≥10<sup>6</sup>" in entry, (source, entry)
        # Chicago sets the title in title case: "in Vivo", still in italics.
        assert re.search("<em>in [Vv]ivo</em>", entry), (source, entry)
        assert re.search("IL-1(</span>)?<em>β</em>", entry), (source, entry)
        assert re.search(r"Human (<span[^>]*>)?MSC", entry), (source, entry)
