"""The facets of an evidence record, declared once.

A facet is what a finding reports beside its text: its stance and effect, the
level of evidence, and the experimental context (MSC source, species, model,
host immune status, delivery, cancer type). Everything else that names facets
is derived from EVIDENCE_FACETS: the model fields' labels, the status rules'
context facets and the order they try them in, the controlled vocabularies,
the query parameters of the pages, the API and the exports, the facet counts
and the export columns. Nothing here imports Django, so the pure status rules
can read it.
"""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    # The query parameter, the status rules' context key and the export column.
    name: str
    # How the pages and the status reasons name it ("MSC delivery").
    label: str
    # The Evidence field holding it: a choice field, or for a multi-valued
    # facet the many-to-many field of its terms.
    field: str
    # The controlled vocabulary of its values (claims/data/vocabulary.yaml), if any.
    vocabulary: str = ""
    # Several values per record (terms, by slug); a filter matches any of them.
    multiple: bool = False
    # Where the status rules try it when two facets separate the sides equally
    # well (lowest first); None for a facet that never separates them.
    separation_rank: int | None = None
    # Part of the experimental context: a primary record gives it a value or
    # names it under `not_reported` (docs/curation.md).
    context: bool = False


# In the order the pages and the exports show them.
EVIDENCE_FACETS = (
    Facet("stance", "stance", "stance"),
    Facet("effect", "effect", "effect"),
    Facet("level", "level", "level", separation_rank=5),
    Facet(
        "msc_source",
        "MSC source",
        "msc_source",
        "msc_source",
        separation_rank=3,
        context=True,
    ),
    Facet("species", "species", "species", "species", separation_rank=4, context=True),
    Facet(
        "model", "experimental model", "model", "model", separation_rank=2, context=True
    ),
    Facet(
        "immune_status",
        "host immune status",
        "immune_status",
        separation_rank=1,
        context=True,
    ),
    Facet("delivery", "MSC delivery", "delivery", separation_rank=0, context=True),
    Facet(
        "cancer_type",
        "cancer type",
        "cancer_types",
        "cancer_type",
        multiple=True,
        separation_rank=6,
        context=True,
    ),
)
FACETS = {facet.name: facet for facet in EVIDENCE_FACETS}
FACET_NAMES = tuple(FACETS)
# The context facets, in the order the status rules try them.
SEPARATING_FACETS = tuple(
    name
    for _, name in sorted(
        (f.separation_rank, f.name)
        for f in EVIDENCE_FACETS
        if f.separation_rank is not None
    )
)
# A multi-valued facet -> the many-to-many field holding its terms.
TERM_FACETS = {facet.name: facet.field for facet in EVIDENCE_FACETS if facet.multiple}
# Facets whose values are an Evidence field's choices, named by a vocabulary
# that gives each choice its ontology identifier.
CHOICE_VOCABULARIES = tuple(
    facet.vocabulary
    for facet in EVIDENCE_FACETS
    if facet.vocabulary and not facet.multiple
)
TERM_VOCABULARIES = tuple(
    facet.vocabulary for facet in EVIDENCE_FACETS if facet.multiple
)
# The facets a record may name under `not_reported`, in the pages' order.
CONTEXT_FACETS = tuple(facet.name for facet in EVIDENCE_FACETS if facet.context)


def not_reported_problems(listed: object, given: Mapping[str, object]) -> list[str]:
    """What is wrong with a record's `not_reported` list, [] if nothing: the one
    rule the review file, the admin and the API apply. `given` maps a context
    facet's name to the record's value of it (empty when it has none)."""
    if not isinstance(listed, list | tuple) or not all(
        isinstance(name, str) for name in listed
    ):
        return ["Must be a list of facet names."]
    problems = [
        f"{name!r} is not a context facet; one of {', '.join(CONTEXT_FACETS)}."
        for name in listed
        if name not in CONTEXT_FACETS
    ]
    problems += [
        f"{name} has a value, so it is reported; give the value or list it, not both."
        for name in CONTEXT_FACETS
        if name in listed and given.get(name)
    ]
    if len(set(listed)) < len(listed):
        problems.append("A facet is listed twice.")
    return problems
