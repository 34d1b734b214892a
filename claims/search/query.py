"""What a search query means: its terms, and the words each may match.

A query is what a researcher would type into PubMed: words, "quoted phrases",
-excluded words, prefixes (angio*). Each term also matches its synonyms from
claims/data/search/synonyms.txt, and a run of plain words that spells a synonym
("mesenchymal stem cells") is one term. Stop words and symbols are left out, on
every database alike. Parsing is the same for SQLite and PostgreSQL: only the
way a term is matched differs (claims.search.engines).
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import snowballstemmer
from django.core.exceptions import ValidationError

DATA = Path(__file__).resolve().parent.parent / "data" / "search"
# More terms make a query costlier without making it more precise: 100
# one-letter words took 0.65-1.5 s each and slowed every other reader.
MAX_TERMS = 12
# A shorter prefix ("a*") matches most of the corpus.
MIN_PREFIX = 3
# A word as both databases split text: letters and digits (FTS5's unicode61
# and PostgreSQL's parser both break at anything else).
TOKEN = re.compile(r"[^\W_]+")
# A word, or a "quoted phrase", either excluded by a leading minus.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class Alternative:
    """One way a term is found: these words (lower case, unstemmed) in this
    order, next to each other."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word begins a longer word


@dataclass(frozen=True)
class Term:
    text: str  # as the reader typed it
    alternatives: tuple[Alternative, ...]
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    ignored: tuple[str, ...] = ()  # stop words and symbols, left out

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.excluded)

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(q: str) -> Query:
    """The terms of q; a ValidationError when q has too many or none to search."""
    typed = [
        (excluded == "-", phrase, word) for excluded, phrase, word in _TERM.findall(q)
    ]
    typed = [t for t in typed if (t[1] or t[2]).strip()]
    terms, ignored = _terms(typed)
    if len(terms) > MAX_TERMS:
        raise ValidationError(
            f"Search for at most {MAX_TERMS} words or phrases (common words such as "
            f"“the” aside); this query has {len(terms)}. Leave out the words that "
            "narrow it least.",
            code="too_many_terms",
        )
    if typed and not terms:
        raise ValidationError(
            f"Nothing to search for in “{q}”: "
            + (
                "it holds only common words."
                if any(TOKEN.search(w) for w in ignored)
                else "type words with letters or digits."
            ),
            code="no_terms",
        )
    return Query(tuple(terms), tuple(ignored))


def _terms(typed: list[tuple[bool, str, str]]) -> tuple[list[Term], list[str]]:
    terms: list[Term] = []
    ignored: list[str] = []
    i = 0
    while i < len(typed):
        excluded, phrase, _word = typed[i]
        span = 1 if phrase or excluded else _synonym_span(typed, i)
        text = (
            f'"{phrase}"' if phrase else " ".join(w for _, _, w in typed[i : i + span])
        )
        term = _term(text, phrase or text, excluded, quoted=bool(phrase) or span > 1)
        if term is None:
            ignored.append(text)
        else:
            terms.append(term)
        i += span
    return terms, ignored


def _synonym_span(typed: list[tuple[bool, str, str]], start: int) -> int:
    """How many plain words from `start` spell a synonym, longest first; 1 if none."""
    for end in range(min(len(typed), start + synonyms().longest), start + 1, -1):
        run = typed[start:end]
        if all(not ex and not ph for ex, ph, _ in run):
            words = tuple(w for _, _, word in run for w in _words(word))
            if stems(words) in synonyms().groups:
                return end - start
    return 1


def _term(text: str, body: str, excluded: bool, *, quoted: bool) -> Term | None:
    prefix = not quoted and body.endswith("*") and len(body.rstrip("*")) >= MIN_PREFIX
    words = _words(body)
    if not words or all(w in stop_words() for w in words):
        return None
    if prefix:
        return Term(text, (Alternative(words, prefix=True),), excluded)
    group = synonyms().groups.get(stems(words), ())
    alternatives = dict.fromkeys((Alternative(words), *group))  # in order, once each
    return Term(text, tuple(alternatives), excluded)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in TOKEN.findall(text))


_stemmer = snowballstemmer.stemmer("english")


def stems(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words as a synonym's key: "tumours" and "tumour" are one."""
    return tuple(_stemmer.stemWords(list(words)))


@dataclass(frozen=True)
class Synonyms:
    groups: dict[tuple[str, ...], tuple[Alternative, ...]]  # by each member's stems
    longest: int  # the most typed words one member spans


@cache
def synonyms() -> Synonyms:
    """The synonym file's groups, each member a phrase."""
    groups: dict[tuple[str, ...], tuple[Alternative, ...]] = {}
    longest = 1
    for line in _lines(DATA / "synonyms.txt"):
        members = [m.strip() for m in line.split(",") if m.strip()]
        group = tuple(Alternative(_words(m)) for m in members)
        for member, alternative in zip(members, group, strict=True):
            groups[stems(alternative.words)] = group
            longest = max(longest, len(member.split()))
    return Synonyms(groups, longest)


@cache
def stop_words() -> frozenset[str]:
    return frozenset(_lines(DATA / "stopwords.txt"))


def _lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]
