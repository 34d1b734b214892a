"""The distributions scale data is drawn from, measured on the shipped review.

claims/data/review.yaml (44 claims, 149 evidence records, 51 papers) gives the
shapes: stance 87% supports, 7% qualifies, 6% refutes; level one third review
articles, then in vitro and animal, few human-sample or clinical studies; context
facets blank where the level makes them meaningless (no host immune status in a
dish, no delivery in a review); cancer types led by multiple myeloma. Values the
file lacks but the field's literature has (umbilical cord MSC, PDX, more cancer
types) get small weights, so every choice and facet occurs at scale.
"""

import math
from bisect import bisect
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class Weighted(Generic[T]):
    """A fixed categorical distribution; draws are reproducible given the Random."""

    def __init__(self, weights: Mapping[T, float]):
        self.values = list(weights)
        self.cum: list[float] = []
        total = 0.0
        for weight in weights.values():
            total += weight
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


# --- Publications -----------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 1985, 2025
# The MSC-and-cancer literature grows about tenfold every 23 years; 2025 is
# half a year.
YEARS = Weighted(
    {
        year: math.exp((year - FIRST_YEAR) / 10) * (0.5 if year == LAST_YEAR else 1)
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    }
)


@dataclass(frozen=True)
class Journal:
    title: str
    iso: str
    doi_prefix: str
    since: int
    weight: int


JOURNALS = (
    Journal("Blood", "Blood", "10.1182", 1946, 9),
    Journal("Cancer research", "Cancer Res", "10.1158", 1941, 6),
    Journal("Nature", "Nature", "10.1038", 1869, 3),
    Journal("Nature reviews. Cancer", "Nat Rev Cancer", "10.1038", 2001, 3),
    Journal("Stem cells (Dayton, Ohio)", "Stem Cells", "10.1002", 1993, 4),
    Journal("Cell stem cell", "Cell Stem Cell", "10.1016", 2007, 2),
    Journal("Cell", "Cell", "10.1016", 1974, 2),
    Journal("Gene therapy", "Gene Ther", "10.1038", 1994, 2),
    Journal(
        "Experimental and molecular pathology", "Exp Mol Pathol", "10.1016", 1962, 2
    ),
    Journal("British journal of cancer", "Br J Cancer", "10.1038", 1947, 2),
    Journal("Journal of clinical oncology", "J Clin Oncol", "10.1200", 1983, 1),
    Journal("The New England journal of medicine", "N Engl J Med", "10.1056", 1928, 1),
    Journal("Leukemia", "Leukemia", "10.1038", 1987, 2),
    Journal("Cytotherapy", "Cytotherapy", "10.1080", 1999, 2),
    Journal("Oncogene", "Oncogene", "10.1038", 1987, 3),
    Journal("The Journal of experimental medicine", "J Exp Med", "10.1084", 1896, 1),
    Journal("International journal of cancer", "Int J Cancer", "10.1002", 1966, 3),
    Journal("Haematologica", "Haematologica", "10.3324", 1920, 2),
    Journal("Clinical cancer research", "Clin Cancer Res", "10.1158", 1995, 2),
    Journal("Cancer letters", "Cancer Lett", "10.1016", 1975, 2),
    Journal("Journal of immunology", "J Immunol", "10.4049", 1950, 1),
    Journal("Experimental hematology", "Exp Hematol", "10.1016", 1973, 1),
    Journal("PloS one", "PLoS One", "10.1371", 2006, 5),
    Journal("Molecular cancer", "Mol Cancer", "10.1186", 2002, 2),
    Journal("Stem cell research & therapy", "Stem Cell Res Ther", "10.1186", 2010, 4),
    Journal("Scientific reports", "Sci Rep", "10.1038", 2011, 4),
    Journal("Frontiers in oncology", "Front Oncol", "10.3389", 2011, 2),
    Journal("Cancers", "Cancers (Basel)", "10.3390", 2009, 3),
)
JOURNALS_BY_YEAR = {
    year: Weighted({j: j.weight for j in JOURNALS if j.since <= year})
    for year in range(FIRST_YEAR, LAST_YEAR + 1)
}

# A third of the shipped evidence cites review articles.
REVIEW_ARTICLE_SHARE = 0.3
RETRACTED_SHARE = 0.005
ERRATUM_SHARE = 0.02
CONCERN_SHARE = 0.001
METADATA_STATES = Weighted(
    {"current": 98.5, "pending": 1.0, "failed": 0.3, "missing": 0.2}
)
MEDLINE_STATUS = Weighted({"MEDLINE": 95, "PubMed-not-MEDLINE": 5})
MEDLINE_STATUS_RECENT = Weighted(
    {"MEDLINE": 50, "In-Process": 20, "Publisher": 15, "In-Data-Review": 15}
)

# --- Claims -----------------------------------------------------------------

SETTINGS = ("primary_tumor", "bone_marrow", "both")
CANCERS = Weighted(
    {
        "multiple myeloma": 30,
        "breast carcinoma": 16,
        "colon carcinoma": 10,
        "melanoma": 9,
        "glioma": 5,
        "kaposi sarcoma": 4,
        "prostate carcinoma": 4,
        "lung carcinoma": 4,
        "hepatocellular carcinoma": 3,
        "pancreatic carcinoma": 3,
        "ovarian carcinoma": 3,
        "osteosarcoma": 3,
        "gastric carcinoma": 2,
        "acute myeloid leukemia": 2,
        "lymphoma": 2,
        "neuroblastoma": 1,
        "ewing sarcoma": 1,
        "insulinoma": 1,
    }
)
# "breast carcinoma, melanoma": one paper testing two tumor types.
TWO_CANCERS_SHARE = 0.05


@dataclass(frozen=True)
class ClaimKind:
    """How the evidence on a claim tends to fall."""

    name: str
    stances: Weighted
    split: bool = False


# Most claims of a review are consensus; some are disputed (how many depends on
# the theme), and half of the disputes split along a reported context, which the
# status rules call Context-dependent.
CONSENSUS = ClaimKind(
    "consensus", Weighted({"supports": 93.5, "qualifies": 6, "refutes": 0.5})
)
DISPUTED = ClaimKind(
    "disputed", Weighted({"supports": 60, "refutes": 28, "qualifies": 12})
)
SPLIT = ClaimKind(
    "split", Weighted({"supports": 58, "refutes": 32, "qualifies": 10}), split=True
)
REFUTED = ClaimKind("refuted", Weighted({"refutes": 75, "qualifies": 25}))
# Only reviews and qualifying findings so far: Insufficient.
THIN = ClaimKind("thin", Weighted({"qualifies": 100}))
# What is left after a theme's disputed share.
OTHER_KINDS = Weighted({CONSENSUS: 94, REFUTED: 3, THIN: 3})

# Evidence records per claim vary a lot: some claims are heavily studied.
EVIDENCE_SPREAD_SIGMA = 0.8
# Most of a claim's papers come from its review's reference list.
OWN_REFERENCES_SHARE = 0.85

# --- Evidence ---------------------------------------------------------------

OPPOSITE_EFFECT = {
    "pro_tumor": Weighted({"anti_tumor": 60, "no_effect": 40}),
    "anti_tumor": Weighted({"pro_tumor": 50, "no_effect": 50}),
    "mixed": Weighted({"no_effect": 100}),
    "no_effect": Weighted({"pro_tumor": 50, "anti_tumor": 50}),
    "not_assessed": Weighted({"not_assessed": 100}),
}
CLAIMED_EFFECT_SHARE = 0.85


@dataclass(frozen=True)
class Profile:
    """A coherent set of primary-study facets, as the shipped records pair them."""

    level: str
    model: str
    species: str
    immune_status: str
    delivery: str

    def get(self, facet: str) -> str:
        return getattr(self, facet)


def _profiles(rows: str) -> dict[Profile, int]:
    """'level model species immune delivery weight' lines, '-' for blank."""
    table = {}
    for row in rows.strip().splitlines():
        *values, weight = row.split()
        table[Profile(*(v.replace("-", "") for v in values))] = int(weight)
    return table


PRIMARY_PROFILES = _profiles(
    """
    in_vitro cell_culture human - co_culture 20
    in_vitro cell_culture human - - 10
    in_vitro cell_culture - - co_culture 6
    in_vitro cell_culture - - - 4
    in_vitro cell_culture human - conditioned_medium 4
    in_vitro cell_culture mouse - co_culture 2
    in_vitro cell_culture rat - - 1
    in_vitro patient_material human - co_culture 3
    animal cell_line_xenograft human immunodeficient co_injection 10
    animal cell_line_xenograft human immunodeficient systemic 7
    animal cell_line_xenograft human immunodeficient local 2
    animal cell_line_xenograft human immunodeficient - 2
    animal pdx human immunodeficient systemic 1
    animal syngeneic mouse immunocompetent co_injection 4
    animal syngeneic mouse immunocompetent systemic 3
    animal syngeneic rat immunocompetent local 5
    animal syngeneic - immunocompetent - 4
    animal gemm mouse immunocompetent - 1
    animal - - - - 5
    human_samples patient_material human - - 5
    human_samples - - - - 1
    clinical patient_material human - - 1
    clinical - - - - 1
    """
)
PROFILES = Weighted(PRIMARY_PROFILES)
REVIEW_PROFILE = Profile("review", "", "", "", "")

MSC_SOURCE = {
    "primary": Weighted(
        {"bone_marrow": 55, "": 35, "adipose": 5, "other": 3, "umbilical_cord": 2}
    ),
    "review": Weighted({"": 92, "bone_marrow": 8}),
}
REVIEW_SPECIES = Weighted({"": 94, "human": 6})
BLANK_CANCER_SHARE = {
    "in_vitro": 0.45,
    "animal": 0.1,
    "human_samples": 0.15,
    "clinical": 0.0,
    "review": 0.75,
}
RATINGS = {
    "in_vitro": Weighted({4: 44, 3: 46, 2: 6, 1: 4}),
    "animal": Weighted({4: 48, 3: 44, 2: 5, 5: 3}),
    "human_samples": Weighted({4: 50, 3: 50}),
    "clinical": Weighted({4: 60, 5: 20, 3: 20}),
    "review": Weighted({3: 70, 2: 25, 4: 5}),
}
RATIOS = Weighted({"": 97, "1:1": 1.5, "1:10": 1, "1:4": 0.5})
# Curated content is accepted; the moderation queue holds the rest.
EVIDENCE_STATUS = Weighted({"accepted": 88, "submitted": 5, "draft": 4, "rejected": 3})
# A context-dependent claim's two sides differ in one of these facets.
SPLIT_FACETS = Weighted(
    {
        "immune_status": 3,
        "cancer_type": 3,
        "delivery": 2,
        "model": 2,
        "level": 2,
        "species": 1,
        "msc_source": 1,
    }
)
