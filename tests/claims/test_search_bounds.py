"""A search lists at most SEARCH_LIMIT rows, and what it lists is right.

With the limits made small, the shipped review has rare words and common
ones, so every way claims.search has of finding rows is taken: gathering by a
rare word, reading the list's order, and falling back from the one to the
other. Whatever the query, on either database (CI runs both), a search lists
only rows that match; all of them when they fit; and otherwise either the best
ranked or the first in the list's order.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from claims import search as s
from claims.models import Claim, Evidence, Publication, Topic
from claims.search.engines import rank

pytestmark = pytest.mark.django_db

WORDS = [
    "tumor",
    "MSC",
    "marrow",
    "cells",
    "mice",
    "growth",
    "angiogenesis",
    "myeloma",
    "IL6",
    "Karnoub",
    "stromal",
    "NK",
    '"bone marrow"',
    "angio*",
    "osteolysis",
]
term = st.tuples(st.booleans(), st.sampled_from(WORDS)).map(
    lambda t: ("-" if t[0] else "") + t[1]
)
queries = st.lists(term, min_size=1, max_size=3, unique=True).map(" ".join)
LISTS = {
    "claims": lambda: Claim.objects.all(),
    "findings": lambda: Evidence.objects.accepted().order_by("-rating", "pk"),
    "papers": lambda: Publication.objects.all(),
}


@pytest.fixture
def small_limits(monkeypatch):
    """Limits at the review's scale: 5 rows listed, words in 8 rows common."""
    monkeypatch.setattr(s, "SEARCH_LIMIT", 5)
    monkeypatch.setattr(s, "RARE", 8)
    monkeypatch.setattr(s, "MAX_READ", 4 * 6)
    monkeypatch.setattr(s, "CHUNK", 7)


def every_match(queryset, query) -> set[int]:
    """The definition, unbounded: every row whose texts hold each term."""
    for t in query.terms:
        condition = s._term_condition(queryset.model, t)
        queryset = (
            queryset.exclude(condition) if t.excluded else queryset.filter(condition)
        )
    return set(queryset.values_list("pk", flat=True))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(q=queries, kind=st.sampled_from(sorted(LISTS)))
def test_a_search_lists_matches_only_all_that_fit_else_the_best_or_the_first(
    confirmed_review, small_limits, q, kind
):
    queryset = LISTS[kind]()
    query = s.parse(q)
    found = s.search(queryset, query)
    listed = list(found.rows.values_list("pk", flat=True))
    matches = every_match(queryset, query)
    plan = s.plan_search(query)
    exact = plan.driver or queryset.model in plan.ranked
    event("gathered by a rare word" if plan.driver else "common words")
    event("own texts ranked first" if queryset.model in plan.ranked else "own common")
    event("capped" if found.capped else "all listed")

    assert found.count == len(listed) <= s.SEARCH_LIMIT
    assert len(set(listed)) == len(listed)
    assert set(listed) <= matches
    if len(matches) <= s.SEARCH_LIMIT or not found.capped:
        assert set(listed) == matches
    else:
        assert len(listed) == s.SEARCH_LIMIT < len(matches)
    # Exactly the first of all matches, best first; or, for a word in most
    # rows' own texts, its first matches in the list's order.
    assert listed == best_first(queryset, query, matches)[: len(listed)] or (
        not exact and first_in_order(queryset, listed, matches)
    )


def best_first(queryset, query, matches) -> list[int]:
    rows = queryset.filter(pk__in=matches)
    if query.positive:
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        rows = rows.annotate(search_rank=rank(queryset.model, query)).order_by(
            "-search_rank", *ordering
        )
    return list(rows.values_list("pk", flat=True))


def first_in_order(queryset, listed, matches) -> bool:
    order = [pk for pk in queryset.values_list("pk", flat=True) if pk in matches]
    return set(order[: len(listed)]) == set(listed)


# An API list, an ordering it offers, and how to read a result's key.
ORDERED = [
    ("/api/v1/claims/", "-slug", Claim, "slug", "slug"),
    ("/api/v1/evidence/", "-id", Evidence, "id", "id"),
    ("/api/v1/publications/", "pmid", Publication, "pmid", "pmid"),
]


@pytest.mark.parametrize(("url", "ordering", "model", "field", "key"), ORDERED)
def test_a_chosen_ordering_lists_the_first_matches_in_that_order(
    client, confirmed_review, small_limits, url, ordering, model, field, key
):
    """Not the best 5 re-sorted: the first 5 of all matches in the order chosen."""
    query = s.parse("tumor")
    matches = every_match(model.objects.all(), query)
    ordered = model.objects.filter(pk__in=matches).order_by(ordering)
    expected = list(ordered.values_list(field, flat=True)[: s.SEARCH_LIMIT])

    body = client.get(url, {"q": "tumor", "ordering": ordering}).json()

    assert len(matches) > s.SEARCH_LIMIT
    assert [row[key] for row in body["results"]] == expected


def test_the_browse_page_says_when_more_claims_match_than_it_lists(
    client, confirmed_review, small_limits
):
    page = client.get("/claims/", {"q": "tumor"}).content.decode()

    assert "5 or more claims match; the first 5 are listed" in page
    assert "the numbers count the first 5" in page
    few = client.get("/claims/", {"q": "osteolysis"}).content.decode()
    assert "or more claims match" not in few
    assert "the numbers count the first" not in few


def test_a_common_word_is_read_in_the_lists_order_and_a_rare_one_gathered(
    confirmed_review, small_limits
):
    common, rare = s.parse("marrow"), s.parse("osteolysis")

    assert s.plan_search(common).driver is None
    assert s.plan_search(rare).driver == rare.terms[0]
    claims = Claim.objects.all()
    ids, capped = s._first_matches(
        claims, common, s._Order(tuple(Claim._meta.ordering), common), []
    )
    in_order = list(claims.values_list("pk", flat=True))
    assert capped
    assert ids == [pk for pk in in_order if pk in every_match(claims, common)][:5]


def test_a_common_word_missing_from_the_first_rows_read_is_gathered_instead(
    confirmed_review, small_limits
):
    """ "tumor" is in none of the first six claims (the first chunk read): too
    few to find five matches in MAX_READ rows, so every match is gathered."""
    claims = Claim.objects.all()
    query = s.parse("tumor")
    order = s._Order(tuple(Claim._meta.ordering), query)
    matches = every_match(claims, query)
    first_six = list(claims.values_list("pk", flat=True)[:6])

    assert s.plan_search(query).driver is None
    assert not matches & set(first_six)
    assert s._first_matches(claims, query, order, []) is None
    listed = list(s.search(claims, query).rows.values_list("pk", flat=True))
    assert listed == best_first(claims, query, matches)[:5]


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_words_common_only_through_related_texts_list_the_own_matches_first(
    confirmed_review, small_limits, monkeypatch, kind
):
    """A word in many papers but few statements (or the other way round): the
    rows whose own text holds it come first, then the other matches in the
    list's order, exactly as if every match were ranked."""
    monkeypatch.setattr(s, "RARE", 20)
    queryset = LISTS[kind]()
    words = []
    for word in [*WORDS, "stem", "cancer", "human"]:
        query = s.parse(word)
        plan = s.plan_search(query)
        if plan.driver or queryset.model not in plan.ranked:
            continue
        words.append(word)
        listed = list(s.search(queryset, query).rows.values_list("pk", flat=True))
        matches = every_match(queryset, query)
        assert listed == best_first(queryset, query, matches)[: s.SEARCH_LIMIT], word

    assert words


def test_the_browse_page_with_words_alone_searches_once(client, confirmed_review):
    """Its facet counts and its list are then the same search."""
    with CaptureQueriesContext(connection) as alone:
        assert client.get("/claims/", {"q": "tumor"}).status_code == 200
    with CaptureQueriesContext(connection) as filtered:
        assert (
            client.get("/claims/", {"q": "tumor", "level": "animal"}).status_code == 200
        )

    def plans(captured) -> int:  # claims.search.plan_search: one query a search
        return sum(q["sql"].startswith("SELECT (SELECT COUNT(*)") for q in captured)

    assert plans(alone) == 1
    assert plans(filtered) == 2


@pytest.mark.parametrize("word", ["angiogenesis", "tumor", "marrow"])
def test_findings_in_their_own_order_are_the_first_matches_when_ids_disagree(
    confirmed_review, small_limits, word
):
    """Findings list by claim, and a claim's place is its topic's and its own:
    with the topics reversed, claim ids no longer follow it, and the rows a
    search lists must still be the first matches in that order, not by id."""
    topics = list(Topic.objects.order_by("position"))
    for position, topic in enumerate(reversed(topics)):
        Topic.objects.filter(pk=topic.pk).update(position=position)
    queryset = Evidence.objects.accepted()
    query = s.parse(word)
    matches = every_match(queryset, query)

    plan = s.plan_search(query)

    listed = list(s.search(queryset, query).rows.values_list("pk", flat=True))

    assert len(matches) > s.SEARCH_LIMIT
    if plan.driver or Evidence in plan.ranked:  # exact: the best of all matches
        assert listed == best_first(queryset, query, matches)[: s.SEARCH_LIMIT]
    else:  # a word in most findings: its first matches in the list's order
        assert first_in_order(queryset, listed, matches)
