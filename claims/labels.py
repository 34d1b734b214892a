"""How facets and their values read on the pages and in the status reasons."""

from collections.abc import Iterable, Mapping
from functools import cache

from claims.facets import CHOICE_VOCABULARIES, FACETS, TERM_FACETS
from claims.models import Evidence, Term, column
from claims.vocabulary import choices_of, read_vocabulary_file

NOT_REPORTED = "not reported"


def facet_label(facet: str) -> str:
    """'MSC delivery', 'host immune status', 'cancer type'."""
    return FACETS[facet].label


@cache
def _shipped_ids() -> dict[str, dict[str, str]]:
    vocabulary = read_vocabulary_file(choices=choices_of(Evidence))
    found: dict[str, dict[str, str]] = {name: {} for name in CHOICE_VOCABULARIES}
    for term in vocabulary.terms:
        if term.vocabulary in found and term.ontology_id:
            found[term.vocabulary][term.slug] = term.ontology_id
    return found


def ontology_ids(facet: str) -> dict[str, str]:
    """{choice: ontology id} of a choice facet with a vocabulary (species, MSC
    source, model), from the shipped vocabulary file; {} for the others. The
    file is the terms' source; the choices cannot change without a deploy."""
    return _shipped_ids().get(facet, {})


def term_labels(records: Iterable[Evidence]) -> dict[str, str]:
    """{slug: label} of the cancer types of these records (prefetch them)."""
    return {
        term.slug: term.label
        for record in records
        if record.pk is not None
        for term in record.cancer_types.all()
    }


def value_label(
    facet: str, value: str, *, terms: Mapping[str, str] | None = None
) -> str:
    """The display label of a facet value: a choice's label in lowercase, a
    term's label (from `terms`, {slug: label}, else the database) as it is."""
    if not value:
        return NOT_REPORTED
    if facet in TERM_FACETS:
        if terms is not None and value in terms:
            return terms[value]
        found = Term.objects.filter(vocabulary=facet, slug=value)
        return found.values_list("label", flat=True).first() or value
    choices = dict(column(Evidence, facet).flatchoices)
    return str(choices.get(value, value)).lower() if choices else value


def reason_label(
    facet: str, value: str | None = None, *, terms: Mapping[str, str] | None = None
) -> str:
    """A facet's name (no value) or one of its values, as status reasons say it."""
    if value is None:
        return facet_label(facet)
    return value_label(facet, value, terms=terms)
