"""Recompute every traject's stored next deadline and report the drift (issue #14).

It also reports trajects whose municipality is not their client's (the work lists'
deadline filters rely on it, ADR 0010 §9). Run after the migration that adds the columns,
and whenever data was changed outside the services (a restore, a manual fix). `--check`
reports without changing anything and exits with status 1 when anything drifted, for
monitoring."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from openarrangementen.cases.deadlines import refresh
from openarrangementen.cases.models import Traject


class Command(BaseCommand):
    help = "Herbereken de eerstvolgende termijn van alle trajecten en meld afwijkingen."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="alleen melden, niets wijzigen")

    def handle(self, *args, check, **options):
        drifted = refresh(Traject.objects.all(), check_only=check)
        total = Traject.objects.count()
        # The work lists narrow deadlines by the traject's municipality, which is the
        # client's (ADR 0010 §9); a traject elsewhere would be missing from a filter.
        moved = Traject.objects.exclude(municipality=F("client__municipality")).count()
        if moved:
            raise CommandError(
                f"{moved} trajecten horen bij een andere gemeente dan hun inwoner; "
                "de termijnfilters van de werklijst missen die. Herstel de gemeente."
            )
        if check and drifted:
            raise CommandError(f"{drifted} van {total} trajecten wijken af; draai zonder --check.")
        verb = "wijken af" if check else "bijgewerkt"
        self.stdout.write(f"{total} trajecten gecontroleerd, {drifted} {verb}.")
