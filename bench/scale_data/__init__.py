"""A large, reproducible data set for benchmarks, beside the curated review.

Generated rows are marked so they can be cleared without touching curated data:
publications have PMIDs from PMID_BASE up, reviews, topics and claims have slugs
starting with SLUG_PREFIX.
"""

from bench.scale_data.curation import SLUG_PREFIX
from bench.scale_data.generate import (
    ScaleReport,
    scale_data_clear,
    scale_data_generate,
    scale_data_present,
)
from bench.scale_data.papers import PMID_BASE

__all__ = [
    "PMID_BASE",
    "SLUG_PREFIX",
    "ScaleReport",
    "scale_data_clear",
    "scale_data_generate",
    "scale_data_present",
]
