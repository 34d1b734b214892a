"""NCBI E-utilities: our transport, Biopython's parsing, plain dataclasses out.

The only module that talks to NCBI. `EutilsClient.fetch()` posts PMIDs to efetch
in batches of at most 200, under one rate limit shared by every process, and
returns frozen `PubmedRecord`s whose `model_fields()` the services write to
Publication. Retries belong to the Celery tasks: errors here only say whether a
retry can help (`TransientNcbiError`) or not (`PermanentNcbiError`).
"""

from claims.literature.pubmed.client import BATCH_SIZE, EutilsClient
from claims.literature.pubmed.errors import (
    NcbiError,
    PermanentNcbiError,
    TransientNcbiError,
)
from claims.literature.pubmed.parsing import parse_pubmed_xml
from claims.literature.pubmed.ratelimit import (
    LocalRateLimiter,
    RateLimiter,
    RedisTokenBucket,
    rate_limiter_from_settings,
)
from claims.literature.pubmed.records import Author, FetchResult, PubmedRecord

__all__ = [
    "BATCH_SIZE",
    "Author",
    "EutilsClient",
    "FetchResult",
    "LocalRateLimiter",
    "NcbiError",
    "PermanentNcbiError",
    "PubmedRecord",
    "RateLimiter",
    "RedisTokenBucket",
    "TransientNcbiError",
    "parse_pubmed_xml",
    "rate_limiter_from_settings",
]
