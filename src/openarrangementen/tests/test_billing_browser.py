"""The billing pages in headless Chromium with axe-core: the provider's administratie sends a
month's declaration and sees the lines approved; the functioneel beheerder records the
payment and reads the spending overview with its chart and table."""

import re
from datetime import date

import pytest
import time_machine

from openarrangementen.billing.models import Line, Payment
from openarrangementen.billing.tests.test_reports import delegate
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.decisions import services as decisions
from openarrangementen.iwmo.models import Side

from .test_browser import assert_accessible, log_in
from .test_provider_browser import status_text, switch_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
START = date(2026, 3, 2)


def test_provider_declares_and_the_municipality_pays(page, demo_server):
    base = demo_server.url
    with time_machine.travel(START, tick=False):
        traject = flow.advance(
            flow.new_melding(question="Hulp bij de administratie."), TrajectStatus.DECIDED
        )
        decisions.traject_start_record(
            traject=traject, actor=flow.user("kade.begeleider"), started_on=START
        )
    log_in(page, base, "kade.administratie")
    page.get_by_role("link", name="Declareren", exact=True).click()
    page.wait_for_url(re.compile(r"/declareren/"))
    page.get_by_label("Maand", exact=True).fill("2026-05")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(re.compile(r"maand=2026-05"))
    assert "Declaratie over mei 2026" in page.get_by_role("heading", level=2).first.inner_text()
    assert page.get_by_text("het volledige periodetarief").first.is_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Declaratie opstellen en verzenden").click()
    assert "3 goedgekeurd" in status_text(page)
    assert Line.objects.filter(side=Side.PROVIDER, status="goedgekeurd").count() == 3
    assert page.get_by_role("table", name=re.compile("Gedeclareerde regels")).is_visible()
    assert_accessible(page)

    switch_user(page, base, "almere.beheerder")
    page.get_by_role("link", name="Declaraties", exact=True).click()
    page.wait_for_url(re.compile(r"/declaraties/"))
    assert_accessible(page)
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Betalingskenmerk").fill("BET-2026-06")
    with page.expect_navigation():
        page.get_by_role("button", name="Betaling vastleggen").click()
    assert "Betaling BET-2026-06" in status_text(page)
    assert Payment.objects.get().lines.count() == 3

    page.get_by_role("link", name="Uitgaven", exact=True).click()
    page.wait_for_url(re.compile(r"/uitgaven/"))
    page.goto(f"{base}/uitgaven/?van=2026-03&tot=2026-06")
    page.wait_for_function("() => window.Chart !== undefined")
    assert page.locator("canvas").count() >= 1
    assert_accessible(page)

    delegate(traject)
    switch_user(page, base, "kade.werkverdeler")
    page.get_by_role("link", name="Samenwerkingsverband", exact=True).click()
    page.wait_for_url(re.compile(r"/samenwerkingsverband/afrekening/"))
    page.goto(f"{base}/samenwerkingsverband/afrekening/?van=2026-03&tot=2026-05")
    assert page.get_by_text("Dagbesteding De Werkplaats").first.is_visible()
    assert_accessible(page)
