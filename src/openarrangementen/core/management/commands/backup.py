"""Back up the database: one consistent snapshot, with every table's row count beside it.
Run it from cron or the platform's scheduler; check it with scripts/restore-drill.sh."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openarrangementen.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Maak een back-up van de database (pg_dump) met de aantallen rijen per tabel."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="map voor de back-up")

    def handle(self, *args, directory, **options):
        try:
            dump, counts = backup(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{dump}\n{counts}")
