"""A reader's path through the portal in a real browser, and its accessibility.

Serves the app with pytest-django's live_server and drives Debian's Chromium
headless. Screenshots of the main pages land in screenshots/ (git-ignored).
"""

import re

import pytest
from playwright.sync_api import expect

from claims.exports.releases import release_export
from claims.models import Claim
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

# The review's claim with counted papers on both sides, which MSC delivery
# separates.
CONFLICTED = "bm-msc-promote-primary-tumor-growth"
ESTABLISHED = "msc-home-to-tumors"
MAIN_PAGES = {
    "home": "/",
    "claims": "/claims/",
    "claims-filtered": "/claims/?status=supported&level=animal",
    "claim-contested": f"/claims/{CONFLICTED}/",
    "claim": f"/claims/{ESTABLISHED}/",
    "publication": "/publications/16214129/",
    "publication-retracted": "/publications/15833829/",
    "topic": "/topics/angiogenesis/",
    "topics": "/topics/",
    "publications": "/publications/",
    "search": "/search/?q=fibroblast",
    "methods": "/methods/",
    "releases": "/releases/",
    "release": "/releases/latest/",
}
WIDTHS = (1440, 360)
BLOCKING = ("serious", "critical")


def test_a_reader_browses_filters_searches_and_opens_a_claim_and_its_paper(
    review_site, page
):
    page.goto(review_site + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("claim by claim")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Claims").click()
    claims = Claim.objects.count()
    expect(page.get_by_role("heading", name=f"{claims} claims")).to_be_visible()

    page.get_by_label("Status", exact=True).select_option("context_dependent")
    page.get_by_role("button", name="Apply filters").click()
    # The filter is in the URL, and "Any" filters are left out of it.
    expect(page).to_have_url(re.compile(r"/claims/\?status=context_dependent$"))
    expect(page.get_by_role("heading", name="1 claim matches")).to_be_visible()
    expect(page.get_by_role("link", name="Export the evidence")).to_have_attribute(
        "href", "/api/v1/claims/evidence/?format=csv&status=context_dependent"
    )

    search = page.get_by_role("search", name="Site").get_by_role("searchbox")
    search.fill("primary tumors")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=primary\+tumors$"))
    claim = "MSC increase the growth of primary tumors in vivo"
    page.get_by_role("link", name=claim).first.click()

    expect(page).to_have_url(re.compile(f"/claims/{CONFLICTED}/$"))
    expect(page.locator(".verdict")).to_contain_text("Context-dependent")
    disagree = page.get_by_role("region", name="Why studies disagree")
    expect(disagree).to_contain_text("MSC delivery separates 4 of 5 papers.")
    expect(page.get_by_role("img", name=re.compile("Evidence balance"))).to_be_visible()

    page.get_by_role("link", name="Zhu 2006").click()
    expect(page).to_have_url(re.compile(r"/publications/16214129/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Mesenchymal stem cells derived from bone marrow favor tumor cell growth"
    )
    doi = "10.1016/j.yexmp.2005.07.004"
    expect(page.get_by_role("link", name=doi)).to_have_attribute(
        "href", f"https://doi.org/{doi}"
    )
    expect(page.get_by_text("last refreshed")).to_be_visible()


def test_a_shared_filter_link_opens_the_same_view(review_site, page):
    page.goto(review_site + "/claims/?delivery=systemic&q=tumor")

    expect(page.get_by_label("MSC delivery", exact=True)).to_have_value("systemic")
    expect(page.get_by_label("Words", exact=True)).to_have_value("tumor")
    expect(page.get_by_role("link", name="Remove words: tumor")).to_be_visible()


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(
    review_site, page
):
    page.goto(review_site + f"/claims/{CONFLICTED}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_on_a_phone_the_filters_start_folded_and_open_on_demand(review_site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(review_site + "/claims/")

    status = page.get_by_label("Status", exact=True)
    expect(status).to_be_hidden()
    page.get_by_text("Filter claims").click()
    expect(status).to_be_visible()
    context.close()


@pytest.fixture
def published(review_site, settings, tmp_path) -> str:
    """The review site with one public release of its content."""
    settings.RELEASES_DIR = tmp_path / "releases"
    release_export()
    return review_site


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_fit_the_screen_and_have_no_serious_accessibility_violations(
    published, browser, axe_source, width
):
    review_site = published
    SCREENSHOTS.mkdir(exist_ok=True)
    # The pages forbid inline scripts (CSP); axe is ours to inject all the same.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    problems = {}
    for name, path in MAIN_PAGES.items():
        page.goto(review_site + path)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        page.add_script_tag(path=str(axe_source))
        results = page.evaluate("async () => await axe.run(document)")
        blocking = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in results["violations"]
            if v["impact"] in BLOCKING
        ]
        if blocking or overflow > 0:
            problems[path] = {"axe": blocking, "horizontal overflow px": overflow}
    context.close()

    assert not problems


def test_the_api_docs_render_under_the_content_security_policy(review_site, page):
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(message.text)
        ),
    )

    page.goto(review_site + "/api/docs/")

    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15000)
    assert page.locator(".opblock").count() >= 10
    assert violations == []
