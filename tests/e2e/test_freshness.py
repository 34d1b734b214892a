"""A real browser revalidates the pages: a 304 while nothing changed, the new
page at once after a write."""

import logging

import pytest
from playwright.sync_api import expect

from claims import curation
from claims.services import claims_recompute_status
from tests.factories import ClaimFactory, EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def served(caplog, path: str) -> list[int]:
    """The statuses the server answered for path, from its request log (the
    browser reports a revalidated copy as a 200)."""
    return [
        record.status
        for record in caplog.records
        if record.name == "portal.requests" and record.args[2] == path
    ]


def test_chromium_revalidates_a_page_and_sees_a_write_at_once(
    live_server, browser, page, caplog
):
    caplog.set_level(logging.INFO, logger="portal.requests")
    claim = ClaimFactory(slug="c", statement="MSC feed tumors.")
    EvidenceFactory(claim=claim)
    claims_recompute_status(claim_ids=[claim.pk])
    heading = page.get_by_role("heading", level=1)
    page.goto(live_server.url + "/claims/c/")
    expect(heading).to_contain_text("MSC feed tumors.")

    page.goto(live_server.url + "/claims/c/")  # no-cache: Chromium asks again
    expect(heading).to_contain_text("MSC feed tumors.")
    # A superuser: a transactional test's flush may have emptied the groups
    # the migrations create.
    editor = UserFactory(is_superuser=True)
    curation.claim_update(claim=claim, by=editor, statement="MSC starve tumors.")
    page.goto(live_server.url + "/claims/c/")

    expect(heading).to_contain_text("MSC starve tumors.")
    assert served(caplog, "/claims/c/") == [200, 304, 200]
