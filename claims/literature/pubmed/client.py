"""The E-utilities transport: rate-limited efetch POSTs over http.client."""

import datetime
import http.client
import ssl
import urllib.parse
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

from django.conf import settings

from claims.literature.pubmed.errors import PermanentNcbiError, TransientNcbiError
from claims.literature.pubmed.parsing import parse_pubmed_xml
from claims.literature.pubmed.ratelimit import (
    LocalRateLimiter,
    RateLimiter,
    rate_limiter_from_settings,
)
from claims.literature.pubmed.records import FetchResult, PubmedRecord

BATCH_SIZE = 200
# An answer missing more than half of a batch of at least this many PMIDs is not
# believed: NCBI has answered a 54-PMID batch with an empty set, which would have
# marked every paper "missing upstream". It is retried like a timeout instead.
SUSPICIOUS_BATCH = 10


class EutilsClient:
    """NCBI E-utilities over HTTP, with timeouts and a rate limit; no retries.

    Without a `rate_limiter` the client limits itself, process-locally, to NCBI's
    rate for its key; `from_settings()` shares the process-wide limiter instead.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str = "",
        email: str = "",
        tool: str = "msc-evidence-portal",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        rate_limiter: RateLimiter | None = None,
    ):
        self.base_url = base_url if base_url.endswith("/") else f"{base_url}/"
        self._url = urllib.parse.urlsplit(self.base_url)
        if self._url.scheme not in ("http", "https") or not self._url.hostname:
            raise ValueError(f"Not an http(s) URL: {base_url!r}")
        self._host: str = self._url.hostname
        self.api_key = api_key
        self.email = email
        self.tool = tool
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.rate_limiter = rate_limiter or LocalRateLimiter(10 if api_key else 3)
        # efetch requests sent (or tried), failed ones included: a run counts them.
        self.requests_made = 0

    @classmethod
    def from_settings(cls) -> "EutilsClient":
        """A client configured by the NCBI_* settings, with the process's limiter.

        NCBI_CONNECT_TIMEOUT and NCBI_READ_TIMEOUT are optional (5 s and 30 s).
        """
        return cls(
            base_url=settings.NCBI_EUTILS_URL,
            api_key=settings.NCBI_API_KEY,
            email=settings.NCBI_EMAIL,
            tool=settings.NCBI_TOOL,
            connect_timeout=getattr(settings, "NCBI_CONNECT_TIMEOUT", 5.0),
            read_timeout=getattr(settings, "NCBI_READ_TIMEOUT", 30.0),
            rate_limiter=rate_limiter_from_settings(),
        )

    def efetch(self, pmids: Sequence[int]) -> bytes:
        """POST 1-200 PMIDs to efetch.fcgi once and return the XML body."""
        ids = [int(pmid) for pmid in pmids]
        if not 1 <= len(ids) <= BATCH_SIZE:
            raise ValueError(f"efetch takes 1 to {BATCH_SIZE} PMIDs, got {len(ids)}")
        if min(ids) <= 0:
            raise ValueError("PMIDs are positive integers")
        params = {"db": "pubmed", "id": ",".join(map(str, ids)), "retmode": "xml"}
        params |= {"tool": self.tool, "email": self.email, "api_key": self.api_key}
        body = urllib.parse.urlencode({k: v for k, v in params.items() if v}).encode()
        self.rate_limiter.acquire()
        self.requests_made += 1
        status, headers, data = self._post("efetch.fcgi", body)
        _raise_for_status(status, headers, data)
        return data

    def fetch(self, pmids: Sequence[int]) -> FetchResult:
        """Fetch and parse any number of PMIDs, 200 per request; report the absent.

        An answer missing most of a large batch raises TransientNcbiError.
        """
        wanted = list(dict.fromkeys(int(pmid) for pmid in pmids))
        records: dict[int, PubmedRecord] = {}
        for start in range(0, len(wanted), BATCH_SIZE):
            batch = wanted[start : start + BATCH_SIZE]
            found = {r.pmid: r for r in parse_pubmed_xml(self.efetch(batch))}
            _raise_if_suspiciously_empty(batch, found)
            records |= found
        missing = tuple(pmid for pmid in wanted if pmid not in records)
        return FetchResult(records=records, missing=missing)

    def _post(
        self, endpoint: str, body: bytes
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = self._connection()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/xml, text/xml",
            "User-Agent": self.tool,
        }
        try:
            connection.connect()
            # The connect timeout has done its job; from here a stall is a slow read.
            connection.sock.settimeout(self.read_timeout)
            connection.request("POST", self._url.path + endpoint, body, headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        except TimeoutError as exc:
            raise TransientNcbiError(f"E-utilities timed out: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise TransientNcbiError(f"E-utilities connection failed: {exc!r}") from exc
        finally:
            connection.close()

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._host, self._url.port
        if self._url.scheme == "https":
            return http.client.HTTPSConnection(
                host,
                port,
                timeout=self.connect_timeout,
                context=ssl.create_default_context(),
            )
        return http.client.HTTPConnection(host, port, timeout=self.connect_timeout)


def _raise_if_suspiciously_empty(batch: list[int], found: dict) -> None:
    absent = sum(1 for pmid in batch if pmid not in found)
    if len(batch) >= SUSPICIOUS_BATCH and absent > len(batch) / 2:
        raise TransientNcbiError(
            f"E-utilities returned {len(batch) - absent} of {len(batch)} records; "
            "an answer missing most of a batch is retried, not believed"
        )


def _raise_for_status(
    status: int, headers: http.client.HTTPMessage, body: bytes
) -> None:
    if 200 <= status < 300:
        return
    snippet = " ".join(body[:200].decode("utf-8", "replace").split())
    message = f"E-utilities answered HTTP {status}: {snippet}"
    if status == 429 or status >= 500:
        retry_after = _retry_after(headers.get("Retry-After"))
        raise TransientNcbiError(message, retry_after=retry_after)
    raise PermanentNcbiError(message)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        delay = parsedate_to_datetime(value) - datetime.datetime.now(datetime.UTC)
    except (TypeError, ValueError):  # unparsable, or a date without a zone
        return None
    return max(0.0, delay.total_seconds())
