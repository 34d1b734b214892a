"""A publication (as the API serializes it) as RIS, BibTeX and CSL-JSON.

Pure functions of the serialized dict, so a detail response and a streamed
list render exactly the same way. Each format is what Zotero and the other
reference managers import: RIS tags TY..ER, BibTeX @article with its
specials escaped, CSL-JSON items per the CSL data schema.
"""

import html
import re
from collections.abc import Iterator
from typing import NamedTuple

from claims.literature.pubmed.markup import balanced, readable
from claims.literature.pubmed.records import MONTHS


def expand_pages(pages: str) -> tuple[str, str]:
    """MEDLINE's '249-61' as ('249', '261'); a single page as (page, '')."""
    start, _, end = (part.strip() for part in pages.partition("-"))
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end


def _month(word: str) -> int | None:
    """'Jun' or '6' as 6; seasons and ranges ('Spring', 'Jan-Feb') as None."""
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 12 else None
    return MONTHS.get(word.lower()) if len(word) == 3 else None


def date_parts(pub: dict) -> list[int]:
    """[year, month, day] as far as PubMed's date gives them."""
    if not pub.get("year"):
        return []
    parts = [pub["year"]]
    words = str(pub.get("pub_date") or "").split()
    if words[:1] != [str(pub["year"])] or len(words) < 2:
        return parts
    if month := _month(words[1]):
        parts.append(month)
        if len(words) > 2 and words[2].isdigit() and 1 <= int(words[2]) <= 31:
            parts.append(int(words[2]))
    return parts


def date_string(pub: dict, separator: str) -> str:
    """PubMed's date as far as it goes, zero-padded: 2006, 2006-06, 2006-06-05
    (with "-"; Highwire's tags take "/")."""
    return separator.join(
        f"{part:02d}" if i else str(part) for i, part in enumerate(date_parts(pub))
    )


class Name(NamedTuple):
    """One author as the formats write names: a person's family and given
    names and suffix (Jr, II), or a group's name (`literal`)."""

    family: str
    given: str
    literal: str
    suffix: str = ""


def names(pub: dict) -> Iterator[Name]:
    """Each author, in order."""
    for author in pub.get("authors") or []:
        if author.get("collective_name"):
            yield Name("", "", author["collective_name"])
        elif author.get("last_name"):
            given = author.get("fore_name") or author.get("initials") or ""
            yield Name(author["last_name"], given, "", author.get("suffix") or "")
    if not pub.get("authors") and pub.get("first_author"):
        yield Name(pub["first_author"], "", "")


def kind(pub: dict) -> str:
    """ "article", "chapter" (a Bookshelf chapter: its title, and the book's in
    `journal`) or "book" (a whole Bookshelf book)."""
    if not pub.get("is_book"):
        return "article"
    chapter = pub.get("title") and pub.get("title") != pub.get("journal")
    return "chapter" if chapter else "book"


def citation_key(pub: dict) -> str:
    """The one key of a paper in every format: the BibTeX key, the CSL-JSON id
    and the RIS ID, so a manuscript's citations survive a switch between them
    (pandoc's `@pmid17914389` finds the paper in either file)."""
    return f"pmid{pub['pmid']}"


RETRACTED_MARK = " [Retracted]"


def shown_title(pub: dict) -> str:
    """A paper's title in plain text for a reader: from its markup, super- and
    subscripts in Unicode ("≥10⁶ cells"); else PubMed's title or, until it
    arrives, the one a curator checked."""
    if pub.get("title_html"):
        return readable(pub["title_html"])
    return pub.get("title") or pub.get("curated_title") or ""


def cited_title(pub: dict) -> str:
    """The plain title a citation prints: a retracted paper's says so after
    it, as NLM's citing guidance does, since most styles (Chicago, APA,
    Vancouver) print neither a note nor CSL's status."""
    title = shown_title(pub)
    return title + RETRACTED_MARK if title and pub.get("is_retracted") else title


def cited_title_html(pub: dict) -> str:
    """The same title with PubMed's inline markup (the subset's HTML), for
    the formats that can carry it: CSL-JSON and BibTeX."""
    plain = pub.get("title") or pub.get("curated_title") or ""
    # Balanced whatever was stored: a stray tag could close the BibTeX value.
    marked = balanced(pub.get("title_html") or "") or html.escape(plain, quote=False)
    # One line: a line break in a BibTeX value could start a forged entry.
    marked = " ".join(marked.split())
    if marked and pub.get("is_retracted"):
        marked += RETRACTED_MARK
    return marked


_INLINE_TAG = re.compile(r"(</?(?:i|b|sup|sub|u)>)")


def _title_parts(marked: str) -> Iterator[tuple[str, str]]:
    """A marked-up title as ("tag", "<i>") and ("word", text) parts, words
    unescaped and spaces as ("space", " "), on one line."""
    for i, part in enumerate(_INLINE_TAG.split(" ".join(marked.split()))):
        if i % 2:
            yield "tag", part
            continue
        for j, word in enumerate(html.unescape(part).split(" ")):
            if j:
                yield "space", " "
            if word:
                yield "word", word


def shown_abstract(pub: dict) -> str:
    """The abstract in plain text for a reader: from its markup, super- and
    subscripts in Unicode; else as stored."""
    if pub.get("abstract_html"):
        return readable(pub["abstract_html"])
    return pub.get("abstract") or ""


def _integrity_note(pub: dict) -> str:
    """Every integrity notice PubMed links to the paper, in one sentence each:
    the retraction, expressions of concern, errata, an updated version."""
    notes = []
    if pub.get("is_retracted"):
        notice = pub.get("retraction_notice_pmid")
        notes.append(f"Retracted (notice: PMID {notice})" if notice else "Retracted")
    for key, name in (
        ("expression_of_concern_pmids", "Expression of concern"),
        ("erratum_pmids", "Erratum"),
    ):
        if pmids := pub.get(key):
            notes.append(f"{name}: " + ", ".join(f"PMID {p}" for p in pmids))
    if successor := pub.get("superseded_by_pmid"):
        notes.append(f"Updated version: PMID {successor}")
    return ". ".join(notes)


# -- RIS -------------------------------------------------------------------------


def _ris_line(tag: str, value: object) -> str:
    return f"{tag}  - {' '.join(str(value).split())}\r\n"


def _last_first(name: Name) -> str:
    """ "Last, First" or "Last, First, Jr" (RIS, Highwire); a group author's
    name as it is."""
    if name.literal:
        return name.literal
    parts = [name.family, name.given, name.suffix]
    return ", ".join(part for part in parts if part)


RIS_TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}


def ris(pub: dict) -> str:
    """One RIS record, ending with ER and a blank line."""
    start, end = expand_pages(pub.get("pages") or "")
    tags: list[tuple[str, object]] = [
        ("TY", RIS_TYPES[kind(pub)]),
        ("ID", citation_key(pub)),
    ]
    tags += [("AU", _last_first(name)) for name in names(pub)]
    tags += [
        ("TI", cited_title(pub)),
        # The journal, or a chapter's book (a whole book has none).
        ("T2", pub.get("journal") if kind(pub) != "book" else ""),
        # The journal's ISO abbreviation, where NLM and Vancouver styles take it.
        ("JO", pub.get("journal_iso")),
        ("SN", pub.get("issn")),
        ("LA", pub.get("language")),
        ("PY", pub.get("year")),
        ("VL", pub.get("volume")),
        ("IS", pub.get("issue")),
        ("SP", start),
        ("EP", end),
        ("DO", pub.get("doi")),
        ("AN", pub.get("pmid")),
        # Zotero's RIS reader puts M2 in Extra, where "PMID: N" is its PMID.
        ("M2", f"PMID: {pub['pmid']}"),
        ("C2", pub.get("pmcid")),
        ("UR", pub.get("pubmed_url")),
        ("AB", shown_abstract(pub)),
        ("N1", _integrity_note(pub)),
    ]
    lines = "".join(_ris_line(tag, value) for tag, value in tags if value)
    return f"{lines}ER  - \r\n\r\n"


# -- BibTeX ----------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIALS))


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX value: specials escaped, one line."""
    flat = " ".join(str(text).split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_SPECIALS[m.group()], flat)


# A word whose case carries meaning even first in a title: a capital after its
# first letter (MSC, NF-κB, TGF-β1, mRNA, CD133+) or a digit with its letters
# (Cxcr4, Pge2).
_KEEP_CASE = re.compile(r"\w\w*[A-Z]|[^\W\d_]\w*\d|\d\w*[^\W\d_]")


def _keeps_case(word: str, first: bool) -> bool:
    """PubMed's titles are in sentence case: past the first word, any capital
    is meant (T cells, Hodgkin, Vitamin D)."""
    return bool(_KEEP_CASE.search(word)) or (
        not first and any(c.isupper() for c in word)
    )


# PubMed's inline markup as LaTeX, and as CSL's HTML-like markup (which has
# no underline: its text stays, plain).
LATEX_TAGS = {
    "<i>": r"\textit{",
    "<b>": r"\textbf{",
    "<sup>": r"\textsuperscript{",
    "<sub>": r"\textsubscript{",
    "<u>": r"\underline{",
}
CSL_TAGS = {"<i>", "</i>", "<b>", "</b>", "<sup>", "</sup>", "<sub>", "</sub>"}


def bibtex_title(marked: str) -> str:
    """A title for BibTeX from its marked-up form: PubMed's inline markup as
    LaTeX (\\textsuperscript{6}), the text escaped, and each case-carrying word
    braced, so that a style that lowercases titles (pybtex's, pandoc's
    citeproc) keeps it."""

    def protect(word: str) -> str:
        # A group starting with a backslash is a "special character" to
        # BibTeX, whose letters it changes the case of: brace it twice.
        escaped = _bibtex_special(word)
        return ("{{%s}}" if escaped.startswith("\\") else "{%s}") % escaped

    def tag(part: str) -> str:
        return "}" if part.startswith("</") else LATEX_TAGS[part]

    def escaped_word(word: str) -> str:
        return _bibtex_special(word)

    out, first = [], True
    for kind, part in _title_parts(marked):
        if kind == "tag":
            out.append(tag(part))
        elif kind == "space":
            out.append(part)
        else:
            out.append(
                protect(part) if _keeps_case(part, first) else escaped_word(part)
            )
            first = False
    return "".join(out)


def bibtex_abstract(pub: dict) -> str:
    """The abstract for BibTeX: its markup as LaTeX, the text escaped, on one
    line; else the stored text, escaped."""
    marked = balanced(pub.get("abstract_html") or "")
    if not marked:
        return bibtex_escape(pub.get("abstract") or "")
    out = []
    for kind, part in _title_parts(marked):
        if kind == "tag":
            out.append("}" if part.startswith("</") else LATEX_TAGS[part])
        else:
            out.append(_bibtex_special(part))
    return "".join(out)


def csl_markup(marked: str) -> str:
    """A marked-up text as CSL's markup (no underline in CSL), unescaped."""
    out = []
    for kind, part in _title_parts(balanced(marked)):
        out.append(part if kind != "tag" or part in CSL_TAGS else "")
    return "".join(out)


def csl_title(marked: str) -> str:
    """A title for CSL-JSON from its marked-up form: PubMed's inline markup
    as CSL's (<i>, <b>, <sup>, <sub>), and each case-carrying word in
    `<span class="nocase">`, so that a style that sets titles in title or
    sentence case (Chicago, APA through pandoc's citeproc) keeps it: without
    it, "CD133+" came out "Cd133+"."""
    out, first = [], True
    for kind, part in _title_parts(marked):
        if kind == "tag":
            out.append(part if part in CSL_TAGS else "")
        elif kind == "space":
            out.append(part)
        else:
            nocase = _keeps_case(part, first)
            out.append(f'<span class="nocase">{part}</span>' if nocase else part)
            first = False
    return "".join(out)


def _bibtex_special(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_SPECIALS[m.group()], text)


def _bibtex_verbatim(text: str) -> str:
    """URLs and DOIs are taken verbatim; only braces could break the entry."""
    return "".join(c for c in " ".join(str(text).split()) if c not in "{}\\")


def _bibtex_author(name: Name) -> str:
    """ "Last, First", or BibTeX's "Last, Jr, First"; a group braced whole."""
    if name.literal:
        return "{" + bibtex_escape(name.literal) + "}"  # a group, not "Last, First"
    if name.suffix:
        return bibtex_escape(f"{name.family}, {name.suffix}, {name.given}")
    return bibtex_escape(f"{name.family}, {name.given}" if name.given else name.family)


def _bibtex_authors(pub: dict) -> str:
    """Every author; a paper known only by its first author (not yet fetched
    from PubMed) ends with "and others", which BibTeX styles print as et al."""
    listed = [_bibtex_author(name) for name in names(pub)]
    if listed and not pub.get("authors"):
        listed.append("others")
    return " and ".join(listed)


BIBTEX_TYPES = {"article": "article", "chapter": "incollection", "book": "book"}
# Where each type names what holds it: a journal, a chapter's book.
CONTAINER_FIELDS = {"article": "journal", "chapter": "booktitle", "book": ""}


def bibtex(pub: dict) -> str:
    """One entry (@article, a chapter's @incollection, a @book) keyed as every
    format keys it (citation_key)."""
    start, end = expand_pages(pub.get("pages") or "")
    container = CONTAINER_FIELDS[kind(pub)]
    fields = [
        ("author", _bibtex_authors(pub)),
        ("title", bibtex_title(cited_title_html(pub))),
        (container, bibtex_escape(pub.get("journal") or "") if container else ""),
        # biblatex's field, which pandoc reads as CSL's container-title-short.
        ("shortjournal", bibtex_escape(pub.get("journal_iso") or "")),
        ("year", pub.get("year") or ""),
        ("volume", bibtex_escape(pub.get("volume") or "")),
        ("number", bibtex_escape(pub.get("issue") or "")),
        ("pages", bibtex_escape(f"{start}--{end}" if end else start)),
        ("doi", _bibtex_verbatim(pub.get("doi") or "")),
        ("pmid", pub.get("pmid")),
        ("pmcid", bibtex_escape(pub.get("pmcid") or "")),
        ("issn", bibtex_escape(pub.get("issn") or "")),
        ("url", _bibtex_verbatim(pub.get("pubmed_url") or "")),
        ("abstract", bibtex_abstract(pub)),
        ("note", _integrity_note(pub)),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value)
    return f"@{BIBTEX_TYPES[kind(pub)]}{{{citation_key(pub)},\n{body}}}\n\n"


# -- Highwire Press meta tags -----------------------------------------------------


def highwire(pub: dict) -> list[tuple[str, str]]:
    """The citation_* meta tags of a paper's page, as (name, content), in order:
    what Zotero's, Mendeley's and Paperpile's page readers and Google Scholar
    take a journal article from. One citation_author per author, "Last, First";
    the date as YYYY/MM/DD as far as PubMed gives it."""
    start, end = expand_pages(pub.get("pages") or "")
    tags: list[tuple[str, object]] = [("citation_title", shown_title(pub))]
    tags += [("citation_author", _last_first(name)) for name in names(pub)]
    container = "citation_journal_title"
    if kind(pub) != "article":
        container = "citation_book_title" if kind(pub) == "chapter" else ""
    tags += [
        (container, pub.get("journal") if container else ""),
        ("citation_journal_abbrev", pub.get("journal_iso")),
        ("citation_issn", pub.get("issn")),
        ("citation_publication_date", date_string(pub, "/")),
        ("citation_volume", pub.get("volume")),
        ("citation_issue", pub.get("issue")),
        ("citation_firstpage", start),
        ("citation_lastpage", end),
        ("citation_doi", pub.get("doi")),
        ("citation_pmid", pub.get("pmid")),
    ]
    return [(name, " ".join(str(value).split())) for name, value in tags if value]


# -- CSL-JSON --------------------------------------------------------------------


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {"family": name.family, "given": name.given, "suffix": name.suffix}
    return {key: value for key, value in parts.items() if value}


CSL_TYPES = {"article": "article-journal", "chapter": "chapter", "book": "book"}


def csl(pub: dict) -> dict:
    """One CSL-JSON item (https://citationstyles.org, csl-data.json)."""
    start, end = expand_pages(pub.get("pages") or "")
    item: dict = {
        "type": CSL_TYPES[kind(pub)],
        "id": citation_key(pub),
        "title": csl_title(cited_title_html(pub)),
        "author": [_csl_name(name) for name in names(pub)],
        # The journal, or a chapter's book.
        "container-title": (pub.get("journal") or "") if kind(pub) != "book" else "",
        "container-title-short": pub.get("journal_iso") or "",
        "volume": pub.get("volume") or "",
        "issue": pub.get("issue") or "",
        "page": f"{start}-{end}" if end else start,
        "DOI": pub.get("doi") or "",
        "PMID": str(pub["pmid"]),
        "PMCID": pub.get("pmcid") or "",
        "ISSN": pub.get("issn") or "",
        "URL": pub.get("pubmed_url") or "",
        "abstract": csl_markup(pub.get("abstract_html") or "")
        or pub.get("abstract")
        or "",
        "note": _integrity_note(pub),
        # CSL's own variable: styles that print a status say "retracted".
        "status": "retracted" if pub.get("is_retracted") else "",
    }
    if parts := date_parts(pub):
        item["issued"] = {"date-parts": [parts]}
    return {key: value for key, value in item.items() if value not in ("", [])}


CSL_ITEM_SCHEMA = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {
        "type": {"type": "string"},
        "id": {"type": "string"},
        "title": {"type": "string"},
        "author": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "family": {"type": "string"},
                    "given": {"type": "string"},
                    "suffix": {"type": "string"},
                    "literal": {"type": "string"},
                },
            },
        },
        "container-title": {"type": "string"},
        "container-title-short": {"type": "string"},
        "issued": {
            "type": "object",
            "properties": {
                "date-parts": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer"}},
                }
            },
        },
        "volume": {"type": "string"},
        "issue": {"type": "string"},
        "page": {"type": "string"},
        "DOI": {"type": "string"},
        "PMID": {"type": "string"},
        "PMCID": {"type": "string"},
        "ISSN": {"type": "string"},
        "URL": {"type": "string"},
        "abstract": {"type": "string"},
        "note": {"type": "string"},
        "status": {"type": "string"},
    },
}
