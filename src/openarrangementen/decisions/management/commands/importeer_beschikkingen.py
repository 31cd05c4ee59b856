"""Take over running beschikkingen and their toewijzingen from another system (ADR 0014,
template: docs/import.md), or from a provider's archive of received WMO301s. All or
nothing per file; a second run of the same file changes
nothing. `--proef` checks the file and reports without writing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openarrangementen.accounts.models import User
from openarrangementen.decisions import takeover


class Command(BaseCommand):
    help = "Neem lopende beschikkingen en toewijzingen over uit een CSV- of Excel-bestand."

    def add_arguments(self, parser):
        parser.add_argument(
            "bestand",
            help="CSV (.csv) of Excel (.xlsx) volgens docs/import.md, of een archief met "
            "ontvangen WMO301-berichten (.zip of .xml)",
        )
        parser.add_argument(
            "--door",
            required=True,
            help="gebruikersnaam van de functioneel beheerder die de overname vastlegt",
        )
        parser.add_argument("--proef", action="store_true", help="alleen controleren")

    def handle(self, *args, bestand, door, proef, **options):
        user = User.objects.filter(username=door, is_active=True).first()
        if user is None:
            raise CommandError(f"Er is geen actieve gebruiker '{door}'.")
        path = Path(bestand)
        if not path.is_file():
            raise CommandError(f"Het bestand {path} bestaat niet.")
        try:
            result = takeover.run(path.name, path.read_bytes(), user=user, dry_run=proef)
        except takeover.ImportRefused as refused:
            for line in refused.errors:
                self.stderr.write(line)
            raise CommandError(
                f"Niets overgenomen: {len(refused.errors)} fout(en) in {path.name}."
            ) from None
        verb = "kunnen worden overgenomen" if proef else "overgenomen"
        self.stdout.write(
            f"{result.rows} regels gelezen: {result.imported} beschikkingen {verb} "
            f"({result.started} gestart, {result.clients_new} nieuwe inwoners); "
            f"{result.skipped} waren al overgenomen."
        )
        for note in result.notes:
            self.stdout.write(note)
