"""Tell the PA when no start (WMO305) came within the region's start term after the
assignment. Idempotent: each assignment is signalled once. Run daily."""

from django.core.management.base import BaseCommand

from openarrangementen.iwmo.services import missing_starts_signal


class Command(BaseCommand):
    help = "Signaleer toewijzingen zonder startbericht na de starttermijn."

    def handle(self, *args, **options):
        count = missing_starts_signal()
        self.stdout.write(f"{count} toewijzing(en) zonder start gesignaleerd.")
