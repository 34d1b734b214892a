"""Admin change lists fit a 1440 px screen: every column is visible, none scrolls."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("model", ["evidence", "publication", "claim"])
def test_admin_lists_fit_1440_px_with_status_in_view(review_site, page, model):
    UserFactory(username="lists", is_staff=True, is_superuser=True)
    page.goto(f"{review_site}/admin/login/")
    page.fill("#id_username", "lists")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(f"{review_site}/admin/claims/{model}/")

    table = page.locator("#result_list").bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert table["x"] + table["width"] <= results["x"] + results["width"] + 1
    last = page.locator("#result_list thead th").last.bounding_box()
    assert last["x"] + last["width"] <= 1440
