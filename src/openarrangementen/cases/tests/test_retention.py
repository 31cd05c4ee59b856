"""Retention (issue #23, ADR 0013). The periods are written here by hand from the
Selectielijst gemeenten (VNG, process type 8 *Voorzieningen verstrekken*, 21 *Adviseren*,
18 *Betalen*): a Wmo voorziening 15 years after it ended (8.1.1/8.3.1), advice 5 years
(21.1), a request broken off 42 days (8.4.1), and a payment 7 years (18.1). Each is
checked on the last day it must still be kept and the first day it may go."""

from datetime import date

from django.core.management import call_command

import pytest
import time_machine
from auditlog.models import LogEntry

from openarrangementen.accounts.models import Municipality
from openarrangementen.billing import services as billing
from openarrangementen.billing.models import Line
from openarrangementen.cases import retention
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.cases.services import traject_step
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client, Household, Representative
from openarrangementen.clients.tests.factories import ClientFactory, RepresentativeFactory
from openarrangementen.core.demo import demo_bsn
from openarrangementen.decisions import services as decisions
from openarrangementen.decisions.models import Beschikking, Objection
from openarrangementen.delivery import services as delivery
from openarrangementen.iwmo.models import Message, Side
from openarrangementen.plans.models import PartOne

pytestmark = pytest.mark.usefixtures("demo")
user = flow.user
CLOSED = date(2026, 3, 2)


def inwoner(n: int, **extra) -> Client:
    return ClientFactory(
        municipality=Municipality.objects.get(cbs_code="0034"),
        bsn=demo_bsn(600 + n),
        initials="J.",
        family_name=f"Bakker{n}",
        birth_date=date(1950, 6, 15),
        street="Lindenlaan",
        house_number=3,
        postcode="1324 AB",
        city="Almere",
        phone="036-1234567",
        email=f"bakker{n}@example.org",
        **extra,
    )


def withdrawn(client: Client, question: str = "Mw. Bakker wil hulp bij haar post.") -> Traject:
    with time_machine.travel(CLOSED, tick=False):
        traject = flow.new_melding(client=client, question=question)
        return traject_step(
            traject=traject,
            action=Action.WITHDRAW,
            actor=user("almere.wijkwerker"),
            reason="Haar dochter helpt haar nu.",
        )


def with_advice(client: Client) -> Traject:
    with time_machine.travel(CLOSED, tick=False):
        traject = flow.new_melding(client=client, question="Dhr. Bakker voelt zich eenzaam.")
        return traject_step(
            traject=traject,
            action=Action.CLOSE_WITH_ADVICE,
            actor=user("almere.wijkwerker"),
            reason="Advies: de inloop van het buurthuis op dinsdag.",
        )


def ended(client: Client, on: date = CLOSED) -> Traject:
    with time_machine.travel(date(on.year, on.month, 1), tick=False):
        traject = flow.advance(
            flow.new_melding(client=client, question="Hulp bij structuur en administratie."),
            TrajectStatus.DECIDED,
        )
    with time_machine.travel(on, tick=False):
        return traject_step(
            traject=traject,
            action=Action.END,
            actor=user("almere.pa"),
            reason="Mw. Bakker verhuist naar een verpleeghuis.",
        )


def run(on: date) -> retention.Report:
    with time_machine.travel(on, tick=False):
        return retention.run()


def refreshed(traject: Traject) -> Traject:
    return Traject.objects.get(pk=traject.pk)


def test_closing_a_traject_records_the_day_it_closed():
    traject = withdrawn(inwoner(1))
    assert traject.closed_on == CLOSED
    assert refreshed(traject).closed_on == CLOSED
    assert refreshed(flow.new_melding()).closed_on is None


def test_a_withdrawn_melding_is_kept_42_days_then_loses_its_personal_data():
    client = inwoner(1, in_household=True)
    household = client.household
    RepresentativeFactory(client=client, name="Els Mulder", phone="06-12345678")
    traject = withdrawn(client)
    assert LogEntry.objects.get_for_object(client).exists()

    report = run(date(2026, 4, 12))  # 41 days after closing
    assert report.trajects == {}
    assert refreshed(traject).question == "Mw. Bakker wil hulp bij haar post."

    report = run(date(2026, 4, 13))  # 2 March + 42 days
    assert report.trajects == {"ingetrokken": 1}
    assert report.clients == 1
    traject = refreshed(traject)
    assert traject.anonymised_at is not None
    assert traject.question == ""
    assert traject.number.startswith("0034-2026-")  # the number and the dates stay
    assert traject.melding_received_on == CLOSED
    assert set(StatusChange.objects.filter(traject=traject).values_list("reason", flat=True)) == {
        ""
    }
    client = Client.objects.get(pk=client.pk)
    assert client.family_name == "Geanonimiseerd"
    assert client.initials == client.street == client.postcode == client.phone == client.email == ""
    assert client.house_number is None
    assert client.birth_date == date(1950, 1, 1)  # the year stays for age groups
    assert client.bsn == f"A{client.pk:08d}"
    assert client.anonymised_at is not None
    assert not Representative.objects.filter(client=client).exists()
    assert not Household.objects.filter(pk=household.pk).exists()
    # The change log of the client and the traject held the old values: it went too.
    assert not LogEntry.objects.get_for_object(client).exists()
    assert not LogEntry.objects.get_for_object(traject).exists()

    # A second run finds nothing more to do.
    again = run(date(2026, 4, 14))
    assert (again.trajects, again.clients, again.rows) == ({}, 0, 0)


def test_advice_is_kept_five_years():
    traject = with_advice(inwoner(2))
    assert run(date(2031, 3, 1)).trajects == {}
    assert refreshed(traject).advice == "Advies: de inloop van het buurthuis op dinsdag."
    assert run(date(2031, 3, 2)).trajects == {"advies": 1}
    assert refreshed(traject).advice == ""


def test_a_granted_voorziening_is_kept_fifteen_years_with_its_plan_decision_and_messages():
    client = inwoner(3)
    traject = ended(client)
    sent = Message.objects.filter(traject=traject, side=Side.MUNICIPALITY, code="301")
    assert sent.exists()
    assert "Bakker3" in sent.first().xml
    beschikking = Beschikking.objects.get(traject=traject, status="definitief")

    assert run(date(2041, 3, 1)).trajects == {}
    assert PartOne.objects.get(traject=traject).goals != ""
    report = run(date(2041, 3, 2))
    assert report.trajects == {"beeindigd": 1}
    assert report.clients == 1

    part_one = PartOne.objects.get(traject=traject)
    assert part_one.goals == part_one.own_strength == part_one.diagnosis == ""
    assert part_one.level_id is not None  # what was granted stays
    beschikking = Beschikking.objects.get(pk=beschikking.pk)
    assert beschikking.considerations == ""
    assert beschikking.number != ""
    assert set(Message.objects.filter(traject=traject).values_list("xml", flat=True)) == {""}
    assert Message.objects.filter(traject=traject).count() >= 1  # the log still adds up


def test_an_inwoner_keeps_their_file_while_one_traject_is_still_kept():
    client = inwoner(4)
    first = withdrawn(client)
    second = with_advice(client)
    run(date(2026, 4, 13))
    assert refreshed(first).anonymised_at is not None
    assert refreshed(second).anonymised_at is None
    assert Client.objects.get(pk=client.pk).family_name == "Bakker4"
    run(date(2031, 3, 2))
    assert Client.objects.get(pk=client.pk).family_name == "Geanonimiseerd"


def test_an_open_bezwaar_keeps_the_traject():
    traject = ended(inwoner(5))
    beschikking = Beschikking.objects.get(traject=traject, status="definitief")
    Objection.objects.create(
        beschikking=beschikking,
        received_on=date(2026, 3, 5),
        grounds="Ik heb meer uren nodig.",
        is_on_time=True,
        registered_by=user("almere.pa"),
    )
    report = run(date(2045, 1, 1))
    assert report.trajects == {}
    assert report.kept == {"bezwaar": 1}
    assert refreshed(traject).anonymised_at is None
    assert Objection.objects.get().grounds == "Ik heb meer uren nodig."


@pytest.fixture
def billed(settings):
    """A traject started 2 March 2026, declared for March and April, ended in May; a
    5-year period for granted support so the payment's 7 years are what counts."""
    settings.RETENTION_GRANTED_YEARS = 5
    client = inwoner(6)
    with time_machine.travel(date(2026, 3, 2), tick=False):
        traject = flow.advance(
            flow.new_melding(client=client, question="Hulp bij structuur en administratie."),
            TrajectStatus.DECIDED,
        )
        decisions.traject_start_record(
            traject=traject, actor=user("kade.begeleider"), started_on=date(2026, 3, 2)
        )
    with time_machine.travel(date(2026, 5, 2), tick=False):
        billing.billing_run(
            user=user("kade.administratie"),
            provider=traject.provider,
            municipality=traject.municipality,
            month=date(2026, 4, 1),
        )
    with time_machine.travel(date(2026, 5, 20), tick=False):
        delivery.support_stop(
            traject=traject,
            actor=user("kade.begeleider"),
            stopped_on=date(2026, 5, 12),
            reason_code="02",
            explanation="Doelen bereikt.",
        )
    return refreshed(traject)


def test_an_unpaid_declaration_keeps_the_traject_until_it_is_paid(billed):
    assert billed.closed_on == date(2026, 5, 20)
    unpaid = Line.objects.filter(side=Side.MUNICIPALITY, status=Line.Status.APPROVED)
    assert unpaid.count() == 2
    report = run(date(2031, 5, 20))  # the 5 years have passed; the money has not been paid
    assert report.trajects == {}
    assert report.kept == {"declaratie niet afgehandeld": 1}

    billing.record_payment(
        user=user("almere.beheerder"),
        municipality=billed.municipality,
        provider=billed.provider,
        lines=list(unpaid),
        paid_on=date(2031, 6, 1),
        reference="BET-2031-06",
    )
    # Paid on 1 June 2031: kept until 7 years after the payment.
    report = run(date(2038, 5, 31))
    assert report.kept == {"betaald binnen de fiscale bewaartermijn": 1}
    assert refreshed(billed).anonymised_at is None
    assert run(date(2038, 6, 1)).trajects == {"beeindigd": 1}
    # The amounts stay for the accounts; the client on them is anonymous now.
    assert Line.objects.filter(side=Side.MUNICIPALITY).count() == 2
    assert Client.objects.get(pk=billed.client_id).family_name == "Geanonimiseerd"


def test_the_command_counts_without_changing_anything_when_asked(capsys):
    traject = withdrawn(inwoner(7))
    with time_machine.travel(date(2026, 5, 1), tick=False):
        call_command("bewaartermijnen", "--proef")
    out = capsys.readouterr().out
    assert "Ingetrokken: 42 dagen" in out
    assert "Ingetrokken: 1 trajecten zou anonimiseren" in out
    assert "Inwoners zou anonimiseren: 1" in out
    assert refreshed(traject).anonymised_at is None
    with time_machine.travel(date(2026, 5, 1), tick=False):
        call_command("bewaartermijnen")
    assert "Ingetrokken: 1 trajecten geanonimiseerd" in capsys.readouterr().out
    assert refreshed(traject).question == ""


def test_the_worker_runs_it_every_night():
    from django_q.models import Schedule

    from openarrangementen.core import jobs

    jobs.install_schedules()
    schedule = Schedule.objects.get(name="bewaartermijnen")
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.func == "openarrangementen.core.jobs.retention"
    withdrawn(inwoner(8))
    with time_machine.travel(date(2026, 4, 13), tick=False):
        assert jobs.retention()["trajecten"] == {"ingetrokken": 1}


def test_a_period_shorter_than_the_selectielijst_is_warned_about(settings):
    from openarrangementen.cases.checks import retention_not_shorter

    assert retention_not_shorter(None) == []
    settings.RETENTION_WITHDRAWN_DAYS = 30
    warnings = retention_not_shorter(None)
    assert [w.id for w in warnings] == ["openarrangementen.W023"]
    assert "RETENTION_WITHDRAWN_DAYS is 30" in warnings[0].msg


def test_a_declaration_loses_its_xml_seven_years_after_its_lines_were_paid(billed, settings):
    settings.RETENTION_GRANTED_YEARS = 15  # the traject itself is kept: only the accounts go
    unpaid = Line.objects.filter(side=Side.MUNICIPALITY, status=Line.Status.APPROVED)
    billing.record_payment(
        user=user("almere.beheerder"),
        municipality=billed.municipality,
        provider=billed.provider,
        lines=list(unpaid),
        paid_on=date(2026, 5, 25),
        reference="BET-2026-05",
    )
    declarations = Message.objects.filter(code__in=["323", "325"])
    sent = Message.objects.filter(code="323")
    assert sent.count() == 2  # the provider's copy and the municipality's
    assert all(demo_bsn(606) in xml for xml in sent.values_list("xml", flat=True))
    assert run(date(2033, 5, 24)).other == {}
    report = run(date(2033, 5, 25))  # 7 years after the payment (Selectielijst 18.1)
    assert report.other == {"declaraties": declarations.count()}
    assert set(declarations.values_list("xml", flat=True)) == {""}
    # The amounts stay for the accounts.
    assert Line.objects.filter(side=Side.MUNICIPALITY, payment__isnull=False).count() == 2
    assert run(date(2033, 5, 26)).other == {}  # done once
    assert Client.objects.get(pk=billed.client_id).family_name == "Bakker6"


def test_the_pages_of_an_anonymised_traject_and_inwoner_say_what_happened():
    from django.test import Client as Browser
    from django.urls import reverse

    traject = withdrawn(inwoner(9))
    run(date(2026, 4, 13))
    browser = Browser()
    browser.force_login(user("almere.wijkwerker"))
    page = browser.get(reverse("portal:traject-detail", args=[traject.pk]))
    assert page.status_code == 200
    assert "De persoonlijke gegevens van dit traject zijn op 13-04-2026 verwijderd" in (
        page.content.decode()
    )
    page = browser.get(reverse("portal:client-detail", args=[traject.client_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "De persoonsgegevens van deze inwoner zijn op 13-04-2026 verwijderd" in html
    assert "Bakker9" not in html
