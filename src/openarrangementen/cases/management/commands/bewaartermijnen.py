"""Anonymise what has passed its retention period (ADR 0013); the worker runs the same
daily (*bewaartermijnen*). `--proef` reports what would happen without changing anything."""

from django.core.management.base import BaseCommand

from openarrangementen.cases import retention
from openarrangementen.cases.domain import STATUS_LABELS, TrajectStatus


class Command(BaseCommand):
    help = "Anonimiseer trajecten en inwoners waarvan de bewaartermijn voorbij is."

    def add_arguments(self, parser):
        parser.add_argument(
            "--proef", action="store_true", help="alleen tellen wat zou gebeuren, niets wijzigen"
        )
        parser.add_argument(
            "--per-keer",
            type=int,
            default=retention.BATCH,
            help="trajecten per transactie (standaard 1000)",
        )

    def handle(self, *args, proef, per_keer, **options):
        for label, length, source in retention.periods_described():
            self.stdout.write(f"{label}: {length} ({source})")
        report = retention.run(dry_run=proef, batch=max(1, per_keer))
        verb = "zou anonimiseren" if proef else "geanonimiseerd"
        for status, count in sorted(report.trajects.items()):
            self.stdout.write(f"{STATUS_LABELS[TrajectStatus(status)]}: {count} trajecten {verb}")
        for label, count in sorted(report.kept.items()):
            self.stdout.write(f"Bewaard wegens {label}: {count} trajecten")
        self.stdout.write(f"Inwoners {verb}: {report.clients}")
        if not proef:
            self.stdout.write(
                f"Rijen gewijzigd: {report.rows}; auditregels verwijderd: {report.audit_entries}"
            )
