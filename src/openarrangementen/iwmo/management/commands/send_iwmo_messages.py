"""Send the outgoing iWmo messages that are due (new ones and retries with backoff). Run it
from cron or as a django-q2 schedule every minute."""

from django.core.management.base import BaseCommand

from openarrangementen.iwmo.exchange import dispatch_pending
from openarrangementen.iwmo.models import Message


class Command(BaseCommand):
    help = "Verstuur de iWmo-berichten die klaarstaan (en probeer mislukte opnieuw)."

    def handle(self, *args, **options):
        count = dispatch_pending()
        flagged = Message.objects.filter(needs_attention=True).count()
        self.stdout.write(f"{count} bericht(en) aangeboden; {flagged} vragen aandacht.")
