"""The contribution page in headless Chromium, checked against WCAG 2.2 AA with axe-core."""

from datetime import date

import pytest

from openarrangementen.contributions.demo import flat_rates_demo_load
from openarrangementen.tests.test_browser import assert_accessible, log_in

from .support import supported_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_contribution_page_is_accessible_for_the_pa_and_the_beheerder(page, demo_server):
    flat_rates_demo_load()  # a transactional test starts from an empty database
    supported_from(date(2025, 3, 14))
    base = demo_server.url
    log_in(page, base, "almere.pa")
    page.goto(f"{base}/bijdrage-cak/?periode=2025-04")
    assert page.get_by_role("heading", level=1).inner_text() == "Bijdrage in de kosten (CAK)"
    assert page.get_by_role("table", name="Mutaties in april 2025 (1)").is_visible()
    assert_accessible(page)
    page.get_by_label("Periode", exact=True).select_option("2026-01")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(f"{base}/bijdrage-cak/?periode=2026-01")
    assert page.get_by_text("(demowaarde)").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/")
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, base, "almere.beheerder")
    page.goto(f"{base}/bijdrage-cak/")
    assert page.get_by_role(
        "table", name="Landelijk abonnementstarief per jaar, met bron"
    ).is_visible()
    assert_accessible(page)
