"""Reads about who a user is: roles, organisations, regions."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from .domain import Role
from .models import AccountRequest, Municipality, Provider, Region, RoleAssignment, User


def roles_of(user: User) -> set[Role]:
    if not user.is_authenticated:
        return set()
    return {Role(r) for r in user.role_assignments.values_list("role", flat=True)}


def role_assignments_of(user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("region", "municipality__region", "provider"))


def region_of(municipality_id: int) -> int:
    """The region of a municipality; all of them are read once per batch (`core.memo`: a
    few hundred rows, and a batch never moves a municipality)."""
    from openarrangementen.core.memo import once

    regions = once(
        ("municipality-regions",), lambda: dict(Municipality.objects.values_list("pk", "region_id"))
    )
    if municipality_id not in regions:  # added since the batch began
        regions[municipality_id] = Municipality.objects.values_list("region_id", flat=True).get(
            pk=municipality_id
        )
    return regions[municipality_id]


def municipalities_for(user: User, roles: frozenset[Role] | set[Role]) -> QuerySet[Municipality]:
    """Municipalities in which the user holds one of `roles` (directly or through the region)."""
    assignments = user.role_assignments.filter(role__in=[r.value for r in roles])
    return Municipality.objects.filter(
        Q(pk__in=assignments.values("municipality")) | Q(region__in=assignments.values("region"))
    ).distinct()


# Account requests (issue #4). None of these reads touch client data: a contact person sees
# their organisation's accounts, never its clients or trajects.


def providers_for(user: User, role: Role) -> QuerySet[Provider]:
    """Providers for which the user holds `role`."""
    return Provider.objects.filter(
        pk__in=user.role_assignments.filter(role=role.value).values("provider")
    )


def regions_managed_by(user: User) -> QuerySet[Region]:
    """Regions where the user is functioneel beheerder (a municipality scope counts for its
    region)."""
    assignments = user.role_assignments.filter(role=Role.FUNCTIONEEL_BEHEERDER.value)
    return Region.objects.filter(
        Q(pk__in=assignments.values("region"))
        | Q(pk__in=assignments.values("municipality__region"))
    )


def regions_of_provider(provider: Provider) -> QuerySet[Region]:
    """Regions where the provider has a contract for a lot of the region's catalog."""
    return Region.objects.filter(
        pk__in=Region.objects.filter(catalog_versions__lots__contracts__provider=provider).values(
            "pk"
        )
    )


def functional_managers_for(provider: Provider) -> QuerySet[User]:
    """Active functioneel beheerders who decide on the provider's account requests."""
    regions = regions_of_provider(provider)
    assignments = RoleAssignment.objects.filter(role=Role.FUNCTIONEEL_BEHEERDER.value).filter(
        Q(region__in=regions) | Q(municipality__region__in=regions)
    )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user"))


def account_request_list_visible_to(actor: User) -> QuerySet[AccountRequest]:
    """Requests a functioneel beheerder may see and decide: those of providers contracted in
    one of their regions. Anyone else gets none."""
    contracted = Provider.objects.filter(
        contracts__lot__catalog_version__region__in=regions_managed_by(actor)
    )
    return AccountRequest.objects.filter(provider__in=contracted).select_related(
        "provider", "requested_by", "decided_by", "account"
    )


def account_request_list_of(providers: QuerySet[Provider]) -> QuerySet[AccountRequest]:
    """The requests of the given providers, newest first (for their contact person)."""
    return AccountRequest.objects.filter(provider__in=providers).select_related(
        "provider", "requested_by", "decided_by", "account"
    )


def colleagues_of(provider: Provider) -> QuerySet[User]:
    """Users holding any role at the provider, with their assignments there prefetched as
    `provider_assignments`."""
    return (
        User.objects.filter(role_assignments__provider=provider)
        .distinct()
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(provider=provider),
                to_attr="provider_assignments",
            )
        )
        .order_by("last_name", "first_name", "username")
    )


def colleague_list_for(actor: User, providers: QuerySet[Provider]) -> QuerySet[User]:
    """Users with any role at one of `providers`, the actor excluded: whose revocation the
    actor, as contact person, may ask for."""
    return (
        User.objects.filter(role_assignments__provider__in=providers)
        .exclude(pk=actor.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# Beheer (ADR 0009): which accounts a region's functioneel beheerder manages.


def providers_only_in(region_ids) -> QuerySet[Provider]:
    """Providers contracted in these regions and in no other: a provider that also works
    for another region belongs to these regions' beheer only together with that region's,
    so neither alone manages its staff (ADR 0009)."""
    region_ids = list(region_ids)
    elsewhere = Provider.objects.filter(
        contracts__lot__catalog_version__region__in=Region.objects.exclude(pk__in=region_ids)
    )
    return Provider.objects.filter(contracts__lot__catalog_version__region__in=region_ids).exclude(
        pk__in=elsewhere.values("pk")
    )


def in_scope_of_regions(region_ids) -> Q:
    """Role assignments held in the regions alone: for the region, a municipality in it, or
    a provider contracted only there."""
    return (
        Q(region__in=region_ids)
        | Q(municipality__region__in=region_ids)
        | Q(provider__in=providers_only_in(region_ids).values("pk"))
    )


def users_managed_in(region_ids) -> QuerySet[User]:
    """Accounts that a functioneel beheerder of `region_ids` may see and change.

    - never a superuser or a staff (technical) account;
    - an account with roles, when every one of its roles is held in these regions (one role
      elsewhere makes it another region's account as well, and so not this region's alone);
    - an account without a role, when it belongs to one of these regions (`home_region`:
      the region that created it).
    """
    region_ids = list(region_ids)
    any_role = RoleAssignment.objects.filter(user=OuterRef("pk"))
    outside = any_role.exclude(in_scope_of_regions(region_ids))
    return User.objects.filter(is_superuser=False, is_staff=False).filter(
        (Exists(any_role) & ~Exists(outside)) | (~Exists(any_role) & Q(home_region__in=region_ids))
    )


def idle_timeout_minutes(user: User) -> int:
    """The idle time after which the user is signed out (issue #21): the shortest of the
    regions the user works for (a provider's staff: the regions it is contracted in); the
    default for an account without a region."""
    from .domain import IDLE_TIMEOUT_DEFAULT_MINUTES

    assignments = user.role_assignments.all()
    regions = Region.objects.filter(
        Q(pk__in=assignments.values("region"))
        | Q(pk__in=assignments.values("municipality__region"))
        | Q(catalog_versions__lots__contracts__provider__in=assignments.values("provider"))
    )
    shortest = min(regions.values_list("idle_timeout_minutes", flat=True).distinct(), default=None)
    return shortest or IDLE_TIMEOUT_DEFAULT_MINUTES
