"""The contribution page and its CSV: one test per role and action, the access log, the file."""

from datetime import UTC, date, datetime

from django.urls import reverse

import pytest
import time_machine

from openarrangementen.accounts.models import User
from openarrangementen.cases.tests import flow
from openarrangementen.contributions.demo import flat_rates_demo_load
from openarrangementen.contributions.models import FlatRate
from openarrangementen.contributions.services import CSV_COLUMNS
from openarrangementen.core.models import AccessLog

from .support import level_change, supported_from

pytestmark = pytest.mark.usefixtures("demo")

PAGE = reverse("portal:cak-contributions")
CSV = reverse("portal:cak-contributions-csv")


def get(client, username: str, path: str, **params):
    client.force_login(flow.user(username))
    return client.get(path, params)


def csv_rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    return [line.split(";") for line in text.strip().split("\r\n")]


def test_the_pa_sees_the_mutations_and_contributions_of_the_period(client):
    supported_from(date(2025, 3, 14))
    page = get(client, "almere.pa", PAGE, periode="2025-04").text
    assert "Bijdrage in de kosten (CAK)" in page
    assert "April 2025" in page
    assert "L. Verbeek" in page
    assert "Start" in page
    assert "€ 205,83" in page
    assert "€ 21,00" in page
    assert "Download CSV" in page
    assert "Abonnementstarieven" in page
    assert "€ 17,50" in page
    assert "per 4 weken" in page


def test_the_default_period_is_the_previous_month(client):
    supported_from(date(2025, 3, 14))
    with time_machine.travel(datetime(2025, 5, 10, 10, tzinfo=UTC)):
        page = get(client, "almere.pa", PAGE).text
    assert "April 2025" in page
    assert '<option value="2025-04" selected>' in page


def test_a_year_without_a_rate_is_named_on_the_page(client):
    supported_from(date(2025, 3, 14))
    FlatRate.objects.filter(year=2025).delete()
    page = get(client, "almere.pa", PAGE, periode="2025-05").text
    assert "Voor 2025 is geen abonnementstarief vastgelegd" in page
    assert "Voor 2024 is geen" not in get(client, "almere.pa", PAGE, periode="2024-05").text


def test_the_csv_lists_the_mutations_with_the_documented_columns(client):
    old = supported_from(date(2025, 3, 14))
    level_change(old, on=date(2025, 6, 10), level="N3")
    verbeek = old.client
    header, *lines = csv_rows(get(client, "almere.pa", CSV, periode="2025-07"))
    assert header == CSV_COLUMNS
    n3 = flow.level("N3")
    assert lines == [
        [
            verbeek.bsn,
            "L. Verbeek",
            "0034",
            n3.cak_code,
            n3.product_code,
            n3.name,
            "2025-07-01",
            "2026-06-30",  # the end of the month in which support ends
            "357,50",
            "21,00",
            "21,00",
            "wijziging",
            "2025-07",
        ]
    ]
    response = get(client, "almere.pa", CSV, periode="2025-04")
    assert response["Content-Disposition"] == 'attachment; filename="cak-bijdrage-2025-04.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [line[11] for line in csv_rows(response)[1:]] == ["start"]
    assert csv_rows(get(client, "almere.pa", CSV, periode="2025-05")) == [CSV_COLUMNS]


def test_page_view_and_download_are_written_to_the_access_log(client):
    traject = supported_from(date(2025, 3, 14))
    get(client, "almere.pa", PAGE, periode="2025-04")
    logged = AccessLog.objects.filter(actor__username="almere.pa").latest("pk")
    assert (logged.action, logged.object_type, logged.client_ids, logged.purpose) == (
        "list",
        "clients.Client",
        [traject.client_id],  # one row per page naming every client (issue #14)
        "Bijdrage in de kosten (CAK) 2025-04",
    )
    get(client, "almere.pa", CSV, periode="2025-04")
    logged = AccessLog.objects.filter(actor__username="almere.pa").latest("pk")
    assert (logged.action, logged.client_ids, logged.purpose) == (
        "export",
        [traject.client_id],
        "CAK-export bijdrage in de kosten 2025-04",
    )
    assert "procesregisseur" in logged.actor_roles


@pytest.mark.parametrize(
    "username", ["kade.werkverdeler", "kade.administratie", "almere.wijkwerker"]
)
def test_provider_staff_and_wijkwerkers_get_no_page(client, username):
    supported_from(date(2025, 3, 14))
    assert get(client, username, PAGE, periode="2025-04").status_code == 404
    assert get(client, username, CSV, periode="2025-04").status_code == 404


def test_another_municipalitys_pa_does_not_see_the_client(client):
    supported_from(date(2025, 3, 14))
    response = get(client, "mlw.pa", PAGE, periode="2025-04")
    assert response.status_code == 200
    assert "Verbeek" not in response.text
    assert "Geen mutaties in deze periode." in response.text
    assert csv_rows(get(client, "mlw.pa", CSV, periode="2025-04")) == [CSV_COLUMNS]


@pytest.mark.parametrize("username", ["almere.beheerder", "almere.contractmanager"])
def test_beheer_roles_see_the_rates_but_no_clients(client, username):
    supported_from(date(2025, 3, 14))
    before = AccessLog.objects.count()
    page = get(client, username, PAGE, periode="2025-04").text
    assert "Abonnementstarieven" in page
    assert "Verbeek" not in page
    assert "Download CSV" not in page
    assert AccessLog.objects.count() == before
    assert get(client, username, CSV, periode="2025-04").status_code == 404
    assert ("Abonnementstarieven beheren" in page) is (username == "almere.beheerder")


def test_an_unknown_period_is_refused(client):
    page = get(client, "almere.pa", PAGE, periode="2025-13").text
    assert "Kies een periode uit de lijst." in page
    assert get(client, "almere.pa", CSV, periode="1990-01").status_code == 404


def test_the_national_rates_are_kept_by_the_installation_and_read_in_the_regions(client):
    """One rate for every region: a region's beheerder changing it would change another
    region's contributions (issue #13, ADR 0009)."""
    changelist = reverse("admin:contributions_flatrate_changelist")
    add = reverse("admin:contributions_flatrate_add")
    for username in ["almere.beheerder", "almere.contractmanager"]:
        assert get(client, username, changelist).status_code == 200
        assert get(client, username, add).status_code == 403
    root = User.objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(root)
    assert client.get(add).status_code == 200


def test_the_demo_loader_adds_a_marked_2026_rate_once():
    FlatRate.objects.filter(year__gte=2024).delete()
    flat_rates_demo_load()
    flat_rates_demo_load()
    demo = FlatRate.objects.get(year=2026)
    assert demo.is_demo_value
    assert "niet in de bronnen" in demo.source
    assert FlatRate.objects.get(year=2025).is_demo_value is False
    assert FlatRate.objects.filter(year__gte=2019).count() == 8
