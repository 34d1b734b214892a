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


# In the order the pages and the exports show them.
EVIDENCE_FACETS = (
    Facet("stance", "stance", "stance"),
    Facet("effect", "effect", "effect"),
    Facet("level", "level", "level", separation_rank=5),
    Facet("msc_source", "MSC source", "msc_source", "msc_source", separation_rank=3),
    Facet("species", "species", "species", "species", separation_rank=4),
    Facet("model", "experimental model", "model", "model", separation_rank=2),
    Facet("immune_status", "host immune status", "immune_status", separation_rank=1),
    Facet("delivery", "MSC delivery", "delivery", separation_rank=0),
    Facet(
        "cancer_type",
        "cancer type",
        "cancer_types",
        "cancer_type",
        multiple=True,
        separation_rank=6,
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
