"""Mw. Thao (seed 002: bipolar disorder, Almere) through the provider portal of De Kade, in
headless Chromium with axe-core on every page: receive → assign → POP deel II → (the
municipality approves, through the services) → start → casusregie → final evaluation with the
advice "herindicatie, zwaarder niveau".

The municipality's half up to the hand-over goes through the real services (`flow`); its pages
have their own browser test (test_traject_browser.py).
"""

import re

from django.utils import timezone

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.plans import services as plans

from .test_browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOALS = [
    "Mw. Thao herkent de eerste signalen van een stemmingswisseling en meldt die zelf.",
    "Mw. Thao houdt een vast dag- en nachtritme aan met een weekplanning.",
]
BO = "Bo De Kade Begeleiding"  # kade.begeleider: first and last name as the select shows them


def thao_with_provider() -> Traject:
    """Melding to hand-over through the services, with an arrangement that fits a bipolar
    disorder (1, psychische problemen, niveau 2: IB 1,5–4,5 and HH 2,0–4,5 uur per week)."""
    thao = Client.objects.get(family_name="Thao")
    traject = flow.advance(
        flow.new_melding(
            client=thao,
            question="Mw. Thao (bipolaire stoornis) verliest na een manische periode haar "
            "ritme en het overzicht over haar huishouden.",
        ),
        TrajectStatus.ASSESSMENT,
    )
    pa = flow.user("almere.pa")
    data = flow.part_one_input(
        traject,
        level=flow.level("N2", arrangement="1"),
        diagnosis="Bipolaire stoornis (2015)",
        suffers_from="Stemmingswisselingen; na een manische periode raakt het ritme kwijt.",
        cannot_do="Zelf een dag- en nachtritme en het huishouden volhouden.",
        goals="\n".join(GOALS),
    )
    plans.part_one_save(traject=traject, actor=pa, data=data)
    plans.part_one_complete(traject=traject, actor=pa)
    return flow.advance(traject, TrajectStatus.WITH_PROVIDER)


def switch_user(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)


def click_and_wait(page, name, url_pattern: str, *, role: str = "link") -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def status_text(page) -> str:
    return " ".join(page.get_by_role("status").all_inner_texts())


def hh_row_total(page, task: str) -> str:
    row = page.locator("table.oa-hh-table tr", has=page.get_by_role("rowheader", name=task))
    return row.locator("td").last.inner_text().strip()


def test_thao_through_the_provider_portal(page, demo_server):
    base = demo_server.url
    traject = thao_with_provider()
    assert traject.status_enum is TrajectStatus.WITH_PROVIDER
    assert traject.professional is None
    assert not traject.part_twos.exists()  # the hand-over stops before deel II
    page_url = rf"/aanbieder/trajecten/{traject.pk}/$"

    # Werkverdeler: the new traject waits in the inbox; one click shows "nog te verdelen".
    log_in(page, base, "kade.werkverdeler")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Postvak").click()
    page.wait_for_url(f"{base}/aanbieder/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Nog te verdelen \(\d+\)$")).click()
    page.wait_for_url(re.compile(r"verdeling=nee"))
    assert page.get_by_role("link", name=traject.number).is_visible()
    assert_accessible(page)
    click_and_wait(page, traject.number, page_url)
    assert page.get_by_role("heading", level=1).inner_text() == f"Traject {traject.number}"
    assert traject.client.display_name in page.inner_text("main")  # consented: contact
    assert_accessible(page)
    page.get_by_label("Begeleider", exact=True).select_option(label=BO)
    page.get_by_label("Toelichting (optioneel)").fill("Bo heeft ervaring met bipolaire klachten.")
    click_and_wait(page, "Toewijzen", page_url, role="button")
    assert f"Traject {traject.number} is toegewezen" in status_text(page)
    assert BO in page.inner_text("main")
    assert_accessible(page)
    traject.refresh_from_db()
    assert traject.professional.username == "kade.begeleider"

    # Begeleider: the notification, then POP deel II with the countdown.
    switch_user(page, base, "kade.begeleider")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name=re.compile(r"^Berichten")
    ).click()
    page.wait_for_url(f"{base}/berichten/")
    assert_accessible(page)
    click_and_wait(page, f"Traject {traject.number} aan u toegewezen", page_url)
    assert_accessible(page)
    click_and_wait(page, "POP deel II invullen", rf"/aanbieder/trajecten/{traject.pk}/pop-deel-2/$")
    assert re.search(r"Nog \d+ werkdagen", page.get_by_role("status").first.inner_text())
    assert_accessible(page)

    def result_group(i: int):
        return page.get_by_role("group", name=f"Doel {i + 1}: {GOALS[i]}")

    for i, goal in enumerate(GOALS):
        group = result_group(i)
        if i > 0:  # the first result stays empty for now
            group.get_by_label(f"Resultaat bij doel: {goal}").fill(
                "Na zes maanden houdt mw. Thao vier weken achter elkaar haar weekplanning vol."
            )
        group.get_by_label("Wat de inwoner zelf doet").fill("Houdt een stemmingsdagboek bij.")
        group.get_by_label("Wat een algemene voorziening doet (met naam)").fill(
            "Herstelgroep van het Inloophuis Almere, elke dinsdag."
        )
        group.get_by_label("Wat de maatwerkondersteuning doet").fill(
            "Wekelijks gesprek over signalen en planning met de begeleider."
        )
    page.get_by_label("Individuele begeleiding: verwachte gemiddelde inzet per week").fill("3")
    page.get_by_label("Individuele begeleiding: intensiteit en toelichting").fill(
        "Twee bezoeken per week, afbouwend na zes maanden."
    )
    page.get_by_label("Hulp bij het huishouden: verwachte gemiddelde inzet per week").fill("2")
    page.get_by_label("Hulp bij het huishouden: intensiteit en toelichting").fill(
        "Eén keer per week schoonmaken; mw. Thao doet zelf de was."
    )
    hours = {
        "Stofzuigen en dweilen, Woonkamer": "26",
        "Stofzuigen en dweilen, Slaapkamer": "13",
        "Keuken schoonmaken, Keuken": "26",
        "Sanitair schoonmaken, Badkamer en toilet": "39",
    }
    for cell, value in hours.items():
        page.get_by_label(f"{cell}: uren per jaar", exact=True).fill(value)
    page.get_by_label("Te verwachten wijzigingen binnen het arrangement").fill(
        "Minder begeleiding zodra het ritme stabiel is."
    )
    page.get_by_label("De inwoner ondertekent het hele POP").select_option(label="Voor akkoord")
    page.get_by_label("Naam ondertekenaar").fill("M. Thao")
    page.get_by_label("Wijze van ondertekenen").select_option(
        label="Persoonlijk, tijdens het gesprek"
    )

    # Submitted without the first result: refused in Dutch, nothing typed is lost.
    click_and_wait(page, "POP deel II indienen", r"/pop-deel-2/$", role="button")
    assert "Niet alles is goed ingevuld" in page.get_by_role("alert").inner_text()
    first = result_group(0)
    assert "Dit veld is verplicht." in first.inner_text()
    assert (
        first.get_by_label(f"Resultaat bij doel: {GOALS[0]}").get_attribute("aria-invalid")
        == "true"
    )
    assert first.get_by_label("Wat de inwoner zelf doet").input_value() == (
        "Houdt een stemmingsdagboek bij."
    )
    assert page.get_by_label("Keuken schoonmaken, Keuken: uren per jaar").input_value() == "26"
    traject.refresh_from_db()
    assert traject.status_enum is TrajectStatus.WITH_PROVIDER
    assert_accessible(page)

    first.get_by_label(f"Resultaat bij doel: {GOALS[0]}").fill(
        "Mw. Thao belt bij de eerste signalen binnen twee dagen zelf haar begeleider."
    )
    click_and_wait(page, "Totalen berekenen", r"/pop-deel-2/$", role="button")
    assert page.get_by_role("alert").count() == 0
    assert hh_row_total(page, "Stofzuigen en dweilen") == "39"
    assert hh_row_total(page, "Keuken schoonmaken") == "26"
    assert hh_row_total(page, "Sanitair schoonmaken") == "39"
    assert hh_row_total(page, "Afnemen (stof)") == "0"
    footer = page.locator("table.oa-hh-table tfoot td").all_inner_texts()
    assert [t.strip() for t in footer] == ["26", "13", "26", "39", "0", "0", "104"]
    assert "Totaal 104 uur per jaar; gemiddeld 2,00 uur per week." in page.inner_text("main")
    traject.refresh_from_db()
    assert traject.status_enum is TrajectStatus.WITH_PROVIDER  # computing does not submit
    assert_accessible(page)
    click_and_wait(page, "POP deel II indienen", page_url, role="button")
    assert "POP deel II versie 1 is ingediend bij de gemeente." in status_text(page)
    assert_accessible(page)
    traject.refresh_from_db()
    assert traject.status_enum is TrajectStatus.PLAN_REVIEW
    part_two = traject.part_twos.get()
    assert {d.support_form.code: d.per_week for d in part_two.deployments.all()} == {
        "IB": 3,
        "HH": 2,
    }
    assert part_two.household_hours["sanitair"] == {"badkamer": "39"}
    assert traject.signatures.filter(document="pop", signer_name="M. Thao").exists()

    # The municipality accepts, drafts, and a colleague makes the beschikking final.
    flow.advance(traject, TrajectStatus.DECIDED)

    # Begeleider: start today, casusregie note and a week's deployment.
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    assert "Toewijzing (beschikking" in page.inner_text("main")
    click_and_wait(page, "Start vastleggen", rf"/aanbieder/trajecten/{traject.pk}/start/$")
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_label("Eerste dag van de ondersteuning").fill(f"{today:%Y-%m-%d}")
    click_and_wait(page, "Start vastleggen", page_url, role="button")
    assert f"Start vastgelegd op {today:%d-%m-%Y}" in status_text(page)
    traject.refresh_from_db()
    assert traject.status_enum is TrajectStatus.ACTIVE
    assert_accessible(page)

    casusregie = rf"/aanbieder/trajecten/{traject.pk}/casusregie/$"
    click_and_wait(page, "Casusregie en inzet per week", casusregie)
    assert_accessible(page)
    page.get_by_label("Soort").select_option(label="Contact met de inwoner")
    page.get_by_label("Verslag").fill("Kennismaking thuis; weekplanning samen opgezet.")
    click_and_wait(page, "Notitie opslaan", casusregie, role="button")
    assert "De notitie staat in het logboek." in status_text(page)
    assert "Kennismaking thuis; weekplanning samen opgezet." in page.inner_text("main")
    page.get_by_label("Week", exact=True).fill(f"{today:%Y-%m-%d}")
    page.get_by_label(re.compile(r"^Individuele begeleiding")).fill("3")
    page.get_by_label(re.compile(r"^Hulp bij het huishouden")).fill("2")
    click_and_wait(page, "Inzet vastleggen", casusregie, role="button")
    assert "Inzet voor de week van" in status_text(page)
    weeks = page.get_by_role("table", name=re.compile("Afgesproken inzet per week"))
    assert weeks.get_by_role("row").count() == 3  # header + IB + HH
    assert "boven" not in weeks.inner_text().lower()
    assert_accessible(page)
    assert traject.log_entries.count() == 1
    assert traject.weekly_deployments.count() == 2

    # The signal and stop pages (not submitted).
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    click_and_wait(page, "Signaal aan de gemeente", r"/signaal/$")
    assert page.get_by_role("heading", level=1).inner_text() == "Signaal aan de gemeente"
    assert_accessible(page)
    page.go_back()
    click_and_wait(page, "Ondersteuning stoppen", r"/stop/$")
    assert page.get_by_role("heading", level=1).inner_text() == "Ondersteuning stoppen"
    assert_accessible(page)
    page.go_back()

    # Final evaluation, planned at the start: advice "herindicatie, zwaarder niveau".
    evaluation = traject.evaluations.get()
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    click_and_wait(page, "Eindevaluatie invullen", rf"/evaluatie/{evaluation.pk}/$")
    assert page.get_by_role("heading", level=1).inner_text() == "Eindevaluatie"
    assert_accessible(page)
    achieved = ["Ja", "Nee"]
    for i in range(2):
        group = page.get_by_role("group", name=re.compile(rf"^Resultaat {i + 1}: "))
        group.get_by_label(achieved[i], exact=True).check()
        group.get_by_label("Waarom wel of niet, en hoe?").fill(
            "Ze meldt signalen zelf; de gesprekken hielpen."
            if i == 0
            else "Het ritme houdt ze alleen vol met dagelijkse steun; dat past niet in niveau 2."
        )
    click_and_wait(page, "Evaluatie indienen", r"/evaluatie/\d+/$", role="button")
    assert page.get_by_role("alert").is_visible()  # no advice chosen yet
    assert (
        page.get_by_label("Waarom wel of niet, en hoe?")
        .first.input_value()
        .startswith("Ze meldt signalen zelf")
    )
    assert_accessible(page)
    page.get_by_label("Vervolgadvies", exact=True).select_option(
        label="Herindicatie nodig: zwaarder niveau"
    )
    page.get_by_label("Toelichting op het vervolgadvies").fill(
        "Structureel meer begeleiding nodig dan niveau 2 toestaat; herindicatie naar niveau 3."
    )
    page.get_by_label("Ondertekening inwoner").select_option(label="Voor akkoord")
    page.get_by_label("Naam ondertekenaar").fill("M. Thao")
    click_and_wait(page, "Evaluatie indienen", page_url, role="button")
    reindication = Traject.objects.get(previous=traject)
    assert (
        f"De melding voor de herindicatie staat klaar als traject {reindication.number}."
        in status_text(page)
    )
    assert reindication.client == traject.client
    assert reindication.status_enum is TrajectStatus.MELDING
    assert_accessible(page)
    evaluation.refresh_from_db()
    assert evaluation.is_submitted
    assert [r["achieved"] for r in evaluation.results] == [True, False]
    click_and_wait(page, re.compile(r"^Ingediend .*zwaarder niveau$"), r"/evaluatie/\d+/$")
    assert reindication.number in page.inner_text("main")
    assert_accessible(page)

    # The practice environment: clearly marked on the inbox.
    page.goto(f"{base}/aanbieder/oefenen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Oefenomgeving"
    assert_accessible(page)
    click_and_wait(page, "Naar de oefenomgeving", r"/aanbieder/$", role="button")
    banner = page.get_by_role("note").filter(has_text="Oefenomgeving")
    assert banner.is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Postvak (oefenen)"
    assert_accessible(page)

    # The procesregisseur sees the evaluation with the traject.
    switch_user(page, base, "almere.pa")
    page.goto(f"{base}/trajecten/{traject.pk}/")
    main = page.inner_text("main")
    assert "Eindevaluatie van" in main
    assert "Herindicatie nodig: zwaarder niveau" in main
    assert reindication.number in main
    assert_accessible(page)


def test_midden_limburg_delegation_signal_and_handover_pages(page, demo_server):
    """The pages the Thao walk does not reach: POP deel II with result-coded activities,
    delegation to a subcontractor and what the delegate sees, the PA's signal page and the
    warm handover, each checked with axe."""
    from openarrangementen.cases.models import LinkKind
    from openarrangementen.decisions import services as decisions
    from openarrangementen.delivery import services as delivery
    from openarrangementen.delivery.domain import SignalKind
    from openarrangementen.delivery.tests import test_services as d

    base = demo_server.url
    traject = d.mlw(TrajectStatus.WITH_PROVIDER)
    d.assign(traject, "maaskempen.begeleider", by="maaskempen.werkverdeler")
    log_in(page, base, "maaskempen.werkverdeler")
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/pop-deel-2/")
    assert page.get_by_role("heading", name="Activiteiten met resultaatcode").is_visible()
    assert_accessible(page)

    # Through the services to a running traject.
    d.mlw_part_two(traject)
    pa = flow.user("mlw.pa")
    decisions.beschikking_draft(
        traject=traject,
        actor=pa,
        considerations="Het profiel past.",
        application_received_on=timezone.localdate(),
    )
    decisions.beschikking_submit_for_review(traject=traject, actor=pa)
    decisions.beschikking_approve(traject=traject, actor=flow.user("mlw.collega-pa"))
    decisions.traject_start_record(
        traject=traject, actor=flow.user("maaskempen.begeleider"), started_on=timezone.localdate()
    )

    # Delegation: the form, its errors, and the grant.
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    click_and_wait(page, "Inzage geven aan onderaannemer", r"/inzage/$")
    assert_accessible(page)
    page.get_by_role("button", name="Inzage geven").click()
    assert page.get_by_text("Kies een medewerker.").is_visible()
    assert_accessible(page)
    page.get_by_label("Medewerker van de onderaannemer").select_option(index=1)
    page.get_by_label("Waarom heeft deze medewerker inzage nodig?").fill(
        "Dagbesteding op de boerderij."
    )
    page.get_by_role("button", name="Inzage geven").click()
    page.wait_for_url(re.compile(rf"/aanbieder/trajecten/{traject.pk}/$"))
    assert "alleen-lezen inzage" in page.inner_text("main")
    assert_accessible(page)

    # The delegate reads, read-only.
    switch_user(page, base, "peel.medewerker")
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    assert "Alleen-lezen inzage" in page.inner_text("main")
    assert page.get_by_role("link", name="Casusregie en inzet per week").count() == 0
    assert_accessible(page)

    # A signal, read by the PA.
    delivery.signal_send(
        traject=traject,
        actor=flow.user("maaskempen.begeleider"),
        kind=SignalKind.HEALTH,
        description="Mevrouw is opgenomen geweest.",
    )
    signal = traject.signals.get()
    switch_user(page, base, "mlw.pa")
    page.goto(f"{base}/trajecten/{traject.pk}/signaal/{signal.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Gelezen").click()
    page.wait_for_url(re.compile(rf"/trajecten/{traject.pk}/$"))
    signal.refresh_from_db()
    assert signal.read_at is not None

    # A change of provider: the old provider writes the warm handover.
    decisions.traject_change_open(
        traject=traject, actor=pa, kind=LinkKind.CHANGE_PROVIDER, reason="Klik met begeleider."
    )
    switch_user(page, base, "maaskempen.werkverdeler")
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    click_and_wait(page, "Warme overdracht schrijven", r"/overdracht/$")
    assert_accessible(page)
    page.get_by_label("Warme overdracht voor de nieuwe aanbieder").fill(
        "Mevrouw waardeert vaste afspraken op dinsdag."
    )
    page.get_by_role("button", name="Overdracht vastleggen").click()
    page.wait_for_url(re.compile(rf"/aanbieder/trajecten/{traject.pk}/$"))
    assert "vaste afspraken op dinsdag" in page.inner_text("main")
    assert_accessible(page)
