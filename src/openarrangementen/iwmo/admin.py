"""Beheer of the links to providers (transport, folder, URL, tokens), per region (ADR 0009).
Messages themselves are read on the message log pages, which go through the visibility
selector.

Only a functioneel beheerder of the link's region manages it, and only for providers
contracted in that region. Tokens are shown once, when issued; a new HTTP link gets both at
once. Every change is in the audit log and is told to the region's other beheerders."""

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import RoleAssignment, User
from openarrangementen.accounts.selectors import regions_managed_by
from openarrangementen.core.admin_site import RoleScopedAdmin
from openarrangementen.core.notifications import notify

from .links import issue_incoming_token, issue_outgoing_token
from .models import Endpoint

FB = frozenset({Role.FUNCTIONEEL_BEHEERDER})


def _other_beheerders(endpoint: Endpoint, actor) -> list:
    """The region's other functioneel beheerders, told of every change to a link."""
    assignments = RoleAssignment.objects.filter(role=Role.FUNCTIONEEL_BEHEERDER).filter(
        Q(region=endpoint.region_id) | Q(municipality__region=endpoint.region_id)
    )
    return list(
        User.objects.filter(is_active=True, pk__in=assignments.values("user")).exclude(pk=actor.pk)
    )


def _tell(endpoint: Endpoint, actor, what: str) -> None:
    notify(
        recipients=_other_beheerders(endpoint, actor),
        subject=f"iWmo-koppeling {what}: {endpoint.provider}",
        text=(
            f"{actor} heeft de iWmo-koppeling van {endpoint.provider} in {endpoint.region} "
            f"{what} (transport: {endpoint.get_transport_display()}). Was dit niet de "
            "bedoeling? Controleer de koppeling in beheer."
        ),
        url=reverse("admin:iwmo_endpoint_change", args=[endpoint.pk]) if endpoint.pk else "",
    )


@admin.register(Endpoint)
class EndpointAdmin(RoleScopedAdmin):
    view_roles = FB
    manage_roles = FB
    region_path = "region"
    scoped_fields = {
        "region": "",
        "provider": "contracts__lot__catalog_version__region",
        "service_user": "role_assignments__provider__contracts__lot__catalog_version__region",
    }
    list_display = ["provider", "region", "transport", "folder", "url", "has_token", "has_ours"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter), "transport"]
    fields = [
        "region",
        "provider",
        "transport",
        "folder",
        "url",
        "service_user",
        "token_issued_at",
        "outgoing_token_issued_at",
    ]
    readonly_fields = ["token_issued_at", "outgoing_token_issued_at"]
    actions = ["new_token", "new_outgoing_token"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        region = regions_managed_by(request.user).order_by("pk").first()
        if region is not None:
            initial.setdefault("region", region.pk)
        return initial

    @admin.display(boolean=True, description="token van de aanbieder uitgegeven")
    def has_token(self, obj: Endpoint) -> bool:
        return bool(obj.token_digest)

    @admin.display(boolean=True, description="token naar de aanbieder uitgegeven")
    def has_ours(self, obj: Endpoint) -> bool:
        return bool(obj.outgoing_token_salt)

    def _show(self, request, text: str) -> None:
        self.message_user(request, f"{text} (wordt niet opnieuw getoond).", messages.WARNING)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.transport == Endpoint.Transport.HTTP:
            self._show(
                request,
                f"Token voor de software van {obj.provider}: {issue_incoming_token(obj)}",
            )
            self._show(
                request,
                f"Token dat wij naar {obj.provider} meesturen: {issue_outgoing_token(obj)}",
            )
        _tell(obj, request.user, "gewijzigd" if change else "aangemaakt")

    def delete_model(self, request, obj):
        _tell(obj, request.user, "verwijderd")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            _tell(endpoint, request.user, "verwijderd")
        super().delete_queryset(request, queryset)

    @admin.action(description="Nieuw token voor de software van de aanbieder")
    def new_token(self, request, queryset):
        for endpoint in queryset:
            token = issue_incoming_token(endpoint)
            self._show(request, f"Token voor de software van {endpoint.provider}: {token}")
            _tell(endpoint, request.user, "een nieuw token van de aanbieder gegeven")

    @admin.action(description="Nieuw token dat wij naar de aanbieder meesturen")
    def new_outgoing_token(self, request, queryset):
        for endpoint in queryset:
            token = issue_outgoing_token(endpoint)
            self._show(request, f"Token dat wij naar {endpoint.provider} meesturen: {token}")
            _tell(endpoint, request.user, "een nieuw token naar de aanbieder gegeven")
