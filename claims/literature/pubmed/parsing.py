"""PubMed XML to `PubmedRecord`s: Biopython parses, offline DTDs, text normalised."""

import datetime
import io
import logging
import os
import re
import tempfile
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from Bio import Entrez
from Bio.Entrez.Parser import DataHandler
from django.conf import settings

from claims.literature.pubmed.errors import PermanentNcbiError
from claims.literature.pubmed.markup import Marked, inline
from claims.literature.pubmed.records import MONTHS, Author, PubmedRecord

# What Bio.Entrez.read returns: dict, list and str subclasses carrying XML
# attributes (.attributes). Biopython has no type stubs.
Element = Any

logger = logging.getLogger(__name__)

_HTML = re.compile(rb"\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html)", re.IGNORECASE)
_ERROR_DOCUMENT = re.compile(rb"<eFetchResult>\s*<ERROR>(.*?)</ERROR>", re.DOTALL)
_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[\w.:-]+\s+(?:PUBLIC\s+(?:\"[^\"]*\"|'[^']*')\s*|SYSTEM\s+)"
    rb"(?:\"([^\"]*)\"|'([^']*)')"
)
_PUBMED_DTD = re.compile(r"pubmed_\d{6}\.dtd")
_BUNDLED_DTDS = Path(DataHandler.global_dtd_dir)
_dtd_lock = threading.Lock()


def parse_pubmed_xml(data: bytes) -> list[PubmedRecord]:
    """Parse an efetch PubmedArticleSet; PermanentNcbiError if the body is not one."""
    _reject_non_pubmed(data)
    _ensure_declared_dtd(data)
    try:
        root = Entrez.read(io.BytesIO(data), validate=False, escape=True)
    # Bio.Entrez raises assorted types (NotXMLError, CorruptedXMLError,
    # RuntimeError for <ERROR>, ValueError for odd URLs); all mean an unusable body.
    except Exception as exc:
        raise PermanentNcbiError(f"Unparsable E-utilities response: {exc}") from exc
    if getattr(root, "tag", None) != "PubmedArticleSet":
        raise PermanentNcbiError("E-utilities response is not a PubmedArticleSet")
    return [
        *(_converted(_article_record, item) for item in root.get("PubmedArticle", [])),
        *(_converted(_book_record, item) for item in root.get("PubmedBookArticle", [])),
    ]


def _reject_non_pubmed(data: bytes) -> None:
    if _HTML.match(data.removeprefix(b"\xef\xbb\xbf")):
        raise PermanentNcbiError("NCBI sent an HTML page instead of XML")
    if match := _ERROR_DOCUMENT.search(data):
        message = match.group(1).decode("utf-8", "replace").strip()
        raise PermanentNcbiError(f"NCBI error: {message}")
    # NCBI never declares entities inline; a document that does could make the
    # parser read local files or URLs.
    if b"<!ENTITY" in data:
        raise PermanentNcbiError("E-utilities response declares its own entities")


def _ensure_declared_dtd(data: bytes) -> None:
    """Make the DTD the document declares available locally, so Bio.Entrez never
    downloads one: NCBI declares newer pubmed DTDs than Biopython bundles."""
    match = _DOCTYPE.search(data, 0, 4096)
    if not match:
        return  # Bio.Entrez refuses a document without a DTD, offline.
    system_id = (match.group(1) or match.group(2)).decode("ascii", "replace")
    name = os.path.basename(urllib.parse.urlsplit(system_id).path)
    cache = _dtd_cache_dir()
    if (cache / name).is_file() or (_BUNDLED_DTDS / name).is_file():
        return
    if not _PUBMED_DTD.fullmatch(name):
        raise PermanentNcbiError(f"Declared DTD {name!r} is not available offline")
    _install_fallback_dtd(cache, name)


def _dtd_cache_dir() -> Path:
    """Point Bio.Entrez's local DTD cache under VAR_DIR and return its DTD folder."""
    root = str(Path(settings.VAR_DIR) / "entrez")
    with _dtd_lock:
        if DataHandler.directory != root:
            DataHandler.directory = root
        return Path(DataHandler.local_dtd_dir)


def _install_fallback_dtd(cache: Path, name: str) -> None:
    """Cache the newest bundled pubmed DTD under the declared name. Safe enough:
    we parse with validate=False, so elements only the newer DTD knows are skipped
    rather than fatal."""
    newest = max(_BUNDLED_DTDS.glob("pubmed_*.dtd"), key=lambda path: path.name)
    # Write then rename, so a parser in another process never reads half a file.
    with tempfile.NamedTemporaryFile(dir=cache, suffix=".part", delete=False) as tmp:
        tmp.write(newest.read_bytes())
    os.replace(tmp.name, cache / name)
    logger.warning(
        "PubMed declares %s, which Biopython does not bundle; parsing with %s "
        "(cached as %s)",
        name,
        newest.name,
        cache / name,
    )


def _converted(convert: Callable[[Any], PubmedRecord], item: Any) -> PubmedRecord:
    try:
        return convert(item)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PermanentNcbiError(
            f"Unexpected PubMed record structure: {exc!r}"
        ) from exc


def _article_record(article: Element) -> PubmedRecord:
    citation = article["MedlineCitation"]
    art = citation["Article"]
    journal = art.get("Journal", {})
    journal_issue = journal.get("JournalIssue", {})
    pub_date = journal_issue.get("PubDate", {})
    types = tuple(_plain(kind) for kind in art.get("PublicationTypeList", []))
    sections = _abstract_sections(art.get("Abstract"))
    ids = article.get("PubmedData", {}).get("ArticleIdList", [])
    medline_ta = citation.get("MedlineJournalInfo", {}).get("MedlineTA")
    return PubmedRecord(
        pmid=int(citation["PMID"]),
        title=(
            title := _title(art.get("ArticleTitle"), art.get("VernacularTitle"))
        ).text,
        title_html=title.html,
        authors=_authors(art.get("AuthorList", [])),
        journal=_plain(journal.get("Title")),
        journal_iso=_plain(journal.get("ISOAbbreviation") or medline_ta),
        volume=_plain(journal_issue.get("Volume")),
        issue=_plain(journal_issue.get("Issue")),
        pages=_pages(art.get("Pagination", {})),
        pub_date=_pub_date_text(pub_date),
        year=_year(pub_date) or _year(next(iter(art.get("ArticleDate", [])), {})),
        abstract=_abstract_text(sections),
        abstract_sections=sections,
        doi=_article_id(ids, "doi") or _elocation_doi(art.get("ELocationID", [])),
        pmcid=_pmcid(_article_id(ids, "pmc")),
        mesh_terms=tuple(
            _plain(heading["DescriptorName"])
            for heading in citation.get("MeshHeadingList", [])
        ),
        publication_types=types,
        date_revised=_date(citation.get("DateRevised")),
        medline_status=str(citation.attributes.get("Status", "")),
        **_integrity(citation.get("CommentsCorrectionsList", []), types),
        issn=_issn(journal.get("ISSN")),
        language=_language(art.get("Language", [])),
    )


def _book_record(book_article: Element) -> PubmedRecord:
    document = book_article["BookDocument"]
    book = document.get("Book", {})
    pub_date = book.get("PubDate", {})
    types = tuple(_plain(kind) for kind in document.get("PublicationType", []))
    sections = _abstract_sections(document.get("Abstract"))
    ids = document.get("ArticleIdList", [])
    return PubmedRecord(
        pmid=int(document["PMID"]),
        title=(
            title := _title(document.get("ArticleTitle"), book.get("BookTitle"))
        ).text,
        title_html=title.html,
        authors=_book_authors(document, book),
        journal=_plain(book.get("BookTitle")),
        journal_iso="",
        volume=_plain(book.get("Volume")),
        issue="",
        pages="",
        pub_date=_pub_date_text(pub_date),
        year=_year(pub_date),
        abstract=_abstract_text(sections),
        abstract_sections=sections,
        doi=_article_id(ids, "doi") or _elocation_doi(book.get("ELocationID", [])),
        pmcid=_pmcid(_article_id(ids, "pmc")),
        mesh_terms=(),
        publication_types=types,
        date_revised=_date(document.get("DateRevised")),
        medline_status="",
        **_integrity(document.get("CommentsCorrectionsList", []), types),
        is_book=True,
        language=_language(document.get("Language", [])),
    )


def _plain(value: object) -> str:
    """Plain text of a parsed string: inline markup gone, whitespace collapsed
    (claims.literature.pubmed.markup: the text search and title checks use)."""
    return inline(value).text


def _title(*candidates: object) -> Marked:
    """The first of the candidate titles that has text, plain and marked up."""
    return next(
        (m for m in map(inline, candidates) if m.text), Marked(plain="", html="")
    )


def _attributes(element: object) -> dict:
    return getattr(element, "attributes", {})


def _authors(author_list: Element) -> tuple[Author, ...]:
    # ValidYN="N" marks a name NLM found wrong; the corrected one follows it.
    return tuple(
        _author(author)
        for author in author_list
        if _attributes(author).get("ValidYN", "Y") != "N"
    )


def _book_authors(document: Element, book: Element) -> tuple[Author, ...]:
    """The chapter's authors, else the book's; editors are not authors."""
    for author_lists in (document.get("AuthorList", []), book.get("AuthorList", [])):
        for author_list in author_lists:
            if _attributes(author_list).get("Type", "authors") == "authors":
                return _authors(author_list)
    return ()


def _author(author: Element) -> Author:
    return Author(
        last_name=_plain(author.get("LastName")),
        fore_name=_plain(author.get("ForeName")),
        initials=_plain(author.get("Initials")),
        suffix=_plain(author.get("Suffix")),
        collective_name=_plain(author.get("CollectiveName")),
        orcid=_orcid(author.get("Identifier", [])),
    )


def _issn(issn: object) -> str:
    """The journal's ISSN (MEDLINE gives one, print or electronic)."""
    return _plain(issn)


def _language(languages: list) -> str:
    """The first language PubMed lists (ISO 639-2: eng, ger)."""
    return next((_plain(code) for code in languages), "")


_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
_ORCID_PREFIX = re.compile(r"^(HTTPS?://)?(WWW\.)?ORCID\.ORG/")


def _orcid(identifiers: Element) -> str:
    """The first ORCID as 0000-0002-1825-0097; "" if none is well formed."""
    for identifier in identifiers:
        if _attributes(identifier).get("Source", "").upper() != "ORCID":
            continue
        compact = _ORCID_PREFIX.sub("", "".join(str(identifier).split()).upper())
        if match := _ORCID.fullmatch(compact):
            return "-".join(match.groups())
    return ""


def _abstract_sections(abstract: Element) -> tuple[tuple[str, str, str], ...]:
    """Each part of the abstract as (label, plain text, the text's markup)."""
    if not abstract:
        return ()
    sections = (
        (_plain(_attributes(part).get("Label")), inline(part))
        for part in abstract.get("AbstractText", [])
    )
    return tuple((label, m.text, m.html) for label, m in sections if m.text)


def _abstract_text(sections: tuple[tuple[str, str, str], ...]) -> str:
    return "\n\n".join(
        f"{label}: {text}" if label else text for label, text, _ in sections
    )


def _pages(pagination: Element) -> str:
    if medline_pages := _plain(pagination.get("MedlinePgn")):
        return medline_pages
    start, end = _plain(pagination.get("StartPage")), _plain(pagination.get("EndPage"))
    return f"{start}-{end}" if start and end else start


def _pub_date_text(pub_date: Element) -> str:
    """The date as PubMed shows it: "2006 Dec", "1989 Winter", "1998 Dec-1999 Jan"."""
    if medline_date := _plain(pub_date.get("MedlineDate")):
        return medline_date
    parts = (pub_date.get("Year"), pub_date.get("Season") or pub_date.get("Month"))
    return " ".join(_plain(part) for part in (*parts, pub_date.get("Day")) if part)


_FOUR_DIGIT_YEAR = re.compile(r"\b(\d{4})\b")


def _year(date_parts: Element) -> int | None:
    """Year, else the first four-digit year of a MedlineDate."""
    text = str(date_parts.get("Year") or date_parts.get("MedlineDate") or "")
    match = _FOUR_DIGIT_YEAR.search(text)
    return int(match.group(1)) if match else None


def _date(date_parts: Element) -> datetime.date | None:
    if not date_parts:
        return None
    month = str(date_parts.get("Month", "1"))
    try:
        return datetime.date(
            int(date_parts["Year"]),
            int(month) if month.isdigit() else MONTHS[month[:3].lower()],
            int(date_parts.get("Day", 1)),
        )
    except (KeyError, ValueError):
        return None


def _article_id(article_ids: Element, id_type: str) -> str:
    for article_id in article_ids:
        if _attributes(article_id).get("IdType") == id_type:
            return _plain(article_id)
    return ""


def _elocation_doi(elocation_ids: Element) -> str:
    for elocation in elocation_ids:
        attributes = _attributes(elocation)
        if attributes.get("EIdType") == "doi" and attributes.get("ValidYN") != "N":
            return _plain(elocation)
    return ""


def _pmcid(value: str) -> str:
    digits = value.upper().removeprefix("PMC")
    return f"PMC{digits}" if digits.isdigit() else ""


def _integrity(
    corrections: Element, publication_types: tuple[str, ...]
) -> dict[str, Any]:
    """Retraction, errata, concerns and updates from CommentsCorrections."""

    def entries(ref_type: str) -> list:
        return [e for e in corrections if _attributes(e).get("RefType") == ref_type]

    def pmids(ref_type: str) -> tuple[int, ...]:
        linked = (str(entry.get("PMID", "")) for entry in entries(ref_type))
        return tuple(int(pmid) for pmid in linked if pmid.isdigit())

    return {
        "is_retracted": bool(entries("RetractionIn"))
        or "Retracted Publication" in publication_types,
        "retraction_notice_pmid": next(iter(pmids("RetractionIn")), None),
        "erratum_pmids": pmids("ErratumIn"),
        "expression_of_concern_pmids": pmids("ExpressionOfConcernIn"),
        "superseded_by_pmid": next(iter(pmids("UpdateIn")), None),
    }
