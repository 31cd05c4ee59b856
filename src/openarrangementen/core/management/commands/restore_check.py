"""Compare this database with the row counts recorded when a back-up was made (used by
scripts/restore-drill.sh after restoring into a throw-away cluster)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openarrangementen.core.backup import compare_counts


class Command(BaseCommand):
    help = "Vergelijk de aantallen rijen met die van een back-up (.counts.json)."

    def add_arguments(self, parser):
        parser.add_argument("counts", help="het .counts.json-bestand van de back-up")

    def handle(self, *args, counts, **options):
        problems = compare_counts(Path(counts))
        if problems:
            raise CommandError("De teruggezette database wijkt af:\n" + "\n".join(problems))
        tables = len(json.loads(Path(counts).read_text()))
        self.stdout.write(f"Alle {tables} tabellen hebben evenveel rijen als bij de back-up.")
