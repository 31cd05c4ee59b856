from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from openarrangementen.accounts.domain import Role
from openarrangementen.core.admin_site import RoleScopedAdmin, ScopedInline, beheer_region_ids

from .models import AccountRequest, Municipality, Provider, Region, RoleAssignment, User

BOTH = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})


class MunicipalityInline(ScopedInline):
    model = Municipality


@admin.register(Region)
class RegionAdmin(RoleScopedAdmin):
    region_path = ""
    list_display = ["name", "slug", "max_coordination_fee_percent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MunicipalityInline]

    def has_add_permission(self, request, obj=None) -> bool:
        # A new region is an installation decision, not a regional one.
        return request.user.is_superuser


@admin.register(Municipality)
class MunicipalityAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = ["name", "cbs_code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "cbs_code"]


@admin.register(Provider)
class ProviderAdmin(RoleScopedAdmin):
    """Providers are national (one AGB code); contract managers and beheer both manage them."""

    manage_roles = BOTH
    list_display = ["name", "agb_code", "city", "is_nationally_contracted"]
    search_fields = ["name", "agb_code", "city"]


class RoleAssignmentInline(ScopedInline):
    model = RoleAssignment
    fk_name = "user"
    scoped_fields = {
        "region": "",
        "municipality": "region",
        "provider": "contracts__lot__catalog_version__region",
    }


@admin.register(User)
class UserAdmin(RoleScopedAdmin, DjangoUserAdmin):
    """Users and their roles. A functioneel beheerder sees the users of their region(s) and
    users without a role yet; technical flags (superuser, staff, permissions) are not theirs."""

    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]

    def get_queryset(self, request):
        queryset = DjangoUserAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        regions = beheer_region_ids(request.user, frozenset({Role.FUNCTIONEEL_BEHEERDER}))
        return queryset.filter(
            Q(role_assignments__region__in=regions)
            | Q(role_assignments__municipality__region__in=regions)
            | Q(role_assignments__provider__contracts__lot__catalog_version__region__in=regions)
            | Q(role_assignments__isnull=True)
        ).distinct()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        hidden = {"is_superuser", "is_staff", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]


@admin.register(AccountRequest)
class AccountRequestAdmin(RoleScopedAdmin):
    """Read-only: requests are made and decided in the portal, where the rules (four-eyes,
    decided once) are applied and the people involved are notified."""

    view_roles = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    region_path = "provider__contracts__lot__catalog_version__region"
    list_display = ["requested_at", "kind", "provider", "first_name", "last_name", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["first_name", "last_name", "email", "provider__name"]
    readonly_fields = [f.name for f in AccountRequest._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
