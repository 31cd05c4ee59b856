"""Billing end to end on the demo data: a decided and started traject, the provider's run
sends a 323 that validates against the XSD, the municipality checks it and answers with a
325, and the run is repeatable and survives interruption."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError

import pytest
import time_machine

from openarrangementen.billing import services
from openarrangementen.billing.domain import Calendar, RuleSet, month_of
from openarrangementen.billing.models import BillingSettings, Line, Payment
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.decisions import services as decisions
from openarrangementen.iwmo import codec, schemas
from openarrangementen.iwmo.models import Assignment, Message, Side

pytestmark = pytest.mark.usefixtures("demo")
user = flow.user
START = date(2026, 3, 2)


@pytest.fixture
def started():
    """A traject decided and started on 2 March 2026 at De Kade (Almere)."""
    with time_machine.travel(START, tick=False):
        traject = flow.advance(
            flow.new_melding(question="Hulp bij structuur en administratie."),
            TrajectStatus.DECIDED,
        )
        decisions.traject_start_record(
            traject=traject, actor=user("kade.begeleider"), started_on=START
        )
    return traject


def run(traject, month, on):
    with time_machine.travel(on, tick=False):
        return services.billing_run(
            user=user("kade.administratie"),
            provider=traject.provider,
            municipality=traject.municipality,
            month=month,
        )


def provider_lines(**filters):
    return Line.objects.filter(side=Side.PROVIDER, **filters)


def municipality_lines(**filters):
    return Line.objects.filter(side=Side.MUNICIPALITY, **filters)


def test_a_run_declares_each_month_once_and_the_municipality_approves_it(started):
    result = run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert result.debits == 3  # March, April, May
    sent = result.message
    assert schemas.validate("323", codec.parse_xml(sent.xml)) == []
    bericht = codec.parse(sent.xml)
    prestaties = [p for c in bericht.declaratie.clienten for p in c.prestaties]
    assert [p.product_periode.begindatum.month for p in prestaties] == [3, 4, 5]
    level = started.beschikkingen.get(status="definitief").level
    tariff = level.prices.get(kind="tariff")
    monthly = (tariff.amount * 13 / 12).quantize(Decimal("0.01"))
    assert {p.product_tarief for p in prestaties} == {int(monthly * 100)}
    total = bericht.declaratie.totaal_ingediend_bedrag
    assert total.totaal_bedrag == sum(p.ingediend_bedrag.bedrag for p in prestaties)
    assert total.debet_credit == "D"
    # The municipality approved every line and answered with a 325 "volledig toegewezen".
    answer = Message.objects.get(side=Side.MUNICIPALITY, code="325", direction="uit")
    assert schemas.validate("325", codec.parse_xml(answer.xml)) == []
    assert municipality_lines(status=Line.Status.APPROVED).count() == 3
    assert provider_lines(status=Line.Status.APPROVED).count() == 3
    payable = municipality_lines().first().payable_by
    assert payable == sent.dated_on + timedelta(days=30)
    # The month is declared: running it again is refused and declares nothing.
    with pytest.raises(services.BillingError, match="al gedeclareerd"):
        run(started, date(2026, 5, 1), date(2026, 6, 4))
    assert provider_lines().count() == 3
    # The next month's run has nothing new for the months before.
    services.prepare_lines(
        provider=started.provider, municipality=started.municipality, month=date(2026, 5, 1)
    )
    assert provider_lines().count() == 3


def test_a_month_that_has_not_ended_cannot_be_declared(started):
    with pytest.raises(services.BillingError, match="voorbij"):
        run(started, date(2026, 6, 1), date(2026, 6, 20))


def test_midden_limburg_rules_defer_the_start_month_until_support_ends(started):
    BillingSettings.objects.update_or_create(
        region=started.municipality.region,
        defaults={"calendar": Calendar.MONTH, "rule_set": RuleSet.MIDDEN_LIMBURG},
    )
    result = run(started, date(2026, 4, 1), date(2026, 5, 2))
    assert result.debits == 1  # April only; March waits for the end of support
    assert provider_lines().get().period_begin == date(2026, 4, 1)
    with time_machine.travel(date(2026, 5, 20), tick=False):
        from openarrangementen.delivery import services as delivery

        delivery.support_stop(
            traject=started,
            actor=user("kade.begeleider"),
            stopped_on=date(2026, 5, 12),
            reason_code="02",
            explanation="Doelen bereikt.",
        )
    result = run(started, date(2026, 5, 1), date(2026, 6, 2))
    months = sorted(line.period_begin.month for line in provider_lines(status="goedgekeurd"))
    assert months == [3, 4, 5]  # March paid afterwards, May (ended early) in full
    may = provider_lines(period_begin=date(2026, 5, 1)).get()
    assert may.volume == 1
    assert "volledig" in may.explanation


def test_an_interrupted_run_neither_repeats_nor_loses_a_line(started, monkeypatch):
    """Lines are written in chunks, each in its own transaction; with chunks of one line the
    run is interrupted after the first line."""
    calls = {"n": 0}
    original = services._new_lines
    monkeypatch.setattr(services, "WRITE_CHUNK", 1)

    def failing(rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("stroom uitgevallen")
        return original(rows)

    monkeypatch.setattr(services, "_new_lines", failing)
    with pytest.raises(RuntimeError):
        run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert provider_lines().count() == 1  # the first line stands, nothing sent
    monkeypatch.setattr(services, "_new_lines", original)

    def send_fails(**kwargs):
        raise RuntimeError("verbinding weg")

    monkeypatch.setattr(services, "send_declaration", send_fails)
    with pytest.raises(RuntimeError):
        run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert provider_lines(status=Line.Status.CONCEPT).count() == 3
    monkeypatch.undo()
    result = run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert result.debits == 0  # already prepared
    assert result.message is not None
    assert provider_lines(status=Line.Status.APPROVED).count() == 3
    assert municipality_lines(status=Line.Status.APPROVED).count() == 3


def test_a_declaration_too_large_for_one_file_goes_in_several(started, monkeypatch):
    """OP179: at most 25 MB per file. With room for two Prestaties per 323, three months go
    in two 323s for May; the municipality approves both (TR318 allows the same period)."""
    monkeypatch.setattr(services, "MAX_PRESTATIES", 2)
    result = run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert result.debits == 3
    sent = Message.objects.filter(side=Side.PROVIDER, code="323").order_by("pk")
    assert sent.count() == 2
    sizes = []
    for message in sent:
        assert schemas.validate("323", codec.parse_xml(message.xml)) == []
        declaratie = codec.parse(message.xml).declaratie
        assert declaratie.declaratie_periode.begindatum == date(2026, 5, 1)
        sizes.append(sum(len(c.prestaties) for c in declaratie.clienten))
    assert sizes == [2, 1]
    assert municipality_lines(status=Line.Status.APPROVED).count() == 3
    assert provider_lines(status=Line.Status.APPROVED).count() == 3
    assert Message.objects.filter(side=Side.MUNICIPALITY, code="325", direction="uit").count() == 2


def test_a_declaration_larger_than_the_receiver_takes_is_split_until_it_fits(
    started, monkeypatch, settings
):
    """A 323 must stay within IWMO_MAX_MESSAGE_BYTES, the limit this product receives
    with too (the 1,000,000-traject benchmark sent 14,539 Prestaties in one 10.2 MB file
    and its own receiving side refused it). The limit here lets two of the three
    Prestaties through, not three: the run halves the file until each part fits."""
    from django.db import transaction

    with transaction.atomic():  # measure the one-file 323, then undo it
        run(started, date(2026, 5, 1), date(2026, 6, 3))
        whole = Message.objects.get(side=Side.PROVIDER, code="323").xml.encode()
        transaction.set_rollback(True)
    assert not Line.objects.exists()
    settings.IWMO_MAX_MESSAGE_BYTES = len(whole) - 1
    monkeypatch.setattr(services, "PRESTATIE_BYTES", 1)  # the estimate lets all three try
    result = run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert result.debits == 3
    sent = Message.objects.filter(side=Side.PROVIDER, code="323").order_by("pk")
    sizes = [sum(len(c.prestaties) for c in codec.parse(m.xml).declaratie.clienten) for m in sent]
    assert sizes == [1, 2]
    assert all(len(m.xml.encode()) < len(whole) for m in sent)
    assert municipality_lines(status=Line.Status.APPROVED).count() == 3
    assert provider_lines(status=Line.Status.APPROVED).count() == 3


def test_a_run_interrupted_between_files_sends_the_rest_for_the_same_month(started, monkeypatch):
    monkeypatch.setattr(services, "MAX_PRESTATIES", 2)
    original = services._send_part
    calls = {"n": 0}

    def second_fails(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("verbinding weg")
        return original(**kwargs)

    monkeypatch.setattr(services, "_send_part", second_fails)
    with pytest.raises(RuntimeError):
        run(started, date(2026, 5, 1), date(2026, 6, 3))
    assert provider_lines(status=Line.Status.APPROVED).count() == 2
    assert provider_lines(status=Line.Status.CONCEPT).count() == 1
    monkeypatch.setattr(services, "_send_part", original)
    result = run(started, date(2026, 5, 1), date(2026, 6, 4))
    assert (result.credits, result.debits) == (0, 0)
    assert provider_lines(status=Line.Status.APPROVED).count() == 3
    assert municipality_lines(status=Line.Status.APPROVED).count() == 3
    # Nothing left: the month is declared.
    with pytest.raises(services.BillingError, match="al gedeclareerd"):
        run(started, date(2026, 5, 1), date(2026, 6, 5))


def test_the_database_refuses_a_second_standing_debit(started):
    run(started, date(2026, 3, 1), date(2026, 4, 2))
    line = provider_lines().get()
    line.pk = None
    line.reference = "OA-dubbel"
    with pytest.raises(IntegrityError):
        line.save()


def test_a_shortened_assignment_credits_the_month_and_declares_it_again(started):
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    assignment = Assignment.objects.get(traject=started)
    # The beschikking is corrected: the toewijzing ends on 10 April.
    Assignment.objects.filter(pk=assignment.pk).update(end_on=date(2026, 4, 10))
    with pytest.raises(services.BillingError, match="volgende maand"):
        run(started, date(2026, 4, 1), date(2026, 5, 3))
    result = run(started, date(2026, 5, 1), date(2026, 6, 2))
    assert (result.credits, result.debits) == (1, 1)
    credit = provider_lines(credit=True).get()
    assert credit.status == Line.Status.APPROVED
    corrected = provider_lines(credit=False, standing=True, period_begin=date(2026, 4, 1)).get()
    assert corrected.period_end == date(2026, 4, 10)
    assert schemas.validate("323", codec.parse_xml(result.message.xml)) == []
    net = sum(line.signed_amount for line in municipality_lines(status="goedgekeurd"))
    assert net == 2 * corrected.tariff


def test_a_line_the_rules_do_not_owe_is_refused_with_a_code_and_a_reason(started):
    """Midden-Limburg: the start month is not owed while support runs. A 323 that declares it
    anyway passes the standard's rules but not the billing check."""
    from openarrangementen.iwmo.exchange import receive

    BillingSettings.objects.update_or_create(
        region=started.municipality.region, defaults={"rule_set": RuleSet.MIDDEN_LIMBURG}
    )
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    sent = Message.objects.get(side=Side.PROVIDER, code="323")
    bericht = codec.parse(sent.xml)
    prestatie = bericht.declaratie.clienten[0].prestaties[0]
    bericht.header.bericht_identificatie.identificatie = "999000001"
    bericht.header.bericht_identificatie.dagtekening = date(2026, 6, 3)
    bericht.declaratie.declaratie_dagtekening = date(2026, 6, 3)
    bericht.declaratie.declaratie_nummer = "X1"
    bericht.declaratie.declaratie_periode.begindatum = date(2026, 5, 1)
    bericht.declaratie.declaratie_periode.einddatum = date(2026, 5, 31)
    prestatie.product_referentie.referentie_nummer = "X-1"
    assignment = Assignment.objects.get(traject=started)
    prestatie.product_periode.begindatum = assignment.start_on
    prestatie.product_periode.einddatum = date(2026, 3, 31)
    with time_machine.travel(date(2026, 6, 3), tick=False):
        receive(codec.build(bericht), transport="portaal")
    received = Message.objects.get(side=Side.MUNICIPALITY, code="323", identification="999000001")
    assert received.violations == []
    refused = municipality_lines(status=Line.Status.REJECTED).get()
    assert refused.reference == "X-1"
    assert refused.retour_codes == ["9307"]
    assert "nabetaald" in refused.explanation
    answer = received.answers.get(code="325")
    codes = codec.parse(answer.xml).declaratie_antwoord.clienten[0].prestaties[0].retour_codes
    assert codes == ["9307"]


def test_payment_of_approved_lines(started):
    run(started, date(2026, 4, 1), date(2026, 5, 2))
    lines = list(municipality_lines(status=Line.Status.APPROVED))
    payment = services.record_payment(
        user=user("almere.beheerder"),
        municipality=started.municipality,
        provider=started.provider,
        lines=lines,
        paid_on=date(2026, 5, 20),
        reference="BET-2026-05",
    )
    assert payment.amount == sum(line.amount for line in lines)
    assert Payment.objects.get().lines.count() == 2
    assert month_of(date(2026, 5, 20)).label == "2026-05"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="al betaald"):
        services.record_payment(
            user=user("almere.beheerder"),
            municipality=started.municipality,
            provider=started.provider,
            lines=lines,
            paid_on=date(2026, 5, 21),
            reference="BET-2",
        )


def test_a_four_week_region_declares_its_periods_in_monthly_prestaties():
    """4-week periods (seed 004): each goes in the month of its first support day, with the
    tariff per 4 weeks and the number of periods as volume; the municipality approves."""
    from openarrangementen.accounts.models import Region

    BillingSettings.objects.update_or_create(
        region=Region.objects.get(slug="almere"), defaults={"calendar": Calendar.FOUR_WEEKS}
    )
    with time_machine.travel(date(2026, 1, 5), tick=False):
        traject = flow.advance(
            flow.new_melding(question="Hulp bij structuur en administratie."),
            TrajectStatus.DECIDED,
        )
    assignment = Assignment.objects.get(traject=traject)
    with time_machine.travel(assignment.start_on, tick=False):
        decisions.traject_start_record(
            traject=traject, actor=user("kade.begeleider"), started_on=assignment.start_on
        )
    assert assignment.volume == 2  # two 4-week periods can start in one month (TR321)
    result = run(traject, date(2026, 4, 1), date(2026, 5, 4))
    assert schemas.validate("323", codec.parse_xml(result.message.xml)) == []
    lines = list(provider_lines().order_by("period_begin"))
    level = traject.beschikkingen.get(status="definitief").level
    four_weeks = level.prices.get(kind="tariff").amount
    assert {line.tariff for line in lines} == {four_weeks}
    periods = [p for line in lines for p in line.periods]
    assert len(periods) == len(set(periods))
    # January 2026 holds two period starts (1 and 29 January): one line, volume 2.
    january = next(line for line in lines if line.period_begin.month == 1)
    assert (january.volume, january.periods) == (2, ["2026-P01", "2026-P02"])
    assert all(line.amount == line.volume * four_weeks for line in lines)
    assert provider_lines(status=Line.Status.APPROVED).count() == len(lines)
    assert municipality_lines(status=Line.Status.APPROVED).count() == len(lines)


def test_a_run_reads_no_toewijzing_field_it_did_not_load(started, monkeypatch):
    """A run loads only `ASSIGNMENT_FIELDS` of its tens of thousands of toewijzingen; a
    field read beyond them would cost a query per toewijzing (issue #14)."""

    def refuse(self, using=None, fields=None, from_queryset=None):
        raise AssertionError(f"toewijzing {self.number}: {fields} not loaded")

    monkeypatch.setattr(Assignment, "refresh_from_db", refuse)
    result = run(started, date(2026, 4, 1), date(2026, 5, 4))
    assert result.debits == 2  # March and April
    assert municipality_lines(status=Line.Status.APPROVED).count() == 2
