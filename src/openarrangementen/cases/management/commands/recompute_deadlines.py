"""Recompute every traject's stored next deadline and report the drift (issue #14).

Run after the migration that adds the columns, and whenever data was changed outside the
services (a restore, a manual fix). `--check` reports without changing anything and exits
with status 1 when anything drifted, for monitoring."""

from django.core.management.base import BaseCommand, CommandError

from openarrangementen.cases.deadlines import refresh
from openarrangementen.cases.models import Traject


class Command(BaseCommand):
    help = "Herbereken de eerstvolgende termijn van alle trajecten en meld afwijkingen."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="alleen melden, niets wijzigen")

    def handle(self, *args, check, **options):
        drifted = refresh(Traject.objects.all(), check_only=check)
        total = Traject.objects.count()
        if check and drifted:
            raise CommandError(f"{drifted} van {total} trajecten wijken af; draai zonder --check.")
        verb = "wijken af" if check else "bijgewerkt"
        self.stdout.write(f"{total} trajecten gecontroleerd, {drifted} {verb}.")
