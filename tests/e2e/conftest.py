"""Browser fixtures: Debian's Chromium driven headless by Playwright, never a
downloaded browser. Missing Chromium or axe-core skips these tests on a
developer's machine and fails them in CI, which must never skip silently."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import statuses_checked

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Papers whose PubMed records are stored as test fixtures: their pages show the
# full metadata a refresh brings.
FIXTURE_PMIDS = (14611816, 15833829, 16214129, 16636132, 17914389, 19036701)


def require(present: bool, what: str) -> None:
    if present:
        return
    message = f"{what} is missing; see the chromium/axe step of .ci/run"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _statuses_checked_at_the_end(request):
    """What a reader clicked through never leaves a verdict the rules disagree with."""
    yield
    statuses_checked(request)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one module of tests, started once the test database exists.

    Playwright's sync API keeps an event loop in the main thread while it runs,
    which Django takes for an async context: the ORM calls these tests make in
    that thread are plain synchronous ones, so they are allowed for this
    module only, and the suite's later modules never inherit the loop.
    """
    require(CHROMIUM.exists(), str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if allowed is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@pytest.fixture
def axe_source() -> Path:
    require(AXE.exists(), "node_modules/axe-core (npm install --no-save axe-core@4)")
    return AXE


@pytest.fixture
def review_site(live_server, browser):
    """The live server holding the shipped review: some papers fully refreshed
    from stored PubMed records, the others confirmed as a refresh would."""
    from claims.literature.citations import record_payload, refresh_apply
    from claims.literature.pubmed import parse_pubmed_xml
    from tests.conftest import papers_confirm
    from tests.fake_eutils import load_fixture, pubmed_document

    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    xml = pubmed_document([load_fixture(pmid) for pmid in FIXTURE_PMIDS])
    records = parse_pubmed_xml(xml.encode())
    refresh_apply(pmids=FIXTURE_PMIDS, payloads=[record_payload(r) for r in records])
    papers_confirm(metadata_state="pending")
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()
