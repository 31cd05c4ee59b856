"""Make the test provider's clients and people. Idempotent."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from oidc_provider.models import Client, ResponseType, RSAKey

PASSWORD = "idp-test-2026"

# (client_id, secret, scopes it may ask)
CLIENTS = [
    ("oa-digid", "digid-secret-not-secret"),
    ("oa-almere", "almere-secret-not-secret"),
    ("oa-ander", "ander-secret-not-secret"),  # another relying party: its tokens are not ours
]


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--redirect", action="append", required=True)
        parser.add_argument("--person", action="append", default=[], help="username:email")

    def handle(self, *args, redirect, person, **options):
        if not RSAKey.objects.exists():
            from django.core.management import call_command

            call_command("creatersakey")
        code, _ = ResponseType.objects.get_or_create(
            value="code", defaults={"description": "code (Authorization Code Flow)"}
        )
        for client_id, secret in CLIENTS:
            client, _ = Client.objects.update_or_create(
                client_id=client_id,
                defaults={
                    "name": client_id,
                    "client_type": "confidential",
                    "client_secret": secret,
                    "jwt_alg": "RS256",
                    "require_consent": False,
                    "reuse_consent": True,
                    "_redirect_uris": "\n".join(redirect),
                },
            )
            client.response_types.set([code])
        for item in person:
            username, _, email = item.partition(":")
            user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
            user.set_password(PASSWORD)
            user.save()
