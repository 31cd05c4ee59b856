"""Taking over running beschikkingen from another system (issue #23, seed 004 §11): a
municipality's file of running arrangements becomes trajects the provider works on and
declares, the municipality checks and pays; bad rows are refused with a Dutch error each
and nothing is written; the same file twice changes nothing."""

from datetime import date
from io import BytesIO, StringIO

from django.core.management import CommandError, call_command

import pytest
import time_machine
from auditlog.models import LogEntry

from openarrangementen.billing import services as billing
from openarrangementen.billing.models import Line
from openarrangementen.cases.models import Traject
from openarrangementen.cases.selectors import traject_list_visible_to
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.core.demo import demo_bsn
from openarrangementen.decisions.models import Beschikking
from openarrangementen.delivery import services as delivery
from openarrangementen.iwmo import codec, schemas
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side

pytestmark = pytest.mark.usefixtures("demo")
TODAY = date(2026, 6, 3)
HEADER = (
    "gemeente;bsn;voorletters;voorvoegsel;achternaam;geboortedatum;geslacht;straat;"
    "huisnummer;postcode;woonplaats;beschikkingnummer;besluitdatum;arrangement;niveau;"
    "ingangsdatum;einddatum;aanbieder;toewijzingnummer;startdatum"
)


def line(n: int, **changes) -> str:
    values = {
        "gemeente": "0034",
        "bsn": demo_bsn(500 + n),
        "voorletters": "H.",
        "voorvoegsel": "de",
        "achternaam": f"Vries{n}",
        "geboortedatum": "12-04-1961",
        "geslacht": "1",
        "straat": "Stadhuisplein",
        "huisnummer": "7",
        "postcode": "1315 HR",
        "woonplaats": "Almere",
        "beschikkingnummer": f"OUD-2026-{n:04d}",
        "besluitdatum": "20-02-2026",
        "arrangement": "2",
        "niveau": "N2",
        "ingangsdatum": "01-03-2026",
        "einddatum": "28-02-2027",
        "aanbieder": "75000101",  # De Kade Begeleiding, contracted for lot 2
        "toewijzingnummer": str(800000 + n),
        "startdatum": "02-03-2026",
    }
    values.update(changes)
    return ";".join(values[c] for c in HEADER.split(";"))


def csv_file(tmp_path, *lines: str, name: str = "overname.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def take_over(path, by: str = "almere.beheerder", *extra: str) -> str:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("importeer_beschikkingen", str(path), "--door", by, *extra, stdout=out)
    return out.getvalue()


def refused(path, by: str = "almere.beheerder") -> str:
    err = StringIO()
    with time_machine.travel(TODAY, tick=False), pytest.raises(CommandError) as caught:
        call_command("importeer_beschikkingen", str(path), "--door", by, stderr=err)
    return f"{caught.value}\n{err.getvalue()}"


def test_running_beschikkingen_are_taken_over_and_the_provider_can_declare_them(tmp_path):
    path = csv_file(tmp_path, line(1), line(2, startdatum=""))
    out = take_over(path)
    assert "2 regels gelezen: 2 beschikkingen overgenomen (1 gestart, 2 nieuwe inwoners)" in out

    started = Beschikking.objects.get(number="OUD-2026-0001")
    assert started.is_final
    assert (started.start_on, started.end_on) == (date(2026, 3, 1), date(2027, 2, 28))
    assert (started.level.code, started.provider.agb_code) == ("N2", "75000101")
    traject = started.traject
    assert traject.status == "lopend"
    assert traject.started_on == date(2026, 3, 2)
    assert traject.channel == Traject.Channel.TAKEOVER
    assert traject.client.family_name == "Vries1"
    assert traject.client.municipality.cbs_code == "0034"
    # The change log says who brought the inwoner and the traject in, and from which file.
    for made in (traject.client, traject):
        entry = LogEntry.objects.get_for_object(made).get()
        assert entry.actor.username == "almere.beheerder"
        assert entry.changes_text == "overgenomen uit overname.csv"
    waiting = Beschikking.objects.get(number="OUD-2026-0002").traject
    assert (waiting.status, waiting.started_on) == ("beschikt", None)
    # The toewijzing keeps the number the provider knows, and its 301 is a valid message.
    assignment = Assignment.objects.get(traject=traject)
    assert assignment.number == 800001
    assert assignment.last_message.code == "301"
    assert schemas.validate("301", codec.parse_xml(assignment.last_message.xml)) == []
    start = DeliveryReport.objects.get(assignment=assignment)
    assert (start.kind, start.begin_on) == ("start", date(2026, 3, 2))
    assert schemas.validate("305", codec.parse_xml(start.message.xml)) == []
    assert not DeliveryReport.objects.filter(assignment__traject=waiting).exists()

    # The provider sees both trajects ...
    visible = traject_list_visible_to(actor=flow.user("kade.werkverdeler"))
    assert {traject.pk, waiting.pk} <= set(visible.values_list("pk", flat=True))
    # ... and declares March to May for the started one; the municipality approves it.
    with time_machine.travel(TODAY, tick=False):
        result = billing.billing_run(
            user=flow.user("kade.administratie"),
            provider=traject.provider,
            municipality=traject.municipality,
            month=date(2026, 5, 1),
        )
    mine = Line.objects.filter(side=Side.MUNICIPALITY, assignment=assignment)
    assert sorted(line.period_begin.month for line in mine) == [3, 4, 5]
    assert set(mine.values_list("status", flat=True)) == {Line.Status.APPROVED}
    assert result.message.status != Message.Status.REJECTED

    # The provider stops the support; the municipality's checks accept the 307 against the
    # 301 and the 305 that were taken over.
    with time_machine.travel(TODAY, tick=False):
        delivery.support_stop(
            traject=traject,
            actor=flow.user("kade.werkverdeler"),
            stopped_on=date(2026, 5, 31),
            reason_code="02",
            explanation="Doelen bereikt.",
        )
    stop = DeliveryReport.objects.get(assignment=assignment, kind="stop")
    assert stop.end_on == date(2026, 5, 31)
    assert Traject.objects.get(pk=traject.pk).status == "beeindigd"

    # The same file again changes nothing.
    counts = (Traject.objects.count(), Client.objects.count(), Message.objects.count())
    again = take_over(path)
    assert "0 beschikkingen overgenomen" in again
    assert "2 waren al overgenomen" in again
    assert (Traject.objects.count(), Client.objects.count(), Message.objects.count()) == counts


def test_an_inwoner_already_known_is_used_as_they_are(tmp_path):
    known = flow.verbeek()
    take_over(csv_file(tmp_path, line(3, bsn=known.bsn, achternaam="Anders")))
    traject = Beschikking.objects.get(number="OUD-2026-0003").traject
    assert traject.client == known
    assert Client.objects.get(pk=known.pk).family_name == "Verbeek"


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path):
    path = csv_file(
        tmp_path,
        line(4),
        line(5, bsn="123456789"),
        line(6, niveau="N9"),
        line(7, einddatum="31-05-2026"),
        line(8, aanbieder="75000104"),  # Zintuig Nederland: lot 5 only
        line(9, beschikkingnummer="OUD-2026-0004"),
        line(10, startdatum="01-02-2026", geboortedatum="1961-13-01"),
    )
    before = (Traject.objects.count(), Client.objects.count(), Assignment.objects.count())
    report = refused(path)
    assert "Niets overgenomen: 7 fout(en) in overname.csv." in report
    assert "Rij 3: kolom 'bsn':" in report  # row 1 is the header
    assert "Rij 4: arrangement '2' niveau 'N9' staat niet in de catalogus" in report
    assert "Rij 5: de beschikking liep af op 31-05-2026" in report
    assert "Rij 6: Zintuig Nederland heeft op 01-03-2026 geen contract" in report
    assert "Rij 7: beschikking OUD-2026-0004 staat ook op rij 2." in report
    assert "Rij 8: kolom 'geboortedatum': '1961-13-01' is geen datum" in report
    assert "Rij 8: de startdatum ligt buiten de looptijd van de beschikking." in report
    assert "Rij 2" not in report  # the good row has no error
    after = (Traject.objects.count(), Client.objects.count(), Assignment.objects.count())
    assert after == before


def test_a_leidse_regio_arrangement_of_modules_is_refused_for_now(tmp_path):
    leiden = line(17, gemeente="0546", arrangement="S1", niveau="SPF-1", aanbieder="75000301")
    report = refused(csv_file(tmp_path, leiden), by="leiden.beheerder")
    assert (
        "Rij 2: Arrangement Volwassenen (herstelgericht) bestaat uit modules per leefgebied; "
        "zulke arrangementen kunnen nog niet worden overgenomen." in report
    )


def test_a_toewijzing_number_in_use_is_refused(tmp_path):
    take_over(csv_file(tmp_path, line(11)))
    report = refused(csv_file(tmp_path, line(12, toewijzingnummer="800011"), name="b.csv"))
    assert "Rij 2: toewijzing 800011 is in Almere al in gebruik." in report


def test_only_a_functioneel_beheerder_of_the_municipality_may_take_over(tmp_path):
    report = refused(csv_file(tmp_path, line(13)), by="almere.pa")
    assert "u bent geen functioneel beheerder van Almere" in report
    report = refused(csv_file(tmp_path, line(14)), by="mlw.beheerder")
    assert "u bent geen functioneel beheerder van Almere" in report


def test_a_file_without_a_required_column_is_refused(tmp_path):
    path = tmp_path / "zonder.csv"
    path.write_text(HEADER.replace("bsn;", "") + "\n0034\n", encoding="utf-8")
    assert "De kolom 'bsn' ontbreekt." in refused(path)
    path = tmp_path / "brief.pdf"
    path.write_bytes(b"%PDF")
    assert "Kies een CSV- of Excel-bestand" in refused(path)


def test_an_excel_file_with_date_cells_is_taken_over_too(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    row = line(15).split(";")
    for column in ("geboortedatum", "besluitdatum", "ingangsdatum", "einddatum", "startdatum"):
        i = HEADER.split(";").index(column)
        d, m, y = row[i].split("-")
        row[i] = date(int(y), int(m), int(d))
    row[HEADER.split(";").index("toewijzingnummer")] = 800015  # a number cell
    sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    path = tmp_path / "overname.xlsx"
    path.write_bytes(buffer.getvalue())
    assert "1 beschikkingen overgenomen" in take_over(path)
    beschikking = Beschikking.objects.get(number="OUD-2026-0015")
    assert beschikking.start_on == date(2026, 3, 1)
    assert beschikking.assignments.get().number == 800015


def test_the_proef_checks_without_writing(tmp_path):
    out = take_over(csv_file(tmp_path, line(16)), "almere.beheerder", "--proef")
    assert "1 beschikkingen kunnen worden overgenomen" in out
    assert not Beschikking.objects.filter(number="OUD-2026-0016").exists()


# --- a provider's archive of received WMO301s (and the 305s it sent) -------------------------


def example(code: str) -> str:
    from django.conf import settings

    return (settings.IWMO_SCHEMA_DIR / "examples" / f"WMO{code}.xml").read_text("utf-8")


def wmo301(number: int, *, begins: str, ends: str, assigned: str, reason: str = "") -> str:
    """The standard's own example 301, from Almere to De Kade, with one toewijzing for
    Almere's arrangement 2 level N2 (product 10 OA22)."""
    xml = example("301")
    xml = xml.replace("<wmo301:Afzender>0384<", "<wmo301:Afzender>0034<")
    xml = xml.replace("<wmo301:Ontvanger>42420001<", "<wmo301:Ontvanger>75000101<")
    xml = xml.replace("<iwmo:Categorie>01</iwmo:Categorie>", "<iwmo:Categorie>10</iwmo:Categorie>")
    xml = xml.replace("<iwmo:Code>01A01</iwmo:Code>", "<iwmo:Code>OA22</iwmo:Code>")
    xml = xml.replace("<wmo301:ToewijzingNummer>101<", f"<wmo301:ToewijzingNummer>{number}<")
    xml = xml.replace(
        "<wmo301:Toewijzingsdatum>2023-08-13<", f"<wmo301:Toewijzingsdatum>{assigned}<"
    )
    xml = xml.replace("<wmo301:Ingangsdatum>2023-01-01<", f"<wmo301:Ingangsdatum>{begins}<")
    end = f"<wmo301:Einddatum>{ends}</wmo301:Einddatum>" if ends else ""
    xml = xml.replace("<wmo301:Einddatum>2023-12-31</wmo301:Einddatum>", end)
    if reason:
        xml = xml.replace(
            "<wmo301:Omvang>",
            f"<wmo301:RedenWijziging>{reason}</wmo301:RedenWijziging><wmo301:Omvang>",
        )
    return xml


def wmo305(number: int, begins: str) -> str:
    xml = example("305")
    xml = xml.replace("<wmo305:Afzender>65656055<", "<wmo305:Afzender>75000101<")
    xml = xml.replace("<wmo305:Ontvanger>0363<", "<wmo305:Ontvanger>0034<")
    xml = xml.replace("<wmo305:ToewijzingNummer>300201<", f"<wmo305:ToewijzingNummer>{number}<")
    xml = xml.replace("<wmo305:Begindatum>2025-04-03<", f"<wmo305:Begindatum>{begins}<")
    xml = xml.replace(
        "<wmo305:ToewijzingIngangsdatum>2025-04-01<", "<wmo305:ToewijzingIngangsdatum>2026-03-01<"
    )
    return xml


def archive(tmp_path, files: dict[str, str]):
    import zipfile

    path = tmp_path / "ontvangen-301.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        for name, xml in files.items():
            zipped.writestr(name, xml)
    return path


def test_a_providers_archive_of_301s_is_taken_over_in_its_latest_state(tmp_path):
    path = archive(
        tmp_path,
        {
            "2026/a.xml": wmo301(
                900101, begins="2026-03-01", ends="2027-02-28", assigned="2026-02-20"
            ),
            # A later 301 shortened it (RedenWijziging 05): that state is the one that counts.
            "2026/b.xml": wmo301(
                900101, begins="2026-03-01", ends="2026-12-31", assigned="2026-04-01", reason="05"
            ),
            "2026/c.xml": wmo301(
                900102, begins="2025-03-01", ends="2026-05-31", assigned="2025-02-20"
            ),
            "2026/d.xml": wmo301(900103, begins="2026-03-01", ends="", assigned="2026-02-20"),
            "2026/start.xml": wmo305(900101, "2026-03-02"),
            "leesmij.txt": "niet van belang",
        },
    )
    out = take_over(path)
    assert "1 beschikkingen overgenomen (1 gestart, 1 nieuwe inwoners)" in out
    assert "1 toewijzingen waren al afgelopen en zijn niet overgenomen." in out
    assert "1 toewijzingen hebben geen einddatum" in out
    assignment = Assignment.objects.get(number=900101)
    assert (assignment.start_on, assignment.end_on) == (date(2026, 3, 1), date(2026, 12, 31))
    assert (assignment.product_category, assignment.product_code) == ("10", "OA22")
    traject = assignment.traject
    assert traject.status == "lopend"
    assert traject.started_on == date(2026, 3, 2)
    assert traject.client.bsn == "999900006"
    assert traject.client.family_name == "Wit"
    assert traject.client.postcode == "9999 XX"
    beschikking = Beschikking.objects.get(traject=traject)
    assert beschikking.number == "0034-TW900101"
    assert (beschikking.level.arrangement.code, beschikking.level.code) == ("2", "N2")
    assert beschikking.decided_on == date(2026, 4, 1)
    # Again: nothing new.
    assert "1 waren al overgenomen" in take_over(path)
    assert Assignment.objects.filter(number=900101).count() == 1


def test_a_damaged_or_invalid_message_in_the_archive_stops_the_take_over(tmp_path):
    broken = wmo301(900201, begins="2026-03-01", ends="2027-02-28", assigned="2026-02-20")
    invalid = broken.replace("<wmo301:Bsn>999900006</wmo301:Bsn>", "<wmo301:Bsn>12</wmo301:Bsn>")
    path = archive(
        tmp_path,
        {
            "goed.xml": broken,
            "kapot.xml": "<wmo301:Bericht",
            "ongeldig.xml": invalid.replace("900201", "900202"),
        },
    )
    report = refused(path)
    assert "Bestand kapot.xml: Het bericht is geen geldige XML" in report
    assert "Bestand ongeldig.xml: voldoet niet aan het XSD" in report
    assert not Assignment.objects.filter(number__in=[900201, 900202]).exists()
