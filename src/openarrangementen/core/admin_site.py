"""The beheer (admin) site: open to superusers and to the municipality's beheer roles.

Which models a role may manage, and in which region, is decided per ModelAdmin by
`RoleScopedAdmin`; Django's per-model permissions are not used for these roles.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet

from openarrangementen.accounts.domain import Role

BEHEER_ROLES = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})


def beheer_roles_of(user) -> set[Role]:
    if not (user.is_active and user.is_authenticated):
        return set()
    return {
        Role(r)
        for r in user.role_assignments.filter(role__in=[r.value for r in BEHEER_ROLES]).values_list(
            "role", flat=True
        )
    }


def beheer_region_ids(user, roles: frozenset[Role]) -> set[int]:
    """Regions where the user holds one of `roles` (a municipality role counts for its region)."""
    ids: set[int] = set()
    for region_id, municipality_region_id in user.role_assignments.filter(
        role__in=[r.value for r in roles]
    ).values_list("region_id", "municipality__region_id"):
        ids.add(region_id or municipality_region_id)
    ids.discard(None)
    return ids


def in_regions(queryset: QuerySet, region_path: str, region_ids: set[int]) -> QuerySet:
    """Rows of `queryset` that belong to `region_ids`; `region_path` leads from the model to
    its Region ("" when the model is the Region itself)."""
    lookup = f"{region_path}__in" if region_path else "pk__in"
    return queryset.filter(**{lookup: region_ids}).distinct()


class OpenArrangementenAdminSite(admin.AdminSite):
    site_header = "Open Arrangementen – beheer"
    site_title = "Beheer"
    index_title = "Beheer van catalogus, organisaties en gebruikers"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or bool(beheer_roles_of(user)))


class OpenArrangementenAdminConfig(AdminConfig):
    default_site = "openarrangementen.core.admin_site.OpenArrangementenAdminSite"


class RoleScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin that the given roles may manage, limited to their own region(s).

    `region_path` is the lookup from the model to its Region ("" for the Region itself,
    None for data without a region, such as providers).
    """

    manage_roles: frozenset[Role] = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    view_roles: frozenset[Role] = BEHEER_ROLES
    region_path: str | None = None

    def _roles(self, request) -> set[Role]:
        if not hasattr(request, "_beheer_roles"):
            request._beheer_roles = beheer_roles_of(request.user)
        return request._beheer_roles

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or bool(self._roles(request) & self.view_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def _may_manage(self, request) -> bool:
        return request.user.is_superuser or bool(self._roles(request) & self.manage_roles)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_manage(request)

    def region_ids(self, request) -> set[int]:
        return beheer_region_ids(request.user, BEHEER_ROLES)

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or self.region_path is None:
            return queryset
        return in_regions(queryset, self.region_path, self.region_ids(request))

    # Foreign keys and many-to-many choices are limited to the user's regions as well.
    scoped_fields: dict[str, str] = {}

    def _limit(self, request, db_field, kwargs) -> None:
        if request.user.is_superuser or db_field.name not in self.scoped_fields:
            return
        kwargs["queryset"] = in_regions(
            db_field.related_model.objects.all(),
            self.scoped_fields[db_field.name],
            self.region_ids(request),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AccessibleInlineFormSet(BaseInlineFormSet):
    """Tabular inlines show labels only in the column header; give every input its own
    accessible name (WCAG 1.3.1 / 4.1.2), including the delete checkbox."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        row = f"rij {index + 1}" if index is not None else "nieuwe rij"
        for name, field in form.fields.items():
            label = "Verwijderen" if name == "DELETE" else str(field.label)
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{label} ({row})"


class ScopedInline(admin.TabularInline):
    """An inline that follows the permissions of its parent RoleScopedAdmin."""

    extra = 0
    formset = AccessibleInlineFormSet
    scoped_fields: dict[str, str] = {}

    def _parent(self) -> RoleScopedAdmin:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None) -> bool:
        return self._parent().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._parent().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._parent().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._parent().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.name in self.scoped_fields:
            kwargs["queryset"] = in_regions(
                db_field.related_model.objects.all(),
                self.scoped_fields[db_field.name],
                beheer_region_ids(request.user, BEHEER_ROLES),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
