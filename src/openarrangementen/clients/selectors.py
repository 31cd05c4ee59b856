"""The one way to query client data: what is visible to this user (SPEC §7, STYLE §9).

Every view, export and task gets clients through `client_list_visible_to` or
`client_get_visible_to`. One condition per line, so coverage shows each branch.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.core.audit import log_access, log_refusal

from .models import Client


def client_list_visible_to(*, actor: User) -> QuerySet[Client]:
    """Clients this user may see; an empty queryset for anyone without a reason to.

    - municipality staff who work with client files: clients of their municipalities;
    - an inwoner: themselves;
    - provider staff: none. They read what the client consented to share through the
      trajects handed to their organisation (`cases.selectors`, `delivery.selectors`);
    - contract managers and functioneel beheerders: none (they configure, they need no files);
    - superusers are not exempt: technical administration is not a reason to read files.
    """
    if not actor.is_authenticated or not actor.is_active:
        return Client.objects.none()
    roles = roles_of(actor)
    condition = Q(pk__in=[])
    if roles & MUNICIPALITY_CLIENT_ROLES:
        # As a list of ids: the planner sees the few values and can use the indexes.
        ids = list(
            municipalities_for(actor, MUNICIPALITY_CLIENT_ROLES).values_list("pk", flat=True)
        )
        condition |= Q(municipality__in=ids)
    if Role.INWONER in roles:
        condition |= inwoner_condition(actor)
    # Fictitious clients of a provider's practice environment are never real files.
    return Client.objects.filter(condition, practice_provider__isnull=True).select_related(
        "municipality", "household"
    )


def client_get_visible_to(*, actor: User, pk: int, purpose: str, path: str = "") -> Client:
    """One client, if visible; the read is written to the access log. 404 otherwise."""
    try:
        client = client_list_visible_to(actor=actor).get(pk=pk)
    except Client.DoesNotExist as exc:
        log_refusal(
            actor=actor,
            model=Client,
            object_id=pk,
            client_lookup="pk",
            purpose=purpose,
            path=path,
            roles=",".join(sorted(roles_of(actor))),
        )
        raise Http404("Deze inwoner bestaat niet of u heeft geen toegang.") from exc
    log_access(
        actor=actor,
        action="view",
        objects=[client],
        purpose=purpose,
        path=path,
        roles=",".join(sorted(roles_of(actor))),
    )
    return client


def household_members_visible_to(*, actor: User, client: Client) -> QuerySet[Client]:
    """The other members of the client's household that this user may also see."""
    if client.household_id is None:
        return Client.objects.none()
    return (
        client_list_visible_to(actor=actor)
        .filter(household_id=client.household_id)
        .exclude(pk=client.pk)
    )


def inwoner_condition(actor: User, prefix: str = "") -> Q:
    """The clients an inwoner sees: their own file, and, when they signed in as a legal
    representative and picked whom they act for (`accounts.views.acting_for`), that
    person's, as long as the representation is recorded on that person (ADR 0011).
    `prefix` is the lookup from another model to its client ("client__")."""
    from .models import Representative

    condition = Q(**{f"{prefix}user": actor})
    acting = getattr(actor, "acting_for_client_id", None)
    if acting:
        represented = Representative.objects.filter(
            user=actor, client_id=acting, kind=Representative.Kind.LEGAL
        ).values("client_id")
        condition |= Q(**{f"{prefix}pk__in": represented})
    return condition


def clients_represented_by(*, actor: User) -> QuerySet[Client]:
    """The people a legal representative may act for: the representations recorded on
    them, linked to this account at its DigiD sign-in (ADR 0011). Names only are shown (the
    choice on `accounts.views.acting_for`); the file itself is read through
    `client_list_visible_to` once a choice is made."""
    from .models import Representative

    return Client.objects.filter(
        pk__in=Representative.objects.filter(user=actor, kind=Representative.Kind.LEGAL).values(
            "client_id"
        ),
        practice_provider__isnull=True,
    ).order_by("family_name", "pk")
