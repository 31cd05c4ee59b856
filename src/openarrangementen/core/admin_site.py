"""The beheer (admin) site: open to superusers and to the municipality's beheer roles.

Which models a role may manage, and in which region, is decided per ModelAdmin by
`RoleScopedAdmin`; Django's per-model permissions are not used for these roles (a beheer
role holds none, so a plain `ModelAdmin` is for the technical superuser only).

Every `RoleScopedAdmin` says, explicitly, where its rows belong (ADR 0009):

- `region_path`: the lookup from the model to its Region ("" for the Region itself), or
  `NATIONAL` for data that is the same for every region (read by beheer roles, changed only
  by the technical superuser unless the admin decides otherwise);
- for every foreign key and many-to-many field in its form, either `scoped_fields` (the
  choices are limited to the user's regions through the given lookup) or `national_fields`
  (the choices are deliberately national, such as providers for a contract). A relation field
  that is declared in neither offers no choices at all to a beheer role (fail closed), and
  `manage.py check` reports it.
"""

from collections import Counter

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import NestedObjects
from django.core import checks
from django.db import router
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet

from openarrangementen.accounts.domain import Role

BEHEER_ROLES = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})


class _National:
    """Marker for `region_path`: the rows belong to no region (national data)."""

    def __repr__(self) -> str:
        return "NATIONAL"


NATIONAL = _National()
_UNSET = object()


def beheer_roles_of(user) -> set[Role]:
    if not (user.is_active and user.is_authenticated):
        return set()
    return {
        Role(r)
        for r in user.role_assignments.filter(role__in=[r.value for r in BEHEER_ROLES]).values_list(
            "role", flat=True
        )
    }


def beheer_region_ids(user, roles: frozenset[Role] = BEHEER_ROLES) -> set[int]:
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
    its Region ("" when the model is the Region itself). The one helper for region scoping
    in beheer: lists, objects, choices and actions all go through it."""
    lookup = f"{region_path}__in" if region_path else "pk__in"
    return queryset.filter(pk__in=queryset.model._default_manager.filter(**{lookup: region_ids}))


class OpenArrangementenAdminSite(admin.AdminSite):
    site_header = "Open Arrangementen – beheer"
    site_title = "Beheer"
    index_title = "Beheer van catalogus, organisaties en gebruikers"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or bool(beheer_roles_of(user)))


class OpenArrangementenAdminConfig(AdminConfig):
    default_site = "openarrangementen.core.admin_site.OpenArrangementenAdminSite"


def _relation_fields(admin_obj) -> list[str]:
    """The editable foreign key and many-to-many fields that the admin's form shows."""
    model = admin_obj.model
    declared = admin_obj.fields
    if declared is None and admin_obj.fieldsets:
        declared = [f for _, opts in admin_obj.fieldsets for f in opts["fields"]]
    excluded = set(admin_obj.exclude or ()) | set(admin_obj.readonly_fields or ())
    fk_name = getattr(admin_obj, "fk_name", None)
    names = []
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and field.editable):
            continue
        if not (field.many_to_one or field.many_to_many or field.one_to_one):
            continue
        if field.name in excluded or (declared is not None and field.name not in declared):
            continue
        if isinstance(admin_obj, admin.options.InlineModelAdmin) and (
            field.name == fk_name
            or (fk_name is None and field.related_model is admin_obj.parent_model)
        ):
            continue
        names.append(field.name)
    return names


class ScopedChoices:
    """Limits the choices of relation fields to the user's regions; fails closed."""

    scoped_fields: dict[str, str] = {}
    national_fields: frozenset[str] = frozenset()
    # Fields only the technical superuser sets (removed from the form for beheer roles).
    superuser_fields: frozenset[str] = frozenset()

    def region_ids(self, request, roles: frozenset[Role] = BEHEER_ROLES) -> set[int]:
        """Regions where the user holds one of `roles`: a role's regions are never used for
        another role's rights (FB in A and CM in B manages A's links, not B's)."""
        cache = request.__dict__.setdefault("_beheer_region_ids", {})
        if roles not in cache:
            cache[roles] = beheer_region_ids(request.user, roles)
        return cache[roles]

    def choice_roles(self) -> frozenset[Role]:
        """The roles whose regions the choices come from: those that may change the row."""
        return self.manage_roles

    def limit_choices(self, request, db_field, queryset: QuerySet) -> QuerySet:
        """The choices for `db_field` that a beheer role may pick."""
        if request.user.is_superuser or db_field.name in self.national_fields:
            return queryset
        if db_field.name in self.scoped_fields:
            regions = self.region_ids(request, self.choice_roles())
            return in_regions(queryset, self.scoped_fields[db_field.name], regions)
        return queryset.none()  # not declared: nothing to choose, rather than everything

    def _limit(self, request, db_field, kwargs) -> None:
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = self.limit_choices(request, db_field, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        undeclared = [
            name
            for name in _relation_fields(self)
            if name not in self.scoped_fields
            and name not in self.national_fields
            and name not in self.superuser_fields
        ]
        if undeclared:
            errors.append(
                checks.Error(
                    f"{type(self).__name__}: the choices of {', '.join(undeclared)} are not "
                    "region-scoped; declare them in scoped_fields or national_fields.",
                    obj=type(self),
                    id="openarrangementen.E001",
                )
            )
        return errors


class RoleScopedAdmin(ScopedChoices, admin.ModelAdmin):
    """A ModelAdmin that the given roles may manage, limited to their own region(s).

    `region_path` must be set: the lookup from the model to its Region ("" for the Region
    itself), or `NATIONAL` for data without a region. National data is read by the
    `view_roles` and changed only by the technical superuser, unless an admin overrides
    `may_manage_object`.
    """

    manage_roles: frozenset[Role] = frozenset({Role.FUNCTIONEEL_BEHEERDER})
    view_roles: frozenset[Role] = BEHEER_ROLES
    region_path = _UNSET

    def _roles(self, request) -> set[Role]:
        if not hasattr(request, "_beheer_roles"):
            request._beheer_roles = beheer_roles_of(request.user)
        return request._beheer_roles

    @property
    def is_national(self) -> bool:
        return self.region_path is NATIONAL

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or bool(self._roles(request) & self.view_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def _may_manage(self, request) -> bool:
        if request.user.is_superuser:
            return True
        if self.is_national:
            return False
        return bool(self._roles(request) & self.manage_roles)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_manage(request)

    def _manages_object(self, request, obj) -> bool:
        """The object lies in a region where the user holds a managing role."""
        if obj is None or request.user.is_superuser or self.is_national:
            return True
        regions = self.region_ids(request, self.manage_roles)
        one = self.model._default_manager.filter(pk=obj.pk)
        return in_regions(one, self.region_path, regions).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_manage(request) and self._manages_object(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_manage(request) and self._manages_object(request, obj)

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or self.is_national:
            return queryset
        return in_regions(queryset, self.region_path, self.region_ids(request, self.view_roles))

    def get_deleted_objects(self, objs, request):
        """What a delete would take along, as counts for beheer roles: the list would name
        inwoners and other personal data that beheer never shows (ADR 0009)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if request.user.is_superuser:
            return deleted, model_count, perms_needed, protected
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(list(objs))
        counts = Counter(obj._meta.verbose_name_plural for obj in collector.protected)
        protected = [f"{count} {name}" for name, count in sorted(counts.items())]
        summary = [str(obj) for obj in objs] + [
            f"{count} {name}" for name, count in sorted(model_count.items())
        ]
        return summary, model_count, perms_needed, protected

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or not self.superuser_fields:
            return fieldsets
        hidden = self.superuser_fields
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.region_path is _UNSET:
            errors.append(
                checks.Error(
                    f"{type(self).__name__} does not say where its rows belong: set "
                    "region_path to a lookup of the Region, or to NATIONAL.",
                    obj=type(self),
                    id="openarrangementen.E002",
                )
            )
        return errors


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


class ScopedInline(ScopedChoices, admin.TabularInline):
    """An inline that follows the permissions of its parent RoleScopedAdmin."""

    extra = 0
    formset = AccessibleInlineFormSet

    def _parent(self) -> RoleScopedAdmin:
        return self.admin_site._registry[self.parent_model]

    def choice_roles(self) -> frozenset[Role]:
        return self._parent().manage_roles

    def has_view_permission(self, request, obj=None) -> bool:
        return self._parent().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._parent().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._parent().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._parent().has_delete_permission(request, obj)
