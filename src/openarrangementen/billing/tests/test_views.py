"""The billing pages: the provider declares a month and sees the answer per line; the
municipality sees the received lines and records a payment. Access and access log."""

from datetime import date

from django.urls import reverse

import pytest
import time_machine

from openarrangementen.billing.models import Line, Payment
from openarrangementen.billing.tests.test_flow import START, run  # noqa: F401
from openarrangementen.billing.tests.test_flow import started as started  # noqa: F401
from openarrangementen.cases.tests import flow
from openarrangementen.core.models import AccessLog
from openarrangementen.iwmo.models import Side

pytestmark = pytest.mark.usefixtures("demo")
user = flow.user


def test_provider_sees_what_is_owed_and_why_then_declares(client, started):
    client.force_login(user("kade.administratie"))
    with time_machine.travel(date(2026, 5, 4), tick=False):
        page = client.get(reverse("portal:billing-provider"), {"maand": "2026-04"})
        assert page.status_code == 200
        text = page.content.decode()
        assert "Declaratie over april 2026" in text
        assert "Te declareren: toewijzing" in text
        assert "het volledige periodetarief" in text
        assert AccessLog.objects.filter(purpose="declareren").exists()
        response = client.post(
            reverse("portal:billing-provider-run"),
            {"maand": "2026-04", "gemeente": started.municipality.pk},
            follow=True,
        )
    text = response.content.decode()
    assert "verzonden: 2 regels" in text
    assert "2 goedgekeurd" in text
    assert Line.objects.filter(side=Side.PROVIDER, status="goedgekeurd").count() == 2


def test_a_month_not_yet_over_gives_a_dutch_error(client, started):
    client.force_login(user("kade.administratie"))
    with time_machine.travel(date(2026, 4, 20), tick=False):
        response = client.post(
            reverse("portal:billing-provider-run"),
            {"maand": "2026-04", "gemeente": started.municipality.pk},
            follow=True,
        )
    assert "pas gedeclareerd worden als die voorbij is" in response.content.decode()
    assert not Line.objects.exists()


def test_municipality_sees_received_lines_and_records_a_payment(client, started):
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    client.force_login(user("almere.beheerder"))
    with time_machine.travel(date(2026, 5, 10), tick=False):
        page = client.get(reverse("portal:billing-municipality"), {"status": "te-betalen"})
        assert page.status_code == 200
        assert "Nog te betalen in deze selectie" in page.content.decode()
        ids = list(
            Line.objects.filter(side=Side.MUNICIPALITY, status="goedgekeurd").values_list(
                "pk", flat=True
            )
        )
        response = client.post(
            reverse("portal:billing-payment"),
            {"regel": ids, "paid_on": "2026-05-10", "reference": "BET-1"},
            follow=True,
        )
    assert "Betaling BET-1" in response.content.decode()
    assert Payment.objects.get().lines.count() == 2
    assert AccessLog.objects.filter(purpose="declaraties beoordelen en betalen").exists()


def test_billing_pages_are_not_for_other_roles(client, started):
    client.force_login(user("kade.begeleider"))
    assert client.get(reverse("portal:billing-provider")).status_code == 404
    assert client.get(reverse("portal:billing-municipality")).status_code == 404
    client.force_login(user("almere.pa"))
    assert client.get(reverse("portal:billing-municipality")).status_code == 404


def test_another_provider_sees_none_of_these_lines(client, started):
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    client.force_login(user("anker.werkverdeler"))
    with time_machine.travel(date(2026, 5, 4), tick=False):
        page = client.get(reverse("portal:billing-provider"))
    assert page.status_code == 200
    assert str(started.client) not in page.content.decode()


def test_a_refused_line_shows_its_code_with_the_wj001_text(client, started):
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    Line.objects.filter(period_begin=date(2026, 4, 1)).update(
        status=Line.Status.REJECTED, standing=False, retour_codes=["9307"]
    )
    client.force_login(user("almere.beheerder"))
    text = client.get(reverse("portal:billing-municipality")).content.decode()
    assert "9307 Begindatum prestatie ligt niet tussen" in text
    client.force_login(user("kade.administratie"))
    with time_machine.travel(date(2026, 5, 4), tick=False):
        text = client.get(reverse("portal:billing-provider"), {"maand": "2026-04"}).content.decode()
    assert "9307 Begindatum prestatie ligt niet tussen" in text


def test_declareren_points_to_a_refused_line_of_another_month(client, started):
    """The page shows one month; a refusal in another month is listed with a link."""
    run(started, date(2026, 4, 1), date(2026, 5, 2))  # March and April declared
    Line.objects.filter(side=Side.PROVIDER, period_begin=date(2026, 4, 1)).update(
        status=Line.Status.REJECTED, standing=False, retour_codes=["9307"]
    )
    client.force_login(user("kade.administratie"))
    with time_machine.travel(date(2026, 5, 4), tick=False):
        html = client.get(reverse("portal:billing-provider"), {"maand": "2026-03"}).content
    text = html.decode()
    assert "Afgekeurde regels bij Almere" in text
    assert "april 2026</a>: 1 afgekeurde regel</li>" in text
    assert f"?maand=2026-04&amp;gemeente={started.municipality.pk}&amp;eerder=on" in text
    assert "maart 2026</a>" not in text  # March was approved


def test_the_declarations_page_is_paged_and_its_total_covers_every_page(
    client, started, monkeypatch
):
    """Issue #14: one line a page here (25 in the product); what is still to pay is summed
    over the whole selection, not over the page."""
    import functools

    from openarrangementen.billing import views
    from openarrangementen.core.money import format_euro
    from openarrangementen.core.pagination import page_of

    monkeypatch.setattr(views, "page_of", functools.partial(page_of, per_page=1))
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    approved = Line.objects.filter(side=Side.MUNICIPALITY, status="goedgekeurd")
    assert approved.count() == 2
    expected = format_euro(sum(line.signed_amount for line in approved))  # by hand, per line
    client.force_login(flow.user("almere.beheerder"))
    with time_machine.travel(date(2026, 5, 10), tick=False):
        first = client.get(reverse("portal:billing-municipality"), {"status": "te-betalen"})
        second = client.get(
            reverse("portal:billing-municipality"), {"status": "te-betalen", "pagina": 2}
        )
    for page in (first, second):
        html = page.content.decode()
        assert f"Nog te betalen in deze selectie: <strong>{expected}</strong>" in html
        assert "2 declaratieregels" in html
        assert html.count('name="regel"') == 1
    assert "Pagina 1 van 2" in first.content.decode()
    assert "status=te-betalen" in first.content.decode()  # the next page keeps the filter


def test_the_declaration_pages_leave_the_declarations_xml_in_the_database(client, started):
    """Issue #14: a line is shown with the identification of its 323; the 323's XML
    (megabytes for a large declaration, joined onto every one of its lines) is not read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(started, date(2026, 4, 1), date(2026, 5, 2))
    newest = Line.objects.filter(side=Side.MUNICIPALITY).order_by("-created_at", "-pk").first()
    april = Line.objects.filter(side=Side.PROVIDER, period_begin=date(2026, 4, 1)).first()
    for user, page, shown in (
        ("almere.beheerder", "portal:billing-municipality", newest),
        ("kade.administratie", "portal:billing-provider", april),
    ):
        client.force_login(flow.user(user))
        with (
            time_machine.travel(date(2026, 5, 10), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            html = client.get(reverse(page), {"maand": "2026-04"}).content.decode()
        assert shown.reference in html  # the lines are on the page
        assert not [q for q in queries.captured_queries if '"iwmo_message"."xml"' in q["sql"]]


def _add_aydin(started):
    """A second client of De Kade in Almere, Aydin, decided and started on the same day
    as `started`, her toewijzing sent."""
    from openarrangementen.cases.domain import TrajectStatus
    from openarrangementen.clients.tests.factories import ClientFactory
    from openarrangementen.decisions import services as decisions
    from openarrangementen.iwmo.models import Assignment

    aydin = ClientFactory(
        municipality=started.municipality,
        family_name="Aydin",
        initials="S.",
        bsn="111222333",
        street="Stationsstraat",
        house_number=3,
        postcode="1315 AB",
        city="Almere",
    )
    with time_machine.travel(START, tick=False):
        traject = flow.advance(
            flow.new_melding(client=aydin, question="Hulp bij het huishouden."),
            TrajectStatus.DECIDED,
        )
        decisions.traject_start_record(
            traject=traject, actor=user("kade.begeleider"), started_on=START
        )
    assert traject.provider == started.provider
    assert Assignment.objects.get(client=aydin).last_message_id  # the 301 went out
    return aydin


@pytest.fixture
def two_clients(started):
    """Aydin (`_add_aydin`), her toewijzing ending on 31 March 2026 (set without touching
    its change time)."""
    from openarrangementen.iwmo.models import Assignment

    aydin = _add_aydin(started)
    Assignment.objects.filter(client=aydin).update(end_on=date(2026, 3, 31))
    return aydin


def test_declareren_is_paged_by_client_in_name_order(client, started, two_clients, monkeypatch):
    """Issue #14: one client a page here (10 in the product); the owed periods are those of
    the chosen month, for the clients on the page."""
    from openarrangementen.billing import views

    monkeypatch.setattr(views, "CLIENTS_PER_PAGE", 1)
    client.force_login(user("kade.administratie"))
    url = reverse("portal:billing-provider")
    query = {"maand": "2026-03", "gemeente": started.municipality.pk}
    with time_machine.travel(date(2026, 5, 4), tick=False):
        first = client.get(url, query).content.decode()
        second = client.get(url, query | {"pagina": 2}).content.decode()
    assert "2 cliënten voor deze maand" in first
    assert "Pagina 1 van 2" in first
    assert "Aydin" in first
    assert "Verbeek" not in first
    assert "Verbeek" in second
    assert "Aydin" not in second
    assert "maart 2026" in first
    assert "april 2026" not in first
    # The log names the client shown, not the other.
    logged = AccessLog.objects.filter(purpose="declareren").order_by("pk")
    assert logged.first().client_ids == [two_clients.pk]


def test_declareren_lists_an_ended_toewijzing_only_when_asked(client, started, two_clients):
    client.force_login(user("kade.administratie"))
    url = reverse("portal:billing-provider")
    april = {"maand": "2026-04", "gemeente": started.municipality.pk}
    with time_machine.travel(date(2026, 5, 4), tick=False):
        default = client.get(url, april).content.decode()
        earlier = client.get(url, april | {"eerder": "on"}).content.decode()
        by_name = client.get(url, april | {"eerder": "on", "naam": "ayd"}).content.decode()
    assert "1 cliënt voor deze maand" in default
    assert "april 2026" in default
    assert "maart 2026" not in default  # Verbeek's March is not this month's
    assert "Aydin" not in default
    assert "Verbeek" in default
    assert "2 cliënten in deze selectie" in earlier
    assert "Aydin" in earlier
    assert "Verbeek" in earlier
    assert "1 cliënt in deze selectie" in by_name
    assert "Aydin" in by_name
    assert "Verbeek" not in by_name


def _aydin_ends_in_march(aydin, *, touch: bool) -> None:
    from openarrangementen.iwmo.models import Assignment

    assignment = Assignment.objects.get(client=aydin)
    assignment.end_on = date(2026, 3, 31)
    if touch:
        assignment.save()  # a change after the last declaration
    else:
        Assignment.objects.filter(pk=assignment.pk).update(end_on=assignment.end_on)


@pytest.fixture
def aydin_in_force(started):
    return _add_aydin(started)


def _april_as_kade(client) -> str:
    client.force_login(user("kade.administratie"))
    with time_machine.travel(date(2026, 5, 4), tick=False):
        page = client.get(reverse("portal:billing-provider"), {"maand": "2026-04"})
    return page.content.decode()


def test_declareren_lists_a_client_whose_april_debit_a_run_will_credit(
    client, started, aydin_in_force
):
    """Review of issue #14: a toewijzing ended before the month, with a standing debit for
    the month, is listed by default: the run will credit it."""
    run(started, date(2026, 4, 1), date(2026, 5, 2))  # both clients: March and April
    _aydin_ends_in_march(aydin_in_force, touch=False)
    text = _april_as_kade(client)
    assert "2 cliënten voor deze maand" in text
    assert "Aydin" in text
    assert "Te crediteren: OA" in text


def test_declareren_lists_a_client_changed_since_the_last_declaration(
    client, started, aydin_in_force
):
    run(started, date(2026, 3, 1), date(2026, 4, 2))  # both clients: March
    _aydin_ends_in_march(aydin_in_force, touch=True)
    text = _april_as_kade(client)
    assert "2 cliënten voor deze maand" in text
    assert "Aydin" in text


def test_declareren_with_no_client_on_the_page_answers_with_an_empty_list(client, started):
    """A name nobody has: no client to compute (on PostgreSQL the standing debits of no
    clients are read straight from the cursor; that read must not fail)."""
    client.force_login(user("kade.administratie"))
    url = reverse("portal:billing-provider")
    query = {"maand": "2026-04", "gemeente": started.municipality.pk, "eerder": "on"}
    with time_machine.travel(date(2026, 5, 4), tick=False):
        response = client.get(url, query | {"naam": "Zwartsenberg"})
    assert response.status_code == 200
    assert "Verbeek" not in response.content.decode()


def test_a_run_computed_one_client_at_a_time_declares_every_clients_months(
    started, two_clients, monkeypatch
):
    """A run computes per batch of clients (memory bounded, issue #14); with batches of
    one client each, both clients' months still go out: Verbeek March and April, Aydin
    March only (her toewijzing ended on 31 March)."""
    from openarrangementen.billing import services
    from openarrangementen.iwmo.models import Assignment

    monkeypatch.setattr(services, "CLIENT_BATCH", 1)
    result = run(started, date(2026, 4, 1), date(2026, 5, 4))
    declared = sorted(
        Line.objects.filter(side=Side.PROVIDER).values_list("client__family_name", "period_begin")
    )
    # TR387: a ProductPeriode begins on the later of the month's first day and the
    # toewijzing's start.
    aydin_from = Assignment.objects.get(client=two_clients).start_on
    verbeek_from = Assignment.objects.get(client=started.client).start_on
    assert {aydin_from.month, verbeek_from.month} == {3}
    assert declared == [
        ("Aydin", aydin_from),
        ("Verbeek", verbeek_from),
        ("Verbeek", date(2026, 4, 1)),
    ]
    assert result.debits == 3
