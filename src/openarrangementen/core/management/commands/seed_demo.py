from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openarrangementen.accounts.models import User
from openarrangementen.core.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Laad de demo: drie regionale catalogi, aanbieders, contracten, gebruikers, inwoners."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Ook laden als DEBUG uit staat (nooit op een echte productieomgeving).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "De demo zet accounts met een bekend wachtwoord klaar; dat gebeurt alleen met "
                "DEBUG aan. Gebruik --allow-production als u zeker weet wat u doet."
            )
        logins = seed_demo()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@demo.invalid", DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS(f"Demo geladen: {len(logins)} demo-accounts."))
        self.stdout.write(f"Wachtwoord voor alle demo-accounts: {DEMO_PASSWORD}")
        for username, role, organisation in logins:
            self.stdout.write(f"  {username:32} {role:24} {organisation}")
