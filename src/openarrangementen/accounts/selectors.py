"""Reads about who a user is: roles, organisations, regions."""

from django.db.models import Q, QuerySet

from .domain import Role
from .models import Municipality, RoleAssignment, User


def roles_of(user: User) -> set[Role]:
    if not user.is_authenticated:
        return set()
    return {Role(r) for r in user.role_assignments.values_list("role", flat=True)}


def role_assignments_of(user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("region", "municipality__region", "provider"))


def municipalities_for(user: User, roles: frozenset[Role] | set[Role]) -> QuerySet[Municipality]:
    """Municipalities in which the user holds one of `roles` (directly or through the region)."""
    assignments = user.role_assignments.filter(role__in=[r.value for r in roles])
    return Municipality.objects.filter(
        Q(pk__in=assignments.values("municipality")) | Q(region__in=assignments.values("region"))
    ).distinct()
