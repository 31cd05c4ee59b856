"""Beheer of the links to providers (transport, folder, URL, tokens). Messages themselves
are read on the message log pages, which go through the visibility selector."""

import secrets

from django.contrib import admin, messages

from openarrangementen.core.admin_site import RoleScopedAdmin

from .api import token_digest
from .models import Endpoint


@admin.register(Endpoint)
class EndpointAdmin(RoleScopedAdmin):
    list_display = ["provider", "transport", "folder", "url", "has_token"]
    list_filter = ["transport"]
    fields = ["provider", "transport", "folder", "url", "outgoing_token", "service_user"]
    autocomplete_fields = []
    actions = ["new_token"]

    @admin.display(boolean=True, description="token van de aanbieder ingesteld")
    def has_token(self, obj: Endpoint) -> bool:
        return bool(obj.token_digest)

    @admin.action(description="Nieuw token voor de software van de aanbieder")
    def new_token(self, request, queryset):
        for endpoint in queryset:
            token = secrets.token_urlsafe(32)
            endpoint.token_digest = token_digest(token)
            endpoint.save(update_fields=["token_digest", "updated_at"])
            # Shown once; only its SHA-256 is stored.
            self.message_user(
                request,
                f"Token voor {endpoint.provider}: {token} (wordt niet opnieuw getoond).",
                messages.WARNING,
            )
