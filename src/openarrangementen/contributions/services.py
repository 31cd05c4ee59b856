"""The CAK export of one period (audited) and the flat rates as reference data.

The file format is documented in docs/cak-export.md; change both together.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.core.audit import log_list
from openarrangementen.core.exports import csv_bytes

from .domain import CakPeriod
from .models import FlatRate
from .selectors import ContributionRow, contribution_rows_visible_to

CSV_COLUMNS = [
    "bsn",
    "naam",
    "gemeentecode",
    "cak_code",
    "productcode",
    "niveau",
    "ingangsdatum",
    "einddatum",
    "kostprijs_per_periode",
    "abonnementstarief_per_periode",
    "bijdrage_per_periode",
    "soort_mutatie",
    "periode",
]

# The amounts given in issue #6 (2026 is not). Migration 0002 holds a copy; this list serves
# `flat_rates_ensure`, e.g. after a transactional test emptied the database.
NATIONAL_FLAT_RATES: list[tuple[int, str, str]] = [
    (2019, "17.50", "4w"),
    (2020, "19.00", "month"),
    (2021, "19.00", "month"),
    (2022, "19.00", "month"),
    (2023, "19.00", "month"),
    (2024, "20.60", "month"),
    (2025, "21.00", "month"),
]


def national_flat_rate_source(year: int) -> str:
    return (
        f"Landelijk abonnementstarief Wmo {year} (Uitvoeringsbesluit Wmo 2015), bedrag zoals "
        "opgegeven in issue #6; controleer bij het CAK (hetcak.nl)."
    )


@transaction.atomic
def flat_rates_ensure() -> int:
    """Record the national rates of 2019-2025 where a year has none; never overwrites a
    rate the functioneel beheerder entered. Returns the number of rows added."""
    added = 0
    for year, amount, per in NATIONAL_FLAT_RATES:
        _, created = FlatRate.objects.get_or_create(
            year=year,
            defaults={
                "amount": Decimal(amount),
                "period": per,
                "source": national_flat_rate_source(year),
            },
        )
        added += created
    return added


def _amount(value: Decimal | None) -> str:
    """'21,00': decimal comma, no thousands separator; empty when unknown."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _day(value: date) -> str:
    return value.isoformat()


def csv_lines(rows: list[ContributionRow]) -> list[list[str]]:
    """One line per mutation (a client that starts and stops in one period gets two)."""
    lines = []
    for row in rows:
        for mutation in row.mutations:
            lines.append(
                [
                    row.client.bsn,
                    row.client.display_name,
                    row.municipality.cbs_code,
                    row.level.cak_code,
                    row.level.product_code,
                    row.level.name,
                    _day(row.starts_on),
                    _day(row.ends_on),
                    _amount(row.cost_price),
                    _amount(row.flat_rate),
                    _amount(row.contribution),
                    mutation.value,
                    row.period.code,
                ]
            )
    return lines


def render_csv(lines: list[list[str]]) -> bytes:
    """The CAK file; cells a spreadsheet would run as a formula are made text (ADR 0009)."""
    return csv_bytes(CSV_COLUMNS, lines)


@dataclass(frozen=True)
class ContributionExport:
    filename: str
    content: bytes
    line_count: int


def contribution_export(*, actor: User, period: CakPeriod, path: str = "") -> ContributionExport:
    """The period's mutations for the CAK as CSV, from what `actor` may see; every client in
    the file is written to the access log as exported."""
    rows = [row for row in contribution_rows_visible_to(actor, period) if row.mutations]
    lines = csv_lines(rows)
    log_list(
        actor=actor,
        action="export",
        objects=[row.client for row in rows],
        purpose=f"CAK-export bijdrage in de kosten {period.code}",
        path=path,
        roles=",".join(sorted(roles_of(actor))),
    )
    return ContributionExport(
        filename=f"cak-bijdrage-{period.code}.csv",
        content=render_csv(lines),
        line_count=len(lines),
    )
