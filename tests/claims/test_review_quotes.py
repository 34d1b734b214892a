"""Every quote in the shipped review file is one sentence of its paper's abstract.

An abstract is at hand as `tests/fixtures/abstracts/<pmid>.txt`: a first line
`source: <url>`, a blank line, then the abstract's text. A record whose paper
has no such file is still held to one sentence; the checker itself is tested on
synthetic records below, so this file means something before any quote exists.
"""

import copy
import re
from pathlib import Path

import pytest
from django.conf import settings

from claims.curation import QuoteStatus, quote_status
from claims.review_file import ReviewData, read_review_file
from claims.titles import normalised
from tests.claims.test_load_review import MINIMAL, write

ABSTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "abstracts"
# A full stop, question or exclamation mark, then a space and a capital: where
# one sentence ends and the next begins...
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])")
# ...unless the stop ends an abbreviation, or an initial ("E. coli", "Smith J.").
ABBREVIATIONS = (
    "et al.",
    "i.e.",
    "e.g.",
    "i.v.",
    "i.p.",
    "s.c.",
    "vs.",
    "cf.",
    "approx.",
    "fig.",
    "ca.",
)
INITIAL = re.compile(r"(?:^|\W)[A-Z]\.$")


def abstract_text(path: Path) -> str:
    """The abstract of a fixture file, after its `source:` line and blank line."""
    source, blank, *text = path.read_text(encoding="utf-8").splitlines()
    assert source.startswith("source: "), f"{path}: the first line names the source"
    assert blank == "", f"{path}: a blank line follows the source"
    return "\n".join(text).strip()


def sentence_ends(text: str) -> list[int]:
    """Where a sentence ends inside text (not at its end)."""
    found = []
    for match in SENTENCE_END.finditer(text):
        before = text[: match.start() + 1]
        if before.lower().endswith(ABBREVIATIONS) or INITIAL.search(before):
            continue
        found.append(match.start())
    return found


def quote_problems(quote: str, abstract: str | None) -> list[str]:
    """What makes a quote other than one verbatim sentence of the abstract."""
    problems = []
    if sentence_ends(quote):
        problems.append("is more than one sentence")
    if abstract is not None:
        if quote_status(quote=quote, abstract=abstract) != QuoteStatus.VERIFIED:
            problems.append("is not in the abstract")
        if len(normalised(quote)) >= len(normalised(abstract)):
            problems.append("is not shorter than the abstract")
    return problems


def quote_failures(data: ReviewData, abstracts: Path) -> list[str]:
    """Each quoted record of the file whose quote fails, with why."""
    failures = []
    for _, record in data.evidence:
        if not record.quote:
            continue
        path = abstracts / f"{record.pmid}.txt"
        abstract = abstract_text(path) if path.exists() else None
        failures += [
            f"{record.key}: the quote {problem}"
            for problem in quote_problems(record.quote, abstract)
        ]
    return failures


ABSTRACT = (
    "Mesenchymal stem cells (MSC) home to tumors. We co-injected MSC with "
    "tumor cells, as described by Karnoub et al. in breast cancer, i.e. at a "
    "ratio of 1:4. Co-injected MSC enlarged the xenografts in nude mice. "
    "Blocking IL-6 removed the effect."
)


@pytest.fixture
def abstracts(tmp_path) -> Path:
    folder = tmp_path / "abstracts"
    folder.mkdir()
    (folder / "16214129.txt").write_text(
        f"source: https://pubmed.ncbi.nlm.nih.gov/16214129/\n\n{ABSTRACT}\n"
    )
    return folder


def quoted(tmp_path, quote: str) -> ReviewData:
    """The minimal review file, its Zhu 2006 record quoting `quote`."""
    data = copy.deepcopy(MINIMAL)
    data["topics"][0]["claims"][0]["evidence"][0]["quote"] = quote
    return read_review_file(write(tmp_path, data))


def test_every_quote_in_the_review_file_is_one_sentence_of_its_abstract():
    data = read_review_file(settings.REVIEW_DATA_FILE)

    assert quote_failures(data, ABSTRACTS) == []


def test_every_abstract_fixture_names_its_source():
    for path in sorted(ABSTRACTS.glob("*.txt")):
        assert path.stem.isdigit(), f"{path.name}: named by the paper's PMID"
        assert abstract_text(path)


def test_the_checker_passes_a_record_quoting_one_sentence_of_its_abstract(
    tmp_path, abstracts
):
    data = quoted(tmp_path, "co-injected MSC enlarged the xenografts in nude mice")

    assert quote_failures(data, abstracts) == []


def test_the_checker_fails_a_record_whose_quote_is_not_in_its_abstract(
    tmp_path, abstracts
):
    data = quoted(tmp_path, "Co-injected MSC shrank the xenografts in nude mice.")

    assert quote_failures(data, abstracts) == [
        "zhu2006-growth: the quote is not in the abstract"
    ]


def test_the_checker_fails_two_sentences_though_both_are_in_the_abstract(
    tmp_path, abstracts
):
    two = "Co-injected MSC enlarged the xenografts in nude mice. Blocking IL-6 removed"

    assert quote_failures(quoted(tmp_path, two), abstracts) == [
        "zhu2006-growth: the quote is more than one sentence"
    ]


def test_the_checker_fails_the_whole_abstract_quoted(tmp_path, abstracts):
    problems = quote_failures(quoted(tmp_path, ABSTRACT), abstracts)

    assert "zhu2006-growth: the quote is not shorter than the abstract" in problems


def test_the_checker_holds_a_quote_to_one_sentence_without_its_abstract(tmp_path):
    data = quoted(tmp_path, "MSC home to tumors. They enlarge them.")

    assert quote_failures(data, tmp_path / "none") == [
        "zhu2006-growth: the quote is more than one sentence"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "We co-injected MSC with tumor cells, as described by Karnoub et al. in "
        "breast cancer, i.e. at a ratio of 1:4.",
        "As Karnoub et al. Showed, MSC promote metastasis.",
        "MSC, e.g. Those of bone marrow, vs. Fibroblasts.",
        "Infected with E. Coli at 2.5 x 10^6 cells.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(sentence):
    assert sentence_ends(sentence) == []


def test_a_stop_before_a_capital_ends_a_sentence():
    assert sentence_ends("MSC home to tumors. We co-injected them.") == [18]
