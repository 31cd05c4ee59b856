"""Remind providers of evaluations whose reminder date has come. Run daily (cron, or a
django-q2 schedule); running it twice on one day sends nothing new."""

from django.core.management.base import BaseCommand

from openarrangementen.delivery.services import evaluation_reminders_send


class Command(BaseCommand):
    help = "Stuur herinneringen voor evaluaties waarvan de herinneringsdatum is bereikt."

    def handle(self, *args, **options) -> None:
        sent = evaluation_reminders_send()
        self.stdout.write(f"{sent} herinnering(en) verstuurd.")
