"""The national abonnementstarief 2019-2025 as given in issue #6. 2026 is not in the sources
and is deliberately absent: the page says so until the functioneel beheerder records it."""

from decimal import Decimal

from django.db import migrations

# A copy, not an import: a migration keeps the data of the day it was written.
RATES = [
    (2019, "17.50", "4w"),
    (2020, "19.00", "month"),
    (2021, "19.00", "month"),
    (2022, "19.00", "month"),
    (2023, "19.00", "month"),
    (2024, "20.60", "month"),
    (2025, "21.00", "month"),
]


def source(year):
    return (
        f"Landelijk abonnementstarief Wmo {year} (Uitvoeringsbesluit Wmo 2015), bedrag zoals "
        "opgegeven in issue #6; controleer bij het CAK (hetcak.nl)."
    )


def add_rates(apps, schema_editor):
    FlatRate = apps.get_model("contributions", "FlatRate")
    for year, amount, per in RATES:
        FlatRate.objects.get_or_create(
            year=year,
            defaults={"amount": Decimal(amount), "period": per, "source": source(year)},
        )


def remove_rates(apps, schema_editor):
    FlatRate = apps.get_model("contributions", "FlatRate")
    for year, amount, per in RATES:
        FlatRate.objects.filter(
            year=year, amount=Decimal(amount), period=per, source=source(year)
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_flat_rate")]

    operations = [migrations.RunPython(add_rates, remove_rates)]
