"""Freshness: the data version, and every answer's validators and cache built on it.

The data version is the time of the last change to any review, topic, claim,
evidence, publication or vocabulary term, with the number of rows of each, so
that a deletion changes it too. (A record's cancer types change only with the
record, through claims.services.evidence_save, which writes its row.)

From it, for one representation (the data version, the URL, the media type and,
where the answer depends on who asks, the reader):

- its validators (`validators_for`): an ETag and a Last-Modified of the last
  change, so a client sending either back gets a 304 until something changes;
- the conditional-GET decision (`conditional_status`: 304, 412 or go on), the
  same for a Django view (claims.pages.page_cache) and DRF
  (claims.api.conditional);
- its key in the shared cache (`cache_key`) and the one get-or-render helper
  (`cached_response`). The key holds the ETag, so any change makes new keys: a
  cached answer is never stale, it only stops being asked for. The cache fails
  open (portal.cache): with Redis down every read is a miss and is rendered.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Sum, Value
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from claims.models import (
    Claim,
    DataStamp,
    Evidence,
    Publication,
    Review,
    Term,
    Topic,
)
from claims.status_rules import RULES_VERSION

TRACKED = {
    "reviews": Review,
    "topics": Topic,
    "claims": Claim,
    "evidence": Evidence,
    "publications": Publication,
    "terms": Term,
}


@dataclass(frozen=True)
class DataVersion:
    last_change: datetime | None
    rows: dict[str, int]

    @property
    def token(self) -> str:
        stamp = self.last_change.isoformat() if self.last_change else "-"
        rows = ",".join(f"{name}={n}" for name, n in sorted(self.rows.items()))
        return f"{stamp}|{rows}|rules={RULES_VERSION}"


def data_version() -> DataVersion:
    """The last change and row counts of the tracked tables, in one query.

    On PostgreSQL, from the stamps its triggers keep (claims.models.DataStamp):
    scanning 200,000 evidence records and 60,000 papers took 50-65 ms a request.
    """
    if connection.vendor == "postgresql":
        stamps = (
            DataStamp.objects.order_by()
            .values("table")
            .annotate(last=Max("last_change"), n=Sum("rows"))
            .values_list("table", "last", "n")
        )
        return _version({table: (last, n) for table, last, n in stamps})
    return scanned_version()


def scanned_version() -> DataVersion:
    """The data version read from the tracked tables themselves."""
    per_table = [
        model.objects.order_by()
        .annotate(table=Value(name))
        .values("table")
        .annotate(last=Max("updated_at"), n=Count("pk"))
        .values_list("table", "last", "n")
        for name, model in TRACKED.items()
    ]
    found = {
        table: (last, n)
        for table, last, n in per_table[0].union(*per_table[1:], all=True)
    }
    return _version(found)


def _version(found: dict[str, tuple[datetime | None, int]]) -> DataVersion:
    changes = [last for last, _ in found.values() if last is not None]
    return DataVersion(
        last_change=max(changes, default=None),
        rows={name: int(found.get(name, (None, 0))[1]) for name in TRACKED},
    )


@dataclass(frozen=True)
class Validators:
    """What a client sends back to ask whether its copy is current."""

    etag: str
    last_change: datetime | None

    @property
    def last_modified(self) -> int | None:
        """The last change in whole seconds, as Last-Modified has it."""
        return int(self.last_change.timestamp()) if self.last_change else None

    def apply(self, response: HttpResponse) -> HttpResponse:
        """Send these validators with a 200 or a 304.

        With `no-cache` a browser or proxy asks again before each use (a 304
        costs one query); without it, it may guess a copy fresh for a tenth of
        its age since Last-Modified, and show a stale page after a write.
        """
        response.headers["ETag"] = self.etag
        if self.last_modified is not None:
            response.headers["Last-Modified"] = http_date(self.last_modified)
        patch_cache_control(response, no_cache=True)
        return response


# The shape of what the portal serves: raise it with any change to a page or an
# API representation, so that no cache (Redis, a browser's, a client's ETag)
# keeps serving the old shape until the data next changes.
REPRESENTATION_VERSION = "2026-12-04.1"


def validators_for(
    version: DataVersion, *, url: str, media_type: str, reader: str = ""
) -> Validators:
    """One representation's validators: the data, the URL (path and query), the
    media type, the reader (empty when every reader is shown the same) and the
    representation's own version."""
    parts = [version.token, url, media_type, reader, REPRESENTATION_VERSION]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return Validators(etag=f'"{digest}"', last_change=version.last_change)


def conditional_status(request: HttpRequest, validators: Validators) -> int | None:
    """304 when the client's copy is current, 412 when a precondition (If-Match,
    If-Unmodified-Since) fails, None to answer in full (RFC 9110 13.2.2).

    A malformed If-None-Match or date matches nothing, so it gets the full
    answer. `request` is Django's or DRF's (which reads Django's headers).
    """
    answer = get_conditional_response(
        request, etag=validators.etag, last_modified=validators.last_modified
    )
    if answer is None:
        return None
    if answer.status_code == HTTPStatus.NOT_MODIFIED:
        return HTTPStatus.NOT_MODIFIED
    return HTTPStatus.PRECONDITION_FAILED


# A cached answer is never stale (its key holds the data version); this only
# lets the answers of past versions go.
CACHE_SECONDS = 3600


def cache_key(validators: Validators, request: HttpRequest) -> str:
    """The one key of a representation in the cache: its ETag (the data
    version, the URL, the media type, the reader) and the origin asked, since
    links in an answer are absolute and name the host."""
    origin = request.build_absolute_uri("/")
    return "read:" + hashlib.sha256(f"{validators.etag}\n{origin}".encode()).hexdigest()


def cached_response(key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The answer cached under `key`, or `render`'s, kept when it is a whole 200.

    The rendered bytes are kept, with their content type: what was rendered
    (model instances, templates) is not worth pickling.
    """
    found = cache.get(key)
    if found is not None:
        content_type, body = found
        return HttpResponse(body, content_type=content_type)
    response = render()
    if response.status_code == HTTPStatus.OK and not response.streaming:
        cache.set(key, (response["Content-Type"], response.content), CACHE_SECONDS)
    return response
