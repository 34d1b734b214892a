"""text_search, and the ranked browse built on it, the same on either database."""

import pytest
from django.db import connection

from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Publication
from claims.search import text_search
from claims.search.sqlite_index import repair
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    angiogenesis = ClaimFactory(statement="MSC promote angiogenesis in tumors.")
    homing = ClaimFactory(statement="MSC home to wounds and tumors.")
    paper = PublicationFactory(
        title="Chemokine gradients guide stromal cells",
        abstract="Marrow stromal cells followed a CXCL12 gradient.",
    )
    EvidenceFactory(
        claim=homing,
        publication=paper,
        finding="Labelled cells accumulated in the periphery of gliomas.",
    )
    return {"angiogenesis": angiogenesis, "homing": homing, "paper": paper}


def test_claims_are_found_by_their_statement(corpus):
    found = text_search(Claim.objects.all(), "angiogenesis")

    assert list(found) == [corpus["angiogenesis"]]


def test_claims_are_found_by_the_findings_titles_and_abstracts_of_their_evidence(
    corpus,
):
    for words in ("gliomas", "chemokine", "CXCL12"):
        assert list(text_search(Claim.objects.all(), words)) == [corpus["homing"]]


def test_every_word_must_match(corpus):
    assert list(text_search(Claim.objects.all(), "wounds gliomas")) == [
        corpus["homing"]
    ]
    assert not text_search(Claim.objects.all(), "wounds angiogenesis").exists()


def test_words_may_come_from_the_row_and_from_its_evidence(corpus):
    found = text_search(Claim.objects.all(), "wounds chemokine")

    assert list(found) == [corpus["homing"]]


def test_a_common_word_does_not_empty_the_results(corpus):
    found = text_search(Claim.objects.all(), "the gliomas")

    assert list(found) == [corpus["homing"]]


def test_a_claim_matched_by_several_findings_appears_once(corpus):
    EvidenceFactory(claim=corpus["homing"], finding="More gliomas were reached.")

    assert text_search(Claim.objects.all(), "gliomas").count() == 1


def test_findings_of_evidence_not_accepted_do_not_surface_a_claim(corpus):
    EvidenceFactory(
        claim=corpus["angiogenesis"],
        finding="A draft about osteoclasts.",
        status=Evidence.Status.DRAFT,
    )

    assert not text_search(Claim.objects.all(), "osteoclasts").exists()


def test_papers_are_found_by_title_abstract_and_the_findings_citing_them(corpus):
    for words in ("chemokine", "CXCL12", "gliomas"):
        found = text_search(Publication.objects.all(), words)
        assert list(found) == [corpus["paper"]]


def test_evidence_is_found_by_its_finding_claim_and_paper(corpus):
    for words in ("gliomas", "wounds", "chemokine"):
        found = text_search(Evidence.objects.all(), words)
        assert [e.claim for e in found] == [corpus["homing"]]


def test_blank_words_leave_the_queryset_alone(corpus):
    assert text_search(Claim.objects.all(), "   ").count() == 2


def test_search_stems_words_and_ranks_statement_matches_first(corpus):
    statement_match = ClaimFactory(statement="Gliomas attract MSC.")

    found = list(text_search(Claim.objects.all(), "glioma"))

    assert found == [statement_match, corpus["homing"]]


def test_a_minus_excludes_a_word_and_quotes_keep_a_phrase(corpus):
    excluded = text_search(Claim.objects.all(), "tumors -angiogenesis")
    phrase = text_search(Claim.objects.all(), '"home to wounds"')
    broken_phrase = text_search(Claim.objects.all(), '"wounds to home"')

    assert list(excluded) == [corpus["homing"]]
    assert list(phrase) == [corpus["homing"]]
    assert not broken_phrase.exists()


def test_ranked_browse_lists_the_best_matches_first(corpus):
    best = ClaimFactory(statement="Gliomas, gliomas: MSC home to gliomas.")
    ranked = ClaimFilter({"q": "glioma"}, queryset=Claim.objects.all()).qs

    assert list(ranked) == [best, corpus["homing"]]


def test_claims_found_only_through_their_evidence_rank_after_in_the_given_order(
    corpus,
):
    first = ClaimFactory(statement="Stromal cells persist.", position=1)
    second = ClaimFactory(statement="Stromal cells divide.", position=2)
    for claim in (second, first):
        EvidenceFactory(claim=claim, finding="They reached the gliomas.")
    best = ClaimFactory(statement="MSC home to gliomas.", position=3)

    ranked = list(text_search(Claim.objects.order_by("position", "pk"), "glioma"))

    assert ranked == [best, corpus["homing"], first, second]
    assert ranked[0].search_rank > 0
    assert {claim.search_rank for claim in ranked[1:]} == {0}


def test_a_papers_search_text_follows_its_edits(corpus):
    paper = corpus["paper"]
    paper.abstract = "Marrow stromal cells followed an MCP-1 gradient."
    paper.save()

    assert not text_search(Claim.objects.all(), "CXCL12").exists()
    assert list(text_search(Claim.objects.all(), "MCP-1")) == [corpus["homing"]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index")
def test_a_sqlite_table_rebuilt_by_a_migration_gets_its_search_triggers_back(corpus):
    claim = corpus["homing"]
    with connection.cursor() as cursor:  # as Django's table rebuild leaves it
        cursor.execute("DROP TRIGGER claims_claim_fts_update")
    Claim.objects.filter(pk=claim.pk).update(statement="MSC home to sarcomas.")

    stale = text_search(Claim.objects.all(), "sarcomas").exists()
    repair(connection)
    claim.statement = "MSC home to osteosarcomas."
    claim.save()

    assert not stale
    assert list(text_search(Claim.objects.all(), "osteosarcomas")) == [claim]
