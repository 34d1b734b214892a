"""What a reader sees of a match: the words marked, and a word to try instead.

Both follow the database's own stemmer (Porter on SQLite, Snowball English on
PostgreSQL), so the words marked are the words the search found.
"""

import difflib
from functools import cache, lru_cache

import snowballstemmer
from django.core.cache import cache as shared_cache
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, Evidence, Publication
from claims.search.query import TOKEN, Query, stop_words, synonyms

# Words of text around the first mark, either side, in a long text's snippet.
SNIPPET_WORDS = 24
# Rows read per kind for the suggestions' vocabulary: bounded, so a search
# with no match never reads a whole table of the scale data.
VOCABULARY_ROWS = 20_000


@cache
def _stemmer(vendor: str):
    return snowballstemmer.stemmer("english" if vendor == "postgresql" else "porter")


# Stemming in Python took 0.15 ms a word, 0.65 s for a page of 4,400 words;
# the words of a corpus repeat, so each is stemmed once.
@lru_cache(maxsize=100_000)
def _stem(vendor: str, word: str) -> str:
    return _stemmer(vendor).stemWord(word)


def highlight(text: str, query: Query, *, snippet: bool = False) -> SafeString:
    """text, escaped, with each word or phrase the query found in <mark>; with
    `snippet`, only the words around the first mark (the text's start if none)."""
    tokens = list(TOKEN.finditer(text))
    found = sorted(_found(tokens, query))
    start, end = 0, len(text)
    if snippet and len(tokens) > 2 * SNIPPET_WORDS:
        first = found[0] if found else 0
        start = tokens[max(first - SNIPPET_WORDS, 0)].start()
        end = tokens[min(first + SNIPPET_WORDS, len(tokens) - 1)].end()
    html, at = [], start
    for m in (tokens[i] for i in found):
        if start <= m.start() and m.end() <= end:
            html += [escape(text[at : m.start()]), f"<mark>{escape(m.group())}</mark>"]
            at = m.end()
    html.append(escape(text[at:end]))
    # Safe: every piece of the text is escaped above.
    return mark_safe(
        ("… " if start else "") + "".join(html) + (" …" if end < len(text) else "")
    )


def _found(tokens: list, query: Query) -> set[int]:
    """The positions of the tokens that a positive term's alternative matches:
    a phrase only where its words stand together, in order."""
    vendor = connection.vendor
    words = [m.group().lower() for m in tokens]
    stems = [_stem(vendor, w) for w in words]
    found: set[int] = set()
    for alternative in (a for t in query.positive for a in t.alternatives):
        wanted = [_stem(vendor, w) for w in alternative.words]
        n = len(wanted)
        for i in range(len(tokens) - n + 1):
            head, last = stems[i : i + n - 1], i + n - 1
            if head != wanted[:-1]:
                continue
            if alternative.prefix:
                hit = words[last].startswith(alternative.words[-1])
            else:
                hit = stems[last] == wanted[-1]
            if hit:
                found.update(range(i, i + n))
    return found


def suggestion(query: Query, unknown: list[str], version: str) -> str:
    """The query with each word the corpus does not hold replaced by the
    closest word it does, or "" when no word is close."""
    vocabulary = _vocabulary(version)
    text = " ".join(t.text for t in query.terms if not t.excluded)
    changed = text
    for word in unknown:
        close = difflib.get_close_matches(word.lower(), vocabulary, n=1, cutoff=0.75)
        if close:
            changed = changed.replace(word, close[0])
    return changed if changed != text else ""


def _vocabulary(version: str) -> list[str]:
    key = f"search-vocabulary:{version}"
    words = shared_cache.get(key)
    if words is None:
        words = sorted(_corpus_words())
        shared_cache.set(key, words, 24 * 3600)
    return words


def _corpus_words() -> set[str]:
    texts = [
        Claim.objects.values_list("statement", flat=True),
        Evidence.objects.accepted().values_list("finding", flat=True),
        Publication.objects.values_list("title", flat=True),
    ]
    words = {w for group in synonyms().groups.values() for a in group for w in a.words}
    for rows in texts:
        for text in rows.order_by("pk")[:VOCABULARY_ROWS].iterator():
            words.update(w.lower() for w in TOKEN.findall(text) if len(w) > 2)
    return {w for w in words if not w.isdigit() and w not in stop_words()}
