"""Beheer of regions, municipalities, providers and accounts (ADR 0009 for who may do what)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.domain import Role
from openarrangementen.core.admin_site import (
    BEHEER_ROLES,
    NATIONAL,
    AccessibleInlineFormSet,
    RoleScopedAdmin,
    ScopedInline,
    beheer_region_ids,
)

from .forms import SignInProviderForm
from .models import (
    AccountRequest,
    Municipality,
    Provider,
    Region,
    RoleAssignment,
    SignInEvent,
    SignInProvider,
    User,
)
from .selectors import providers_only_in, users_managed_in

CONTRACTED = "contracts__lot__catalog_version__region"
FB = frozenset({Role.FUNCTIONEEL_BEHEERDER})


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
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "cbs_code"]


def may_change_provider(user, provider: Provider | None) -> bool:
    """Who changes a provider's data (name, AGB code, description shown to clients): the
    technical superuser, or the beheer of the region that registered it as long as no other
    region has contracted it. Providers are national, so one region's change would show in
    every other region's pages and exports (ADR 0009)."""
    if user.is_superuser:
        return True
    regions = beheer_region_ids(user, BEHEER_ROLES)
    if provider is None:
        return bool(regions)
    if provider.registered_by_id not in regions:
        return False
    # Contracted, in a partnership (as lead or subcontractor) or linked in another region:
    # then it is that region's provider too.
    used_elsewhere = (
        Region.objects.filter(
            Q(catalog_versions__lots__contracts__provider=provider)
            | Q(partnerships__lead_provider=provider)
            | Q(partnerships__members__provider=provider)
            | Q(iwmo_endpoints__provider=provider)
        )
        .exclude(pk__in=regions)
        .exists()
    )
    return not used_elsewhere


@admin.register(Provider)
class ProviderAdmin(RoleScopedAdmin):
    """Providers are national (one AGB code): every beheer role may read them all, to find one
    before contracting it; changes follow `may_change_provider`."""

    manage_roles = BEHEER_ROLES
    region_path = NATIONAL
    scoped_fields = {"registered_by": ""}
    list_display = ["name", "agb_code", "city", "is_nationally_contracted", "registered_by"]
    search_fields = ["name", "agb_code", "city"]

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or bool(self._roles(request) & self.manage_roles)

    def has_change_permission(self, request, obj=None) -> bool:
        if not (request.user.is_superuser or self._roles(request) & self.manage_roles):
            return False
        return may_change_provider(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        regions = sorted(beheer_region_ids(request.user, BEHEER_ROLES))
        if regions and not request.user.is_superuser:
            initial.setdefault("registered_by", regions[0])
        return initial

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and obj.registered_by_id is None:
            obj.registered_by_id = min(beheer_region_ids(request.user, BEHEER_ROLES))
        super().save_model(request, obj, form, change)


class RoleAssignmentFormSet(AccessibleInlineFormSet):
    """A beheerder gives only roles held in their own region(s): for the region, one of its
    municipalities, or a provider contracted only there. A role without an organisation
    (inwoner) is the installation's; it would hide the account from every region."""

    def clean(self) -> None:
        super().clean()
        if self.request.user.is_superuser:
            return
        regions = beheer_region_ids(self.request.user, FB)
        own_providers = set(providers_only_in(regions).values_list("pk", flat=True))
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed():
                continue
            region, municipality, provider = (
                data.get("region"), data.get("municipality"), data.get("provider"),
            )  # fmt: skip
            in_scope = (
                (region is not None and region.pk in regions)
                or (municipality is not None and municipality.region_id in regions)
                or (provider is not None and provider.pk in own_providers)
            )
            if not in_scope:
                raise ValidationError(
                    "U kunt alleen rollen toekennen binnen uw eigen regio: voor de regio, een "
                    "gemeente daarin of een aanbieder die alleen daar is gecontracteerd. "
                    "Vraag de technisch beheerder om een andere rol."
                )


class RoleAssignmentInline(ScopedInline):
    model = RoleAssignment
    fk_name = "user"
    formset = RoleAssignmentFormSet
    scoped_fields = {"region": "", "municipality": "region", "provider": CONTRACTED}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def limit_choices(self, request, db_field, queryset):
        if db_field.name == "provider" and not request.user.is_superuser:
            return queryset.filter(pk__in=providers_only_in(self.region_ids(request, FB)))
        return super().limit_choices(request, db_field, queryset)

    def _own_account(self, request, obj) -> bool:
        # Nobody changes their own roles in beheer: that is how one would widen them.
        return obj is not None and obj.pk == request.user.pk and not request.user.is_superuser

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._own_account(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._own_account(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._own_account(request, obj) and super().has_delete_permission(request, obj)


@admin.register(User)
class UserAdmin(RoleScopedAdmin, DjangoUserAdmin):
    """Accounts and their roles. A functioneel beheerder manages the accounts of their
    region(s) only (`accounts.selectors.users_managed_in`); never a superuser or staff
    account, and never the technical flags (superuser, staff, permissions)."""

    view_roles = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    region_path = "home_region"  # the list itself is `users_managed_in` (get_queryset)
    scoped_fields = {"home_region": ""}
    superuser_fields = frozenset({"is_superuser", "is_staff", "groups", "user_permissions"})
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]
    actions = ["unlock_sign_in", "reset_second_factor"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Regio", {"fields": ("home_region",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Regio", {"fields": ("home_region",)}),
    )

    def get_queryset(self, request):
        queryset = DjangoUserAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        regions = self.region_ids(request, FB)
        return queryset.filter(pk__in=users_managed_in(regions).values("pk"))

    def _manages_object(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        regions = self.region_ids(request, FB)
        return users_managed_in(regions).filter(pk=obj.pk).exists()

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and obj.home_region_id is None:
            obj.home_region_id = min(self.region_ids(request, FB))
        super().save_model(request, obj, form, change)

    # Issue #21: the queryset of an action is this admin's own list, so a functioneel
    # beheerder can act only on the accounts of their region(s).

    @admin.action(description="Inlogblokkade opheffen", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        from .lockout import unlock

        users = [u for u in queryset if self._manages_object(request, u)]
        for user in users:
            unlock(user=user, by=request.user, request=request)
        self.message_user(request, f"De inlogblokkade is opgeheven voor {len(users)} account(s).")

    @admin.action(
        description="Tweestapsverificatie opnieuw laten instellen", permissions=["change"]
    )
    def reset_second_factor(self, request, queryset):
        from .services import second_factor_reset

        users = [u for u in queryset if self._manages_object(request, u)]
        for user in users:
            second_factor_reset(user=user, by=request.user, request=request)
        self.message_user(
            request,
            f"{len(users)} account(s) stellen bij de volgende keer inloggen hun "
            "tweestapsverificatie opnieuw in.",
        )


class ReadOnly:
    """A record kept by the portal's own steps: shown in beheer, never added, changed or
    deleted there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnly, RoleScopedAdmin):
    """Read-only (issue #21): the sign-in events of the accounts the functioneel beheerder
    manages; a superuser sees every event, also those for unknown usernames."""

    view_roles = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    region_path = "user__home_region"
    list_display = ["at", "kind", "username", "ip_address", "by", "detail"]
    list_filter = ["kind"]
    search_fields = ["username"]
    date_hierarchy = "at"
    list_select_related = ["by"]
    readonly_fields = [f.name for f in SignInEvent._meta.fields]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        regions = self.region_ids(request, FB)
        return queryset.filter(user__in=users_managed_in(regions).values("pk"))


@admin.register(AccountRequest)
class AccountRequestAdmin(ReadOnly, RoleScopedAdmin):
    """Read-only: requests are made and decided in the portal, where the rules (four-eyes,
    decided once) are applied and the people involved are notified."""

    view_roles = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    region_path = "provider__" + CONTRACTED
    list_display = ["requested_at", "kind", "provider", "first_name", "last_name", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["first_name", "last_name", "email", "provider__name"]
    readonly_fields = [f.name for f in AccountRequest._meta.fields]


@admin.register(SignInProvider)
class SignInProviderAdmin(RoleScopedAdmin):
    """The OpenID Connect providers of a region (issue #21, ADR 0011), managed by its
    functioneel beheerder. The endpoints are fetched from the issuer when saved; the client
    secret is written, never shown again."""

    form = SignInProviderForm
    view_roles = FB
    manage_roles = FB
    region_path = "region"
    scoped_fields = {"region": "", "municipality": "region", "provider": CONTRACTED}
    list_display = ["name", "kind", "region", "municipality", "provider", "issuer", "is_active"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter), "kind", "is_active"]
    search_fields = ["name", "issuer"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["region", "kind", "name", "slug", "municipality", "provider"]}),
        ("Inlogdienst", {"fields": ["issuer", "client_id", "client_secret", "scopes", "claim"]}),
        (
            "Adressen (worden bij opslaan bij de issuer opgehaald als ze leeg zijn)",
            {
                "fields": [
                    "authorization_endpoint",
                    "token_endpoint",
                    "userinfo_endpoint",
                    "jwks_uri",
                ]
            },
        ),
        (None, {"fields": ["is_active"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a provider's address is always https
        return super().formfield_for_dbfield(db_field, request, **kwargs)
