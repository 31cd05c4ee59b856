"""The controleniveau 3 and 4 rules that ask the store (rules/cross.py): for each, a message it
accepts and one it refuses, checked against real rows (assignments, start and stop reports,
requests, earlier messages, the demo catalog). The message row is stored as exchange stores
it and only the rule under test runs (`check(..., code=...)`). The end-to-end tests at the
bottom go through `exchange.receive` and read the retour's codes per class (IV028).
"""

import dataclasses
import itertools
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

import pytest

from openarrangementen.accounts.models import Municipality, Provider
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import Level, LevelPrice
from openarrangementen.clients.models import Client
from openarrangementen.decisions import services as decisions
from openarrangementen.iwmo import codec, exchange, messages, retour, services
from openarrangementen.iwmo.context import StoreContext
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Request, Side
from openarrangementen.iwmo.rules import REGISTRY, RuleContext, check, reference_rules

pytestmark = pytest.mark.usefixtures("demo")

TODAY = timezone.localdate()
START = date(2025, 1, 1)  # Ingangsdatum of the assignments made here
BEGIN = date(2025, 2, 3)  # Begindatum of the starts
VERBEEK, BAKKER = "999990123", "999990032"
RECEIVED = ("301", "305", "307", "315", "317", "319", "323", "325")
_numbers = itertools.count(1)


def ident() -> str:
    return f"T{next(_numbers):011d}"


def gemeente() -> Municipality:
    return Municipality.objects.get(cbs_code="0034")


def kade() -> Provider:
    return Provider.objects.get(agb_code="75000101")


def anker() -> Provider:
    return Provider.objects.get(agb_code="75000102")


def client(bsn: str = VERBEEK) -> Client:
    return Client.objects.get(bsn=bsn)


# --- the store -----------------------------------------------------------------------------------


def row(
    code: str,
    *,
    side=Side.MUNICIPALITY,
    direction=Message.Direction.INCOMING,
    xml="",
    status=Message.Status.ANSWERED,
    provider=None,
    **fields,
) -> Message:
    provider = provider or kade()
    municipality = gemeente()
    from_municipality = code in ("301", "319", "325")
    return Message.objects.create(
        side=side,
        direction=direction,
        code=code,
        status=status,
        sender_code=municipality.cbs_code if from_municipality else provider.agb_code,
        receiver_code=provider.agb_code if from_municipality else municipality.cbs_code,
        identification=fields.pop("identification", None) or ident(),
        dated_on=TODAY,
        xml=xml,
        digest="",
        municipality=municipality,
        provider=provider,
        **fields,
    )


def sent(obj, provider=None) -> Message:
    """`obj` as the municipality sent it (outgoing row on its side)."""
    return row(
        codec.code_of(obj),
        direction=Message.Direction.OUTGOING,
        xml=codec.build(obj).decode(),
        identification=obj.header.bericht_identificatie.identificatie,
        provider=provider,
    )


def toewijzing(assignments: list, *, bsn: str = VERBEEK, provider=None):
    return messages.toewijzing(
        municipality=gemeente(),
        provider=provider or kade(),
        client=client(bsn),
        assignments=assignments,
        identification=ident(),
        dated_on=TODAY,
    )


def new_assignment(number: int, **fields) -> Assignment:
    values = {
        "municipality": gemeente(),
        "provider": kade(),
        "client": client(fields.pop("bsn", VERBEEK)),
        "number": number,
        "product_category": "10",
        "product_code": "OA22",
        "assigned_at": timezone.now(),
        "start_on": START,
        "end_on": None,
        "volume": 1,
        "unit": "82",
        "frequency": "4",
    }
    values.update(fields)
    return Assignment(**values)


def assign(number: int, *, send: bool = True, **fields) -> Assignment:
    """An assignment of Almere to De Kade, sent in a 301 (unless `send` is False)."""
    assignment = new_assignment(number, **fields)
    assignment.save()
    if send:
        message = sent(
            toewijzing([assignment], bsn=assignment.client.bsn, provider=assignment.provider),
            provider=assignment.provider,
        )
        assignment.last_message = message
        assignment.save(update_fields=["last_message"])
    return assignment


def report(
    kind: str, assignment: Assignment, *, begin=BEGIN, end=None, reason="", status="1"
) -> DeliveryReport:
    """An approved StartProduct ("start") or StopProduct ("stop") line received earlier."""
    return DeliveryReport.objects.create(
        kind=kind,
        message=row("305" if kind == "start" else "307"),
        assignment=assignment,
        provider_code=kade().agb_code,
        municipality_code=gemeente().cbs_code,
        bsn=assignment.client.bsn,
        assignment_number=assignment.number,
        product_category=assignment.product_category,
        product_code=assignment.product_code,
        assignment_start_on=assignment.start_on,
        begin_on=begin,
        end_on=end,
        reason=reason,
        status_code=status,
    )


def request(reference: str, *, bsn: str = VERBEEK, state=Request.State.OPEN) -> Request:
    return Request.objects.create(
        kind=Request.Kind.VOT,
        municipality=gemeente(),
        provider=kade(),
        client=client(bsn),
        bsn=bsn,
        provider_reference=reference,
        products=[],
        message=row("315"),
        state=state,
    )


# --- checking a message as exchange receives it ------------------------------------------------


def received(obj) -> StoreContext:
    """Store `obj` as exchange does (the incoming row, with a fresh identification) and give
    the context the checks get."""
    obj.header.bericht_identificatie.identificatie = ident()
    code = codec.code_of(obj)
    parties = exchange.header_parties(obj)
    message = Message.objects.create(
        side=exchange.side_receiving(code),
        direction=Message.Direction.INCOMING,
        code=code,
        status=Message.Status.VALIDATED,
        sender_code=parties.sender_code,
        receiver_code=parties.receiver_code,
        identification=parties.identification,
        dated_on=parties.dated_on,
        xml=codec.build(obj).decode(),
        digest="",
        municipality=Municipality.objects.get(cbs_code=parties.municipality_code),
        provider=Provider.objects.get(agb_code=parties.provider_code),
    )
    return StoreContext(today=TODAY, message=message)


def found(obj, code: str) -> list:
    """The violations of rule `code`. The row is removed again, so that each message checked
    here is judged against the state the test made, not against the messages checked before."""
    ctx = received(obj)
    violations = [v for v in check(obj, ctx, code=code) if v.code == code]
    ctx.message.delete()
    return violations


def accepts(obj, code: str) -> bool:
    return not found(obj, code)


def refuses(obj, code: str, at=None) -> bool:
    """The rule finds a violation (on the class object `at`, when given)."""
    violations = found(obj, code)
    return bool(violations) and (at is None or all(v.obj is at for v in violations))


# --- message builders ------------------------------------------------------------------------


def start(assignment: Assignment, *, begin=BEGIN, status="1"):
    return messages.start(
        assignment=assignment,
        begin_on=begin,
        identification=ident(),
        dated_on=TODAY,
        status=status,
    )


def stop(assignment: Assignment, *, begin=BEGIN, end=date(2025, 3, 31), reason="19", status="1"):
    key = SimpleNamespace(
        product_category=assignment.product_category,
        product_code=assignment.product_code,
        assignment_start_on=assignment.start_on,
        begin_on=begin,
    )
    return messages.stop(
        assignment=assignment,
        start_report=key,
        end_on=end,
        reason=reason,
        identification=ident(),
        dated_on=TODAY,
        status=status,
    )


def vot(*references: str, bsn: str = VERBEEK, code: str = "OA22"):
    return messages.request_for_assignment(
        municipality=gemeente(),
        provider=kade(),
        client=client(bsn),
        products=[
            {
                "reference": reference,
                "category": "10",
                "code": code,
                "start_on": TODAY,
                "volume": 1,
                "unit": "82",
                "frequency": "4",
            }
            for reference in references
        ],
        identification=ident(),
        dated_on=TODAY,
    )


def vow(*, unchanged=(), changes=(), new=(), reference="VOW-1", bsn: str = VERBEEK):
    return messages.request_for_change(
        municipality=gemeente(),
        provider=kade(),
        client=client(bsn),
        reference=reference,
        reason="1",
        unchanged=list(unchanged),
        changes=list(changes),
        new=list(new),
        identification=ident(),
        dated_on=TODAY,
    )


def change(number: int, **fields) -> dict:
    return {
        "number": number,
        "start_on": START,
        "end_on": None,
        "volume": 1,
        "unit": "82",
        "frequency": "4",
        **fields,
    }


def new_product(code: str = "OA22", **fields) -> dict:
    return {
        "category": "10",
        "code": code,
        "start_on": TODAY + timedelta(days=30),
        "end_on": None,
        "volume": 1,
        "unit": "82",
        "frequency": "4",
        **fields,
    }


def antwoord(reference: str, answer: str = "2"):
    return messages.answer(
        municipality=gemeente(),
        provider=kade(),
        reference=reference,
        answer_code=answer,
        reason="3" if answer == "1" else "",
        identification=ident(),
        dated_on=TODAY,
    )


MARCH = (date(2025, 3, 1), date(2025, 3, 31))
TARIFF = 123500  # OA22 in the demo catalog: 1140,00 per 4 weeks = 1235,00 per month


def prestatie(reference: str, number: int, **fields) -> dict:
    values = {
        "reference": reference,
        "previous": None,
        "number": number,
        "category": "10",
        "code": "OA22",
        "period": MARCH,
        "volume": 1,
        "unit": "82",
        "tariff": TARIFF,
        "dc": "D",
        "bsn": VERBEEK,
    }
    values.update(fields)
    if "amount" not in values:
        values["amount"] = values["volume"] * (values["tariff"] or 1)
    return values


def declaratie(*lines: dict, number: str = "D1", period=MARCH):
    """A 323 of De Kade to Almere with these prestaties (see `prestatie`)."""
    types = codec.message_types("323")
    by_bsn: dict[str, list] = {}
    for p in lines:
        by_bsn.setdefault(p["bsn"], []).append(
            types.Prestatie(
                product_referentie=types.CDT_Referentie(
                    referentie_nummer=p["reference"], vorig_referentie_nummer=p["previous"]
                ),
                toewijzing_nummer=p["number"],
                product_categorie=p["category"],
                product_code=p["code"],
                product_periode=types.CDT_GeslotenPeriode(
                    begindatum=p["period"][0], einddatum=p["period"][1]
                ),
                geleverd_volume=p["volume"],
                eenheid=p["unit"],
                product_tarief=p["tariff"],
                ingediend_bedrag=types.CDT_BedragMetDC(bedrag=p["amount"], debet_credit=p["dc"]),
            )
        )
    total = sum(p["amount"] * (-1 if p["dc"] == "C" else 1) for p in lines)
    return types.Bericht(
        header=retour.header(
            "323",
            sender=kade().agb_code,
            receiver=gemeente().cbs_code,
            identification=ident(),
            dated_on=TODAY,
        ),
        declaratie=types.Declaratie(
            declaratie_nummer=number,
            declaratie_periode=types.CDT_GeslotenPeriode(begindatum=period[0], einddatum=period[1]),
            declaratie_dagtekening=TODAY,
            totaal_ingediend_bedrag=types.CDT_TotaalBedragMetDC(
                totaal_bedrag=abs(total), debet_credit="C" if total < 0 else "D"
            ),
            clienten=[types.Client(bsn=bsn, prestaties=items) for bsn, items in by_bsn.items()],
        ),
    )


def antwoordbericht(declaration, *, refused: dict[str, str] | None = None, whole: str = ""):
    """The 325 for `declaration` per IV087: the refused prestaties (ReferentieNummer ->
    retour code) under their Client, or the DeclaratieAntwoord refused as a whole."""
    types = codec.message_types("325")
    obj = retour.retour_for(declaration, identification=ident(), dated_on=TODAY)
    refused = refused or {}
    clienten = []
    for c in declaration.declaratie.clienten:
        items = [
            types.Prestatie(
                **{f.name: getattr(p, f.name) for f in dataclasses.fields(p)},
                retour_codes=[refused[p.product_referentie.referentie_nummer]],
            )
            for p in c.prestaties
            if p.product_referentie.referentie_nummer in refused
        ]
        if items and not whole:
            clienten.append(types.Client(bsn=c.bsn, prestaties=items, retour_codes=["0200"]))
    total = declaration.declaratie.totaal_ingediend_bedrag
    obj.declaratie_antwoord = types.DeclaratieAntwoord(
        declaratie_nummer=declaration.declaratie.declaratie_nummer,
        totaal_ingediend_bedrag=total,
        totaal_toegekend_bedrag=types.CDT_TotaalBedragMetDC(
            totaal_bedrag=0 if whole or refused else total.totaal_bedrag, debet_credit="D"
        ),
        clienten=clienten,
        retour_codes=[whole] if whole else ["0200" if refused else "8001"],
    )
    return obj


def declared(
    *lines: dict,
    refused: dict[str, str] | None = None,
    whole: str = "",
    violations: list | None = None,
    **fields,
):
    """An earlier 323 as the municipality received it, answered by a 325 when `refused` or
    `whole` is given. Returns the parsed 323."""
    declaration = declaratie(*lines, **fields)
    message = row(
        "323",
        xml=codec.build(declaration).decode(),
        identification=declaration.header.bericht_identificatie.identificatie,
        violations=violations or [],
        accepted=not violations,
    )
    if refused or whole:
        answer = antwoordbericht(declaration, refused=refused, whole=whole)
        row(
            "325",
            direction=Message.Direction.OUTGOING,
            xml=codec.build(answer).decode(),
            in_reply_to=message,
            identification=answer.header.bericht_identificatie.identificatie,
        )
    return declaration


def first(obj):
    """The first Prestatie of a 323 or 325."""
    holder = obj.declaratie if codec.code_of(obj) == "323" else obj.declaratie_antwoord
    return holder.clienten[0].prestaties[0]


# --- the registry ------------------------------------------------------------------------------

CROSS = sorted(
    code for code, r in REGISTRY.items() if r.func.__module__.rsplit(".", 1)[-1] == "cross"
)


def test_registered_for_the_messages_the_reference_lists():
    reference = reference_rules()
    for code in CROSS:
        listed = tuple(m for m in reference[code].messages if m in RECEIVED)
        if code == "TR019":
            listed = ("305", "307")  # the reference lists "W<P307", a typo for WMO307
        assert tuple(sorted(REGISTRY[code].messages)) == listed, code


def test_every_level_3_rule_but_tr056_and_the_store_level_4_rules_are_registered():
    reference = reference_rules()
    cross_level = {code for code, info in reference.items() if info.level == 3} - {"TR056"}
    assert cross_level | {"TR346", "TR381"} == set(CROSS)


def test_without_a_store_the_cross_rules_find_nothing():
    obj = start(new_assignment(799999))
    assert not check(obj, RuleContext(today=TODAY))


# --- 305 / 307 ---------------------------------------------------------------------------------


@pytest.mark.iwmo_rule("TR019")
def test_tr019_start_and_stop_relate_to_an_assignment():
    a = assign(700001)
    assert accepts(start(a), "TR019")
    assert accepts(stop(a), "TR019")
    unknown = start(a)
    unknown.client.start_producten[0].toewijzing_nummer = 799999
    assert refuses(unknown, "TR019", at=unknown.client.start_producten[0])
    not_sent = assign(700002, send=False)
    assert refuses(stop(not_sent), "TR019")
    other = assign(700003, bsn=BAKKER)
    wrong_client = start(a)
    wrong_client.client.start_producten[0].toewijzing_nummer = other.number
    assert refuses(wrong_client, "TR019")


@pytest.mark.iwmo_rule("TR063")
def test_tr063_removal_needs_an_earlier_line_with_the_same_key():
    a = assign(700011)
    assert refuses(start(a, status="3"), "TR063")
    report("start", a)
    assert accepts(start(a, status="3"), "TR063")
    assert refuses(start(a, begin=BEGIN + timedelta(days=1), status="3"), "TR063")
    assert refuses(stop(a, status="3"), "TR063")
    report("stop", a, end=date(2025, 3, 31), reason="19")
    assert accepts(stop(a, status="3"), "TR063")


@pytest.mark.iwmo_rule("TR071")
def test_tr071_no_removal_of_a_start_that_was_stopped():
    a = assign(700021)
    report("start", a)
    assert accepts(start(a, status="3"), "TR071")
    report("stop", a, end=date(2025, 3, 31), reason="19")
    assert refuses(start(a, status="3"), "TR071")


@pytest.mark.iwmo_rule("TR074")
def test_tr074_first_delivery_key_unique_against_earlier_messages():
    a = assign(700031)
    assert accepts(start(a), "TR074")
    report("start", a)
    assert refuses(start(a), "TR074")
    report("start", a, status="3")  # removed: it counts as not sent (OP033)
    assert accepts(start(a), "TR074")
    report("stop", a, end=date(2025, 3, 31), reason="19")
    assert refuses(stop(a), "TR074")
    assert accepts(stop(a, reason="20"), "TR074")


@pytest.mark.iwmo_rule("TR326")
def test_tr326_no_new_start_while_one_is_current():
    a = assign(700041)
    assert accepts(start(a), "TR326")
    report("start", a)
    later = start(a, begin=BEGIN + timedelta(days=40))
    assert refuses(later, "TR326", at=later.client.start_producten[0])
    report("stop", a, end=date(2025, 3, 1), reason="20")
    assert accepts(start(a, begin=BEGIN + timedelta(days=40)), "TR326")


@pytest.mark.iwmo_rule("TR382")
def test_tr382_stop_copies_the_key_of_a_current_start():
    a = assign(700051)
    report("start", a)
    assert accepts(stop(a), "TR382")
    moved = stop(a, begin=BEGIN + timedelta(days=1))
    assert refuses(moved, "TR382", at=moved.client.stop_producten[0])
    report("start", a, status="3")
    assert refuses(stop(a), "TR382")


@pytest.mark.iwmo_rule("TR413")
def test_tr413_no_second_temporary_stop_for_the_same_start():
    a = assign(700061)
    report("start", a)
    assert accepts(stop(a, reason="20"), "TR413")
    report("stop", a, end=date(2025, 3, 10), reason="20")
    assert refuses(stop(a, reason="20"), "TR413")
    assert accepts(stop(a, reason="19"), "TR413")


@pytest.mark.iwmo_rule("TR414")
def test_tr414_einddatum_not_before_that_of_the_current_stop():
    a = assign(700071)
    report("start", a)
    report("stop", a, end=date(2025, 3, 10), reason="20")
    assert accepts(stop(a, end=date(2025, 3, 10), reason="19"), "TR414")  # IV096
    assert refuses(stop(a, end=date(2025, 3, 9), reason="19"), "TR414")


@pytest.mark.iwmo_rule("TR415")
def test_tr415_no_stop_after_a_definitive_stop():
    a = assign(700081)
    report("start", a)
    report("stop", a, end=date(2025, 3, 10), reason="20")
    assert accepts(stop(a, end=date(2025, 3, 20), reason="19"), "TR415")
    report("stop", a, end=date(2025, 3, 20), reason="19")
    assert refuses(stop(a, end=date(2025, 3, 25), reason="23"), "TR415")


# --- TR381: the product code list ----------------------------------------------------------------


@pytest.mark.iwmo_rule("TR381")
def test_tr381_product_code_from_the_municipalitys_catalog():
    a = assign(700091)
    assert accepts(start(a), "TR381")
    assert accepts(vot("R-381-1"), "TR381")
    wrong = start(a)
    wrong.client.start_producten[0].product.code = "ZZ99"
    assert refuses(wrong, "TR381", at=wrong.client.start_producten[0])
    other_category = start(a)
    other_category.client.start_producten[0].product.categorie = "02"
    assert refuses(other_category, "TR381")
    leiden_code = vot("R-381-2", code="1241")  # a Leidse regio code, not in Almere's list
    assert refuses(leiden_code, "TR381")
    assert refuses(declaratie(prestatie("RN-381", a.number, code="ZZ99")), "TR381")


# --- 301 (checked by the provider) -----------------------------------------------------------


@pytest.mark.iwmo_rule("TR332")
def test_tr332_toewijzingnummer_unique_within_the_municipality():
    a = assign(700101)
    assert accepts(toewijzing([a]), "TR332")
    assert accepts(toewijzing([new_assignment(700102)]), "TR332")  # a new number
    other_product = toewijzing([new_assignment(a.number, product_code="OA23")])
    assert refuses(other_product, "TR332", at=other_product.client.toegewezen_producten[0])
    assign(700103, provider=anker())
    assert refuses(toewijzing([new_assignment(700103)]), "TR332")


@pytest.mark.iwmo_rule("TR379")
def test_tr379_referentie_aanbieder_of_a_request():
    request("VOT-379")
    assert accepts(toewijzing([new_assignment(700111, provider_reference="VOT-379")]), "TR379")
    assert accepts(toewijzing([new_assignment(700112)]), "TR379")
    unknown = toewijzing([new_assignment(700113, provider_reference="VOT-000")])
    assert refuses(unknown, "TR379", at=unknown.client.toegewezen_producten[0])
    other_client = toewijzing(
        [new_assignment(700114, provider_reference="VOT-379", bsn=BAKKER)], bsn=BAKKER
    )
    assert refuses(other_client, "TR379")


@pytest.mark.iwmo_rule("TR385")
def test_tr385_no_removal_with_approved_declarations():
    a = assign(700121)
    removed = new_assignment(a.number, end_on=START, change_reason="13")
    assert accepts(toewijzing([removed]), "TR385")
    declared(prestatie("RN-385-1", a.number))
    assert refuses(toewijzing([removed]), "TR385")
    declared(
        prestatie("RN-385-2", a.number, previous="RN-385-1", dc="C"),
        number="D2",
        period=(date(2025, 4, 1), date(2025, 4, 30)),
    )
    assert accepts(toewijzing([removed]), "TR385")


def test_tr385_a_declaration_refused_in_its_325_does_not_count():
    a = assign(700122)
    removed = new_assignment(a.number, end_on=START, change_reason="13")
    declared(prestatie("RN-385-3", a.number), refused={"RN-385-3": "9338"})
    declared(prestatie("RN-385-4", a.number), number="D2", whole="9333")
    assert accepts(toewijzing([removed]), "TR385")


# --- 315 / 317 (checked by the municipality) ---------------------------------------------------


@pytest.mark.iwmo_rule("TR347")
def test_tr347_referentie_aanbieder_unique_for_the_provider():
    request("R-347", state=Request.State.GRANTED)
    assert accepts(vot("R-347-b"), "TR347")
    again = vot("R-347-b", "R-347")
    assert refuses(again, "TR347", at=again.client.aangevraagde_producten[1])
    assert accepts(vow(reference="R-347-c", unchanged=[]), "TR347")
    repeated = vow(reference="R-347", unchanged=[])
    assert refuses(repeated, "TR347", at=repeated.client.verzoek)


@pytest.mark.iwmo_rule("TR374")
def test_tr374_no_request_while_one_is_in_hand():
    request("R-374-a", state=Request.State.REJECTED)
    request("R-374-b", bsn=BAKKER)
    assert accepts(vot("R-374-c"), "TR374")
    request("R-374-d", state=Request.State.INVESTIGATING)
    msg = vot("R-374-e")
    assert refuses(msg, "TR374", at=msg.client)
    change_request = vow(reference="R-374-f")
    assert refuses(change_request, "TR374", at=change_request.client.verzoek)


@pytest.mark.iwmo_rule("TR304")
def test_tr304_the_product_belongs_to_the_client():
    mine, theirs = assign(700131), assign(700132, bsn=BAKKER)
    assert accepts(vow(unchanged=[mine.number]), "TR304")
    wrong = vow(unchanged=[mine.number, theirs.number])
    assert refuses(wrong, "TR304", at=wrong.client.verzoek.ongewijzigde_producten[1])
    assert accepts(declaratie(prestatie("RN-304-1", mine.number)), "TR304")
    assert refuses(declaratie(prestatie("RN-304-2", theirs.number)), "TR304")


@pytest.mark.iwmo_rule("TR304")
def test_tr304_in_a_325_the_client_of_the_declared_prestatie():
    a = assign(700133)
    declaration = declared(prestatie("RN-304-3", a.number))
    answer = antwoordbericht(declaration, refused={"RN-304-3": "9321"})
    assert accepts(answer, "TR304")
    moved = antwoordbericht(declaration, refused={"RN-304-3": "9321"})
    moved.declaratie_antwoord.clienten[0].bsn = BAKKER
    assert refuses(moved, "TR304", at=first(moved))


@pytest.mark.iwmo_rule("TR349")
def test_tr349_every_current_assignment_in_the_request():
    one, two = assign(700141), assign(700142, product_code="OA23")
    assign(700143, end_on=TODAY - timedelta(days=1))  # ended
    assign(700144, start_on=START, end_on=START, change_reason="13")  # removed
    assign(700145, send=False)  # never sent to the provider (OP095)
    assert accepts(vow(unchanged=[one.number], changes=[change(two.number)]), "TR349")
    missing = vow(unchanged=[one.number])
    assert refuses(missing, "TR349", at=missing.client.verzoek)


@pytest.mark.iwmo_rule("TR350")
def test_tr350_ongewijzigd_product_is_a_current_assignment():
    current = assign(700151)
    ended = assign(700152, end_on=TODAY - timedelta(days=1))
    assert accepts(vow(unchanged=[current.number]), "TR350")
    msg = vow(unchanged=[current.number, ended.number])
    assert refuses(msg, "TR350", at=msg.client.verzoek.ongewijzigde_producten[1])
    assert refuses(vow(unchanged=[799998]), "TR350")


@pytest.mark.iwmo_rule("TR351")
def test_tr351_te_wijzigen_product_is_a_current_assignment():
    current = assign(700161)
    removed = assign(700162, end_on=START, change_reason="13")
    assert accepts(vow(changes=[change(current.number)]), "TR351")
    msg = vow(changes=[change(removed.number)])
    assert refuses(msg, "TR351", at=msg.client.verzoek.te_wijzigen_producten[0])


@pytest.mark.iwmo_rule("TR357")
def test_tr357_a_change_from_the_past_runs_from_the_ingangsdatum():
    a = assign(700171)
    assert accepts(vow(changes=[change(a.number)]), "TR357")
    assert accepts(vow(changes=[change(a.number, start_on=TODAY + timedelta(days=10))]), "TR357")
    msg = vow(changes=[change(a.number, start_on=TODAY)])
    assert refuses(msg, "TR357", at=msg.client.verzoek.te_wijzigen_producten[0])


@pytest.mark.iwmo_rule("TR361")
def test_tr361_the_same_product_only_in_periods_that_do_not_overlap():
    a = assign(700181, end_on=TODAY + timedelta(days=20))
    during = {"start_on": TODAY + timedelta(days=10)}
    after = {"start_on": TODAY + timedelta(days=21)}
    assert accepts(vow(unchanged=[a.number], new=[new_product(**after)]), "TR361")
    assert accepts(vow(unchanged=[a.number], new=[new_product("OA23", **during)]), "TR361")
    overlapping = vow(unchanged=[a.number], new=[new_product(**during)])
    assert refuses(overlapping, "TR361", at=overlapping.client.verzoek.nieuwe_producten[0])
    extended = vow(
        changes=[change(a.number, end_on=TODAY + timedelta(days=60))],
        new=[new_product(**after)],
    )
    assert refuses(extended, "TR361", at=extended.client.verzoek.nieuwe_producten[0])
    # Categories 11-14 may overlap, also with a product of another category.
    wheelchair = new_product("OA22", category="11", **during)
    assert accepts(vow(unchanged=[a.number], new=[wheelchair]), "TR361")


@pytest.mark.iwmo_rule("TR373")
def test_tr373_a_new_total_runs_from_the_ingangsdatum():
    a = assign(700191, volume=40, unit="04", frequency="6", end_on=date(2026, 12, 31))
    total = {"volume": 60, "unit": "04", "frequency": "6"}
    assert accepts(vow(changes=[change(a.number, **total)]), "TR373")
    later = TODAY + timedelta(days=10)
    assert accepts(
        vow(changes=[change(a.number, start_on=later, volume=40, unit="04", frequency="6")]),
        "TR373",
    )
    msg = vow(changes=[change(a.number, start_on=later, **total)])
    assert refuses(msg, "TR373", at=msg.client.verzoek.te_wijzigen_producten[0])


@pytest.mark.iwmo_rule("TR373")
def test_tr373_a_new_budget_runs_from_the_ingangsdatum():
    a = assign(
        700192,
        product_code="",
        volume=None,
        unit="",
        frequency="",
        budget=100000,
        end_on=date(2026, 12, 31),
    )
    msg = vow(changes=[change(a.number, start_on=TODAY + timedelta(days=10), volume=None)])
    msg.client.verzoek.te_wijzigen_producten[0].budget = 150000
    assert refuses(msg, "TR373")
    msg.client.verzoek.te_wijzigen_producten[0].gewenste_ingangsdatum = START
    assert accepts(msg, "TR373")


@pytest.mark.iwmo_rule("TR375")
def test_tr375_no_omvang_for_an_assignment_without_product():
    generic = assign(
        700201,
        product_category="",
        product_code="",
        volume=None,
        unit="",
        frequency="",
        budget=100000,
    )
    assert accepts(vow(changes=[change(generic.number, volume=None)]), "TR375")
    msg = vow(changes=[change(generic.number)])
    assert refuses(msg, "TR375", at=msg.client.verzoek.te_wijzigen_producten[0])


@pytest.mark.iwmo_rule("TR411")
def test_tr411_omvang_for_an_assignment_with_a_product_code():
    a = assign(700211)
    assert accepts(vow(changes=[change(a.number)]), "TR411")
    msg = vow(changes=[change(a.number, volume=None)])
    assert refuses(msg, "TR411", at=msg.client.verzoek.te_wijzigen_producten[0])


@pytest.mark.iwmo_rule("TR412")
def test_tr412_no_omvang_for_an_assignment_without_product_code():
    aspecific = assign(700221, product_code="", volume=None, unit="", frequency="", budget=100000)
    assert accepts(vow(changes=[change(aspecific.number, volume=None)]), "TR412")
    msg = vow(changes=[change(aspecific.number)])
    assert refuses(msg, "TR412", at=msg.client.verzoek.te_wijzigen_producten[0])
    old = assign(700222, product_code="", start_on=date(2020, 1, 1), end_on=date(2020, 12, 31))
    assert accepts(vow(changes=[change(old.number)]), "TR412")


# --- 319 (checked by the provider) ------------------------------------------------------------


@pytest.mark.iwmo_rule("TR355")
def test_tr355_answer_to_an_earlier_request():
    request("R-355")
    assert accepts(antwoord("R-355"), "TR355")
    msg = antwoord("R-356")
    assert refuses(msg, "TR355", at=msg.antwoord)


@pytest.mark.iwmo_rule("TR359")
def test_tr359_no_answer_after_an_assignment_with_the_reference():
    request("R-359")
    assign(700231, provider_reference="R-359-other")
    assert accepts(antwoord("R-359"), "TR359")
    assign(700232, provider_reference="R-359")
    msg = antwoord("R-359", "1")
    assert refuses(msg, "TR359", at=msg.antwoord)


@pytest.mark.iwmo_rule("TR360")
def test_tr360_in_onderzoek_only_as_the_first_answer():
    assert accepts(antwoord("R-360"), "TR360")
    sent(antwoord("R-360", "2"))
    assert refuses(antwoord("R-360", "2"), "TR360")
    assert accepts(antwoord("R-360", "1"), "TR360")


@pytest.mark.iwmo_rule("TR365")
def test_tr365_an_earlier_answer_was_in_onderzoek():
    sent(antwoord("R-365-a", "2"))
    assert accepts(antwoord("R-365-a", "1"), "TR365")
    sent(antwoord("R-365-b", "1"))
    assert refuses(antwoord("R-365-b", "1"), "TR365")


def test_an_answer_refused_by_the_provider_does_not_count():
    refused_answer = sent(antwoord("R-365-c", "1"))
    refused_answer.status = Message.Status.REJECTED
    refused_answer.save()
    assert accepts(antwoord("R-365-c", "2"), "TR365")
    assert accepts(antwoord("R-365-c", "2"), "TR360")


# --- 325 (checked by the provider) ------------------------------------------------------------


def answered():
    a = assign(710000 + next(_numbers))
    declaration = declared(prestatie("RN-325", a.number, volume=2))
    return declaration, antwoordbericht(declaration, refused={"RN-325": "9321"})


@pytest.mark.iwmo_rule("TR337")
def test_tr337_declaratie_identificatie_of_an_earlier_declaration():
    _declaration, answer = answered()
    assert accepts(answer, "TR337")
    _declaration, unknown = answered()
    unknown.header.declaratie_identificatie.identificatie = "X12345"
    assert refuses(unknown, "TR337", at=unknown.header)
    _declaration, other_day = answered()
    other_day.header.declaratie_identificatie.dagtekening -= timedelta(days=1)
    assert refuses(other_day, "TR337")


@pytest.mark.iwmo_rule("TR371")
def test_tr371_xsd_versie_of_the_declaration():
    _declaration, answer = answered()
    assert accepts(answer, "TR371")
    answer.header.xsd_versie_declaratie.bericht_xsd_versie = "9.9.9"
    assert refuses(answer, "TR371", at=answer.header)


@pytest.mark.iwmo_rule("TR376")
def test_tr376_declaratienummer_of_the_declaration():
    _declaration, answer = answered()
    assert accepts(answer, "TR376")
    answer.declaratie_antwoord.declaratie_nummer = "D999"
    assert refuses(answer, "TR376", at=answer.declaratie_antwoord)


@pytest.mark.iwmo_rule("TR366")
def test_tr366_prestatie_of_the_declaration():
    _declaration, answer = answered()
    assert accepts(answer, "TR366")
    first(answer).product_referentie.referentie_nummer = "RN-000"
    assert refuses(answer, "TR366", at=first(answer))


@pytest.mark.iwmo_rule("TR367")
def test_tr367_values_of_the_declared_prestatie():
    _declaration, answer = answered()
    assert accepts(answer, "TR367")
    first(answer).geleverd_volume = 3
    assert refuses(answer, "TR367", at=first(answer))


# --- 323 (checked by the municipality) ---------------------------------------------------------


@pytest.mark.iwmo_rule("TR338")
def test_tr338_prestatie_relates_to_an_assignment():
    a = assign(700251)
    assert accepts(declaratie(prestatie("RN-338-1", a.number)), "TR338")
    msg = declaratie(prestatie("RN-338-2", 799997))
    assert refuses(msg, "TR338", at=first(msg))
    other = assign(700252, provider=anker())
    assert refuses(declaratie(prestatie("RN-338-3", other.number)), "TR338")


@pytest.mark.iwmo_rule("TR307")
def test_tr307_product_period_not_before_the_ingangsdatum():
    a = assign(700261, start_on=date(2025, 3, 10))
    from_the_10th = (date(2025, 3, 10), MARCH[1])
    assert accepts(declaratie(prestatie("RN-307-1", a.number, period=from_the_10th)), "TR307")
    msg = declaratie(prestatie("RN-307-2", a.number))
    assert refuses(msg, "TR307", at=first(msg))


@pytest.mark.iwmo_rule("TR308")
def test_tr308_product_period_not_after_the_einddatum():
    a = assign(700271, end_on=date(2025, 3, 20))
    to_the_20th = (MARCH[0], date(2025, 3, 20))
    assert accepts(declaratie(prestatie("RN-308-1", a.number, period=to_the_20th)), "TR308")
    msg = declaratie(prestatie("RN-308-2", a.number))
    assert refuses(msg, "TR308", at=first(msg))


@pytest.mark.iwmo_rule("TR339")
def test_tr339_product_category_of_the_assignment():
    a = assign(700281)
    assert accepts(declaratie(prestatie("RN-339-1", a.number)), "TR339")
    msg = declaratie(prestatie("RN-339-2", a.number, category="02"))
    assert refuses(msg, "TR339", at=first(msg))


@pytest.mark.iwmo_rule("TR340")
def test_tr340_product_code_of_the_assignment():
    a = assign(700291)
    assert accepts(declaratie(prestatie("RN-340-1", a.number)), "TR340")
    msg = declaratie(prestatie("RN-340-2", a.number, code="OA23"))
    assert refuses(msg, "TR340", at=first(msg))
    aspecific = assign(700292, product_code="", volume=None, unit="", frequency="")
    assert accepts(declaratie(prestatie("RN-340-3", aspecific.number, code="OA23")), "TR340")


@pytest.mark.iwmo_rule("TR341")
def test_tr341_unit_fits_the_assignment():
    hours = assign(700301, volume=3, unit="04", frequency="2")
    assert accepts(declaratie(prestatie("RN-341-1", hours.number, unit="04")), "TR341")
    assert accepts(declaratie(prestatie("RN-341-2", hours.number, unit="01")), "TR341")
    msg = declaratie(prestatie("RN-341-3", hours.number, unit="16"))
    assert refuses(msg, "TR341", at=first(msg))
    # Without Omvang: the unit of the contract (the catalog level of OA22: 82).
    aspecific = assign(700302, product_code="", volume=None, unit="", frequency="")
    assert accepts(declaratie(prestatie("RN-341-4", aspecific.number)), "TR341")
    assert refuses(declaratie(prestatie("RN-341-5", aspecific.number, unit="04")), "TR341")


@pytest.mark.iwmo_rule("TR384")
def test_tr384_no_declaration_on_a_removed_assignment():
    a = assign(700311)
    removed = assign(700312, end_on=START, change_reason="13")
    assert accepts(declaratie(prestatie("RN-384-1", a.number)), "TR384")
    msg = declaratie(prestatie("RN-384-2", removed.number))
    assert refuses(msg, "TR384", at=first(msg))


@pytest.mark.iwmo_rule("TR387")
def test_tr387_begindatum_first_of_the_month_or_the_later_ingangsdatum():
    a = assign(700321)
    late = assign(700322, start_on=date(2025, 3, 12))
    assert accepts(declaratie(prestatie("RN-387-1", a.number)), "TR387")
    assert accepts(
        declaratie(prestatie("RN-387-2", late.number, period=(date(2025, 3, 12), MARCH[1]))),
        "TR387",
    )
    msg = declaratie(prestatie("RN-387-3", a.number, period=(date(2025, 3, 2), MARCH[1])))
    assert refuses(msg, "TR387", at=first(msg))
    assert refuses(declaratie(prestatie("RN-387-4", late.number)), "TR387")


@pytest.mark.iwmo_rule("TR388")
def test_tr388_einddatum_last_of_the_month_or_the_earlier_einddatum():
    a = assign(700331)
    ending = assign(700332, end_on=date(2025, 3, 17))
    assert accepts(declaratie(prestatie("RN-388-1", a.number)), "TR388")
    assert accepts(
        declaratie(prestatie("RN-388-2", ending.number, period=(MARCH[0], date(2025, 3, 17)))),
        "TR388",
    )
    msg = declaratie(prestatie("RN-388-3", a.number, period=(MARCH[0], date(2025, 3, 30))))
    assert refuses(msg, "TR388", at=first(msg))


@pytest.mark.iwmo_rule("TR307")
@pytest.mark.iwmo_rule("TR308")
@pytest.mark.iwmo_rule("TR384")
@pytest.mark.iwmo_rule("TR387")
@pytest.mark.iwmo_rule("TR388")
def test_date_rules_judge_debits_only_a_credit_reverses_its_debit_as_sent():
    """A toewijzing shortened or removed after March was paid: the debit for all of March is
    refused now, the credit that reverses it as sent is not."""
    shortened = assign(700391, start_on=date(2025, 3, 10), end_on=date(2025, 3, 20))
    removed = assign(700392, end_on=START, change_reason="13")
    debit = declaratie(prestatie("RN-DC-1", shortened.number))
    for code in ("TR307", "TR308", "TR387", "TR388"):
        assert refuses(debit, code, at=first(debit))
    assert refuses(declaratie(prestatie("RN-DC-2", removed.number)), "TR384")
    for number in (shortened.number, removed.number):
        credit = declaratie(prestatie(f"RN-DC-C{number}", number, dc="C", previous="RN-DC-0"))
        for code in ("TR307", "TR308", "TR384", "TR387", "TR388"):
            assert accepts(credit, code)


@pytest.mark.iwmo_rule("TR319")
def test_tr319_product_period_in_the_current_or_an_earlier_declaration_period():
    a = assign(700341)
    assert accepts(declaratie(prestatie("RN-319-1", a.number)), "TR319")
    earlier = (date(2025, 2, 1), date(2025, 2, 28))
    assert accepts(declaratie(prestatie("RN-319-2", a.number, period=earlier)), "TR319")
    april = (date(2025, 4, 1), date(2025, 4, 30))
    msg = declaratie(prestatie("RN-319-3", a.number, period=april))
    assert refuses(msg, "TR319", at=first(msg))


@pytest.mark.iwmo_rule("TR314")
def test_tr314_referentienummer_unique_for_the_provider():
    a = assign(700351)
    declared(prestatie("RN-314-1", a.number))
    assert accepts(declaratie(prestatie("RN-314-2", a.number), number="D2"), "TR314")
    msg = declaratie(prestatie("RN-314-1", a.number), number="D2")
    assert refuses(msg, "TR314", at=first(msg))
    credit = {"previous": "RN-314-1", "dc": "C"}
    twice = declaratie(prestatie("RN-314-3", a.number), prestatie("RN-314-3", a.number, **credit))
    assert refuses(twice, "TR314")
    # A declaration refused as a whole counts as not sent (IV087).
    declared(
        prestatie("RN-314-4", a.number),
        number="D3",
        violations=[{"code": "TR333", "class": "Declaratie"}],
    )
    assert accepts(declaratie(prestatie("RN-314-4", a.number), number="D4"), "TR314")


@pytest.mark.iwmo_rule("TR333")
def test_tr333_declaratienummer_unique_for_the_provider():
    a = assign(700361)
    declared(prestatie("RN-333-1", a.number), number="D333")
    assert accepts(declaratie(prestatie("RN-333-2", a.number), number="D334"), "TR333")
    msg = declaratie(prestatie("RN-333-3", a.number), number="D333")
    assert refuses(msg, "TR333", at=msg.declaratie)
    declared(prestatie("RN-333-4", a.number), number="D335", whole="9333")
    assert accepts(declaratie(prestatie("RN-333-5", a.number), number="D335"), "TR333")


@pytest.mark.iwmo_rule("TR318")
def test_tr318_declaration_period_after_the_previous_one():
    a = assign(700371)
    assert accepts(declaratie(prestatie("RN-318-1", a.number)), "TR318")
    april = (date(2025, 4, 1), date(2025, 4, 30))
    declared(prestatie("RN-318-2", a.number), number="D1", period=april)
    may = (date(2025, 5, 1), date(2025, 5, 31))
    assert accepts(declaratie(prestatie("RN-318-3", a.number), number="D2", period=may), "TR318")
    # April again: the second file of a declaration split over several (OP179).
    assert accepts(declaratie(prestatie("RN-318-5", a.number), number="D3", period=april), "TR318")
    msg = declaratie(prestatie("RN-318-4", a.number), number="D2")  # March: before April
    assert refuses(msg, "TR318", at=msg.declaratie)


@pytest.mark.iwmo_rule("TR321")
def test_tr321_volume_within_the_assigned_volume_for_the_period():
    # 3 hours a week; March 2025 touches weeks 9 to 14: at most 18 hours (IV077).
    a = assign(700381, volume=3, unit="04", frequency="2", end_on=date(2025, 12, 31))
    assert accepts(declaratie(prestatie("RN-321-1", a.number, unit="04", volume=18)), "TR321")
    assert accepts(declaratie(prestatie("RN-321-2", a.number, unit="01", volume=1080)), "TR321")
    msg = declaratie(prestatie("RN-321-3", a.number, unit="04", volume=19))
    assert refuses(msg, "TR321", at=first(msg))
    # Huishoudelijke hulp per week: 6 x the weekly volume.
    hh = assign(
        700382, product_category="01", volume=3, unit="04", frequency="2", end_on=date(2025, 12, 31)
    )
    assert accepts(
        declaratie(prestatie("RN-321-4", hh.number, category="01", unit="04", volume=18)), "TR321"
    )
    assert refuses(
        declaratie(prestatie("RN-321-5", hh.number, category="01", unit="04", volume=19)), "TR321"
    )


@pytest.mark.iwmo_rule("TR321")
def test_tr321_outputgericht_per_week_counts_sundays():
    # IV077 example 1: 300 euro a week from 01-10-2025 to 31-12-2025.
    a = assign(
        700383,
        volume=30000,
        unit="83",
        frequency="2",
        start_on=date(2025, 10, 1),
        end_on=date(2025, 12, 31),
    )
    december = (date(2025, 12, 1), date(2025, 12, 31))  # 4 Sundays + 1: 1500 euro
    euro = {"unit": "83", "tariff": None, "period": december}
    assert accepts(
        declaratie(
            prestatie("RN-321-6", a.number, volume=150000, amount=150000, **euro), period=december
        ),
        "TR321",
    )
    assert refuses(
        declaratie(
            prestatie("RN-321-7", a.number, volume=150001, amount=150001, **euro), period=december
        ),
        "TR321",
    )


@pytest.mark.iwmo_rule("TR322")
def test_tr322_sum_of_volumes_within_the_assigned_total():
    a = assign(700391, volume=10, unit="04", frequency="6", end_on=date(2025, 12, 31))
    hours = {"unit": "04", "tariff": 6000}
    february = (date(2025, 2, 1), date(2025, 2, 28))
    declared(prestatie("RN-322-1", a.number, volume=8, period=february, **hours), period=february)
    assert accepts(declaratie(prestatie("RN-322-2", a.number, volume=2, **hours)), "TR322")
    msg = declaratie(prestatie("RN-322-3", a.number, volume=3, **hours))
    assert refuses(msg, "TR322", at=first(msg))
    # A credit in the same message makes room.
    corrected = declaratie(
        prestatie(
            "RN-322-4", a.number, volume=8, period=february, previous="RN-322-1", dc="C", **hours
        ),
        prestatie("RN-322-5", a.number, volume=3, **hours),
    )
    assert accepts(corrected, "TR322")


@pytest.mark.iwmo_rule("TR369")
def test_tr369_sum_within_the_budget():
    a = assign(
        700401,
        product_code="",
        volume=None,
        unit="",
        frequency="",
        budget=10000,
        end_on=date(2025, 12, 31),
    )
    euro = {"unit": "83", "tariff": None}
    february = (date(2025, 2, 1), date(2025, 2, 28))
    declared(prestatie("RN-369-1", a.number, volume=8000, period=february, **euro), period=february)
    assert accepts(declaratie(prestatie("RN-369-2", a.number, volume=2000, **euro)), "TR369")
    msg = declaratie(prestatie("RN-369-3", a.number, volume=2001, **euro))
    assert refuses(msg, "TR369", at=first(msg))


@pytest.mark.iwmo_rule("TR323")
def test_tr323_credit_of_an_approved_debet():
    a = assign(700411)
    declared(prestatie("RN-323-1", a.number))
    declared(prestatie("RN-323-2", a.number), number="D2", refused={"RN-323-2": "9321"})
    april = (date(2025, 4, 1), date(2025, 4, 30))
    assert accepts(
        declaratie(
            prestatie("RN-323-3", a.number, previous="RN-323-1", dc="C"), number="D3", period=april
        ),
        "TR323",
    )
    refused_debet = declaratie(
        prestatie("RN-323-4", a.number, previous="RN-323-2", dc="C"), number="D3", period=april
    )
    assert refuses(refused_debet, "TR323", at=first(refused_debet))
    assert refuses(
        declaratie(
            prestatie("RN-323-5", a.number, previous="RN-0", dc="C"), number="D3", period=april
        ),
        "TR323",
    )


@pytest.mark.iwmo_rule("TR389")
def test_tr389_one_debet_per_product_period_until_it_is_credited():
    a = assign(700421)
    declared(prestatie("RN-389-1", a.number))
    april = (date(2025, 4, 1), date(2025, 4, 30))
    msg = declaratie(prestatie("RN-389-2", a.number), number="D2", period=april)
    assert refuses(msg, "TR389", at=first(msg))
    corrected = declaratie(
        prestatie("RN-389-3", a.number, previous="RN-389-1", dc="C"),
        prestatie("RN-389-4", a.number),
        number="D2",
        period=april,
    )
    assert accepts(corrected, "TR389")
    other_month = (date(2025, 2, 1), date(2025, 2, 28))
    assert accepts(
        declaratie(prestatie("RN-389-5", a.number, period=other_month), number="D2", period=april),
        "TR389",
    )


@pytest.mark.iwmo_rule("TR390")
def test_tr390_a_debet_is_credited_once():
    a = assign(700431)
    declared(prestatie("RN-390-1", a.number))
    april = (date(2025, 4, 1), date(2025, 4, 30))
    credit = {"previous": "RN-390-1", "dc": "C"}
    assert accepts(
        declaratie(prestatie("RN-390-2", a.number, **credit), number="D2", period=april), "TR390"
    )
    declared(prestatie("RN-390-2", a.number, **credit), number="D2", period=april)
    may = (date(2025, 5, 1), date(2025, 5, 31))
    msg = declaratie(prestatie("RN-390-3", a.number, **credit), number="D3", period=may)
    assert refuses(msg, "TR390", at=first(msg))


@pytest.mark.iwmo_rule("TR346")
def test_tr346_amount_is_volume_times_tariff():
    a = assign(700441, volume=3, unit="04", frequency="2")
    assert accepts(
        declaratie(prestatie("RN-346-1", a.number, unit="04", volume=2, tariff=6000)), "TR346"
    )
    msg = declaratie(
        prestatie("RN-346-2", a.number, unit="04", volume=2, tariff=6000, amount=12001)
    )
    assert refuses(msg, "TR346", at=first(msg))
    euro = declaratie(
        prestatie("RN-346-3", a.number, unit="83", tariff=None, volume=500, amount=500)
    )
    assert accepts(euro, "TR346")


def hourly_oa22(amount: str = "1000.00") -> None:
    """OA22 in hours at this contract tariff (per hour)."""
    Level.objects.filter(product_code="OA22").update(iwmo_unit="04")
    LevelPrice.objects.filter(level__product_code="OA22", kind="tariff").update(
        amount=Decimal(amount)
    )


@pytest.mark.iwmo_rule("TR346")
def test_tr346_minutes_on_an_hourly_contract_tariff():
    # 1000,00 an hour: 7 minutes = 1000,00 x 7 / 60 = 116,666.. -> 116,67 (Toelichting);
    # with the rounded tariff per minute (16,67) 7 x 16,67 = 116,69 is accepted too.
    hourly_oa22()
    a = assign(700442, volume=3, unit="04", frequency="2")
    minutes = {"unit": "01", "tariff": 1667, "volume": 7}
    assert accepts(declaratie(prestatie("RN-346-4", a.number, amount=11667, **minutes)), "TR346")
    assert accepts(declaratie(prestatie("RN-346-5", a.number, amount=11669, **minutes)), "TR346")
    msg = declaratie(prestatie("RN-346-6", a.number, amount=11668, **minutes))
    assert refuses(msg, "TR346", at=first(msg))


@pytest.mark.iwmo_rule("TR418")
def test_tr418_tariff_of_the_contract():
    a = assign(700451)
    assert accepts(declaratie(prestatie("RN-418-1", a.number)), "TR418")
    msg = declaratie(prestatie("RN-418-2", a.number, tariff=100000))
    assert refuses(msg, "TR418", at=first(msg))
    hourly_oa22()  # 1000,00 an hour: 16,67 a minute (IV081)
    assert accepts(declaratie(prestatie("RN-418-3", a.number, unit="01", tariff=1667)), "TR418")
    assert accepts(declaratie(prestatie("RN-418-4", a.number, unit="04", tariff=100000)), "TR418")
    assert refuses(declaratie(prestatie("RN-418-5", a.number, unit="01", tariff=1700)), "TR418")


# --- end to end: exchange.receive and the retour per class ------------------------------------


def decided():
    return flow.advance(
        flow.new_melding(question="Hulp bij structuur en administratie."), TrajectStatus.DECIDED
    )


def retour_codes(result) -> dict[str, list[str]]:
    """Class name -> retour codes of the answer to a received message."""
    obj = codec.parse(result.retour.xml)
    found: dict[str, list[str]] = {}
    for entry in retour.retour_codes_of(obj):
        found.setdefault(entry["class"], []).extend(entry["codes"])
    return found


def receive(obj):
    return exchange.receive(codec.build(obj), transport="portaal")


@pytest.mark.iwmo_rule("TR019")
def test_end_to_end_a_305_for_an_unknown_toewijzingnummer_gets_9019_on_the_startproduct():
    traject = decided()
    assignment = Assignment.objects.get(traject=traject)
    result = receive(start(assignment, begin=TODAY))
    assert result.message.accepted is True, result.message.violations
    assert retour_codes(result) == {}  # header only, no codes (IV028)
    wrong = start(assignment, begin=TODAY - timedelta(days=1))
    wrong.client.start_producten[0].toewijzing_nummer = 799999
    result = receive(wrong)
    assert result.message.accepted is False
    assert [v["code"] for v in result.message.violations] == ["TR019"]
    assert retour_codes(result) == {
        "Header": ["0200"],
        "Client": ["0200"],
        "StartProduct": ["9019"],
    }
    assert DeliveryReport.objects.filter(assignment_number=799999).count() == 0


@pytest.mark.iwmo_rule("TR326", "TR074")
def test_end_to_end_a_second_start_while_the_first_is_current():
    traject = decided()
    decisions.traject_start_record(
        traject=traject, actor=flow.user("kade.begeleider"), started_on=timezone.localdate()
    )
    assignment = Assignment.objects.get(traject=traject)
    assert DeliveryReport.objects.filter(assignment=assignment, kind="start").count() == 1
    result = receive(start(assignment, begin=TODAY - timedelta(days=1)))
    assert [v["code"] for v in result.message.violations] == ["TR326"]
    assert retour_codes(result)["StartProduct"] == ["9326"]
    again = receive(start(assignment, begin=TODAY))
    assert {v["code"] for v in again.message.violations} == {"TR074", "TR326"}
    assert sorted(retour_codes(again)["StartProduct"]) == ["9074", "9326"]


@pytest.mark.iwmo_rule("TR379")
def test_end_to_end_a_301_with_a_reference_of_no_request_gets_9379():
    traject = decided()
    assignment = Assignment.objects.get(traject=traject)
    assignment.provider_reference = "GEEN-VERZOEK"
    obj = messages.toewijzing(
        municipality=assignment.municipality,
        provider=assignment.provider,
        client=assignment.client,
        assignments=[assignment],
        identification=ident(),
        dated_on=TODAY,
    )
    result = receive(obj)
    assert result.message.side == Side.PROVIDER
    assert [v["code"] for v in result.message.violations] == ["TR379"]
    codes = retour_codes(result)
    assert codes["ToegewezenProduct"] == ["9379"]
    assert codes["Client"] == ["0200"]
    assert codes["Header"] == ["0200"]


@pytest.mark.iwmo_rule("TR355", "TR360", "TR365", "TR374", "TR347")
def test_end_to_end_requests_and_answers():
    traject = decided()
    werkverdeler, pa = flow.user("kade.werkverdeler"), flow.user("almere.pa")
    products = [
        {
            "category": "10",
            "code": "OA23",
            "start_on": TODAY + timedelta(days=30),
            "volume": 1,
            "unit": "82",
            "frequency": "4",
        }
    ]
    vot_row = services.request_assignment(traject=traject, actor=werkverdeler, products=products)
    assert vot_row.status == Message.Status.ANSWERED, vot_row.violations
    request_row = Request.objects.get(provider=traject.provider, bsn=traject.client.bsn)
    # The PA takes it into investigation: a 319 with 2, accepted by the provider's side.
    answer = services.request_answer(request=request_row, actor=pa, grant=False, investigate=True)
    assert answer.status == Message.Status.ANSWERED
    received_answer = Message.objects.get(side=Side.PROVIDER, direction="in", code="319")
    assert received_answer.accepted is True, received_answer.violations
    # A second "in onderzoek" for the same request is refused with 9360 on the Antwoord.
    result = receive(antwoord(request_row.provider_reference, "2"))
    assert [v["code"] for v in result.message.violations] == ["TR360"]
    assert retour_codes(result) == {"Header": ["0200"], "Antwoord": ["9360"]}
    # A request in hand: another VOT for the client is refused on the Client (9374); its
    # reference, already used, on the AangevraagdProduct (9347).
    again = vot(request_row.provider_reference, bsn=traject.client.bsn, code="OA23")
    result = receive(again)
    codes = retour_codes(result)
    assert codes["Client"] == ["9374"]
    assert codes["AangevraagdProduct"] == ["9347"]
    # An answer to a reference that was never asked: 9355.
    result = receive(antwoord("NOOIT-GEVRAAGD", "1"))
    assert retour_codes(result)["Antwoord"] == ["9355"]


@pytest.mark.iwmo_rule("TR314", "TR333", "TR338")
def test_end_to_end_declarations():
    a = assign(720001)
    good = declaratie(prestatie("E2E-1", a.number), number="E2E1")
    result = receive(good)
    assert result.message.violations == []  # the standard's rules pass
    # No start (305) was reported for the toewijzing: the billing check refuses the line.
    assert result.message.accepted is False
    assert retour_codes(result)["Prestatie"] == ["9063"]
    april = (date(2025, 4, 1), date(2025, 4, 30))
    repeated = declaratie(
        prestatie("E2E-1", a.number, period=april),
        prestatie("E2E-2", 799996, period=april),
        number="E2E1",
        period=april,
    )
    result = receive(repeated)
    found = {(v["code"], v["class"]) for v in result.message.violations}
    assert found == {("TR314", "Prestatie"), ("TR333", "Declaratie"), ("TR338", "Prestatie")}
    assert result.message.accepted is False
    assert result.retour.code == "325"
