"""A fake NCBI E-utilities server on 127.0.0.1: fixture XML, faults, request rate.

Serves efetch.fcgi (POST and GET) like NCBI does: a PubmedArticleSet with NCBI's
XML declaration and DOCTYPE, holding the stored article for each requested PMID
it knows; unknown PMIDs are silently absent. Faults queued with `inject()` are
played one per request.
"""

import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "pubmed"
EFETCH_PATH = "/entrez/eutils/efetch.fcgi"
# "empty": a well-formed PubmedArticleSet without a single article, as NCBI has
# answered a whole batch; "partial": only the first third of the articles asked.
FAULTS = frozenset(
    {"timeout", "429", "500", "502", "400", "malformed", "html", "empty", "error"}
    | {"partial"}
)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")

_SYNTHETIC_ARTICLE = """<PubmedArticle>
<MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<DateRevised><Year>2024</Year><Month>01</Month><Day>15</Day></DateRevised>
<Article PubModel="Print"><Journal><ISSN IssnType="Print">0000-0000</ISSN>
<JournalIssue CitedMedium="Print"><Volume>{volume}</Volume><Issue>{issue}</Issue>
<PubDate><Year>{year}</Year><Month>Mar</Month></PubDate></JournalIssue>
<Title>Journal of synthetic results</Title>
<ISOAbbreviation>J Synth Results</ISOAbbreviation></Journal>
<ArticleTitle>Synthetic record {pmid} for load tests.</ArticleTitle>
<Pagination><MedlinePgn>{page}-{last_page}</MedlinePgn></Pagination>
<Abstract><AbstractText>Abstract text for synthetic record {pmid}.</AbstractText>
</Abstract><AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Synthetic</LastName>
<ForeName>Author</ForeName><Initials>A</Initials></Author></AuthorList>
<Language>eng</Language><PublicationTypeList>
<PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>
</Article><MedlineJournalInfo><Country>United States</Country>
<MedlineTA>J Synth Results</MedlineTA></MedlineJournalInfo></MedlineCitation>
<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>
<ArticleId IdType="pubmed">{pmid}</ArticleId>
<ArticleId IdType="doi">10.5555/synthetic.{pmid}</ArticleId></ArticleIdList>
</PubmedData></PubmedArticle>
"""

_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>NCBI - WWW Error 500 Diagnostic</title></head>
<body><h1>Server Error</h1><p>Your request could not be processed.</p></body></html>
"""

_ERROR_DOCUMENT = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" \
"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">
<eFetchResult>
\t<ERROR>Cannot retrieve query results</ERROR>
</eFetchResult>
"""


def doctype(dtd: str) -> str:
    """NCBI's DOCTYPE line for a pubmed_YYMMDD.dtd."""
    stamp = dtd.removeprefix("pubmed_").removesuffix(".dtd")
    year, month, day = 2000 + int(stamp[:2]), int(stamp[2:4]), int(stamp[4:6])
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}
    date = f"{day}{suffix.get(day, 'th')} {_MONTHS[month - 1]} {year}"
    return (
        f'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, {date}//EN" '
        f'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/{dtd}">'
    )


def pubmed_document(fragments: list[str], dtd: str = "pubmed_250101.dtd") -> str:
    """A PubmedArticleSet as efetch sends it, around article XML fragments."""
    return (
        '<?xml version="1.0" ?>\n'
        f"{doctype(dtd)}\n<PubmedArticleSet>\n{''.join(fragments)}</PubmedArticleSet>\n"
    )


def load_fixture(pmid: int) -> str:
    """The stored article XML of one fixture PMID."""
    return (FIXTURES / f"{pmid}.xml").read_text(encoding="utf-8")


class FakeEutilsServer(ThreadingHTTPServer):
    """The fake; `start()` it, point NCBI_EUTILS_URL at `url`, `stop()` it."""

    daemon_threads = True

    def __init__(self, fixtures: Path = FIXTURES):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.articles: dict[int, str] = {
            int(path.stem): path.read_text(encoding="utf-8")
            for path in sorted(fixtures.glob("*.xml"))
        }
        self.synthetic: set[int] = set()
        self.requests: list[tuple[float, str, dict]] = []
        self.dtd = "pubmed_250101.dtd"
        self.enforce_rate: int | None = None
        self._faults: deque[tuple[str, float]] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/entrez/eutils/"

    def start(self) -> "FakeEutilsServer":
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a "timeout" fault
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def add_article(self, pmid: int, xml: str) -> None:
        self.articles[int(pmid)] = xml

    def synthesize(self, pmids) -> None:
        """Serve a realistic minimal article for each PMID (for load tests).

        Articles are written out per request, not stored: 100,000 stored
        articles would take ~200 MB.
        """
        self.synthetic.update(int(pmid) for pmid in pmids)

    def article(self, pmid: int) -> str | None:
        """The article XML served for a PMID, or None for an unknown PMID."""
        if pmid in self.articles:
            return self.articles[pmid]
        if pmid not in self.synthetic:
            return None
        page = 1 + pmid % 900
        return _SYNTHETIC_ARTICLE.format(
            pmid=pmid,
            volume=1 + pmid % 80,
            issue=1 + pmid % 12,
            year=1990 + pmid % 35,
            page=page,
            last_page=page + 9,
        )

    def inject(self, fault: str, *, seconds: float = 3.0) -> None:
        """Queue a fault for a coming request; a "timeout" stalls `seconds`."""
        if fault not in FAULTS:
            raise ValueError(f"Unknown fault {fault!r}; choose from {sorted(FAULTS)}")
        with self._lock:
            self._faults.append((fault, seconds))

    def max_rate(self, window: float = 1.0) -> int:
        """The most requests seen in any sliding window of `window` seconds."""
        times = sorted(moment for moment, _method, _params in self.requests)
        most, first = 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= window:
                first += 1
            most = max(most, last - first + 1)
        return most

    def document(self, pmids: list[int]) -> str:
        fragments = [xml for xml in map(self.article, pmids) if xml is not None]
        return pubmed_document(fragments, self.dtd)

    def record(self, method: str, params: dict) -> tuple[str, float] | None:
        """Log a request; return the fault it must answer with, if any."""
        with self._lock:
            now = time.monotonic()
            self.requests.append((now, method, params))
            if self.enforce_rate is not None:
                recent = sum(1 for moment, _, _ in self.requests if now - moment < 1.0)
                if recent > self.enforce_rate:
                    return ("429", 0.0)
            return self._faults.popleft() if self._faults else None

    def stall(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    server: FakeEutilsServer

    def do_GET(self) -> None:
        self._efetch("GET", urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._efetch("POST", self.rfile.read(length).decode("utf-8"))

    def log_message(self, format: str, *args) -> None:
        """Keep pytest's output clean."""

    def _efetch(self, method: str, query: str) -> None:
        if urlsplit(self.path).path != EFETCH_PATH:
            self._send(404, "text/plain", "Not found")
            return
        params = _params(query)
        fault = self.server.record(method, params)
        if fault is None:
            self._send(200, "text/xml", self.server.document(params["id"]))
        else:
            self._fault(*fault, params["id"])

    def _fault(self, fault: str, seconds: float, pmids: list[int]) -> None:
        document = self.server.document(pmids)
        if fault == "timeout":
            self.server.stall(seconds)
            self._send(200, "text/xml", document)
        elif fault == "429":
            body = '{"error":"API rate limit exceeded","count":"4"}'
            self._send(429, "application/json", body, {"Retry-After": "1"})
        elif fault in ("500", "502"):
            self._send(int(fault), "text/html", _HTML_PAGE)
        elif fault == "400":
            self._send(400, "application/json", '{"error":"Invalid uid"}')
        elif fault == "malformed":
            self._send(200, "text/xml", document[: len(document) // 2])
        elif fault == "html":
            self._send(200, "text/html", _HTML_PAGE)
        elif fault == "empty":
            self._send(200, "text/xml", self.server.document([]))
        elif fault == "partial":
            third = pmids[: len(pmids) // 3]
            self._send(200, "text/xml", self.server.document(third))
        elif fault == "error":
            self._send(200, "text/xml", _ERROR_DOCUMENT)

    def _send(
        self, status: int, content_type: str, body: str, headers: dict | None = None
    ) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer


def _params(query: str) -> dict:
    """Form parameters, one value each; `id` as a list of ints."""
    params: dict = {key: values[-1] for key, values in parse_qs(query).items()}
    ids = params.get("id", "").split(",")
    params["id"] = [int(pmid) for pmid in ids if pmid.strip().isdigit()]
    return params
