"""Who sees which messages, requests and assignments. Messages carry client data (BSN,
name, address), so every read of them goes through these selectors.

- Municipality: the PAs, collega-PAs and functioneel beheerders see their municipalities'
  side of the exchange (the FB also to repair links and resend).
- Provider: werkverdeler and administratie see their provider's side; a begeleider only
  the messages of trajects assigned to them (need to know).
"""

from django.db.models import Q, QuerySet

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Provider, User
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.cases.selectors import traject_list_visible_to

from .models import Message, Request, Side

MUNICIPALITY_ROLES = frozenset({Role.PROCESREGISSEUR, Role.COLLEGA_PA, Role.FUNCTIONEEL_BEHEERDER})
PROVIDER_ALL_ROLES = (Role.WERKVERDELER, Role.ADMINISTRATIE)


def message_list_visible_to(actor: User) -> QuerySet[Message]:
    """Only the branches that apply to this user's roles are in the condition, so the
    database can use the index of each (issue #14)."""
    if not actor.is_authenticated or not actor.is_active:
        return Message.objects.none()
    roles = roles_of(actor)
    visible = Q(pk__in=[])
    if roles & MUNICIPALITY_ROLES:
        visible |= Q(
            side=Side.MUNICIPALITY,
            municipality__in=list(
                municipalities_for(actor, MUNICIPALITY_ROLES).values_list("pk", flat=True)
            ),
        )
    if roles & set(PROVIDER_ALL_ROLES):
        providers_all = list(
            actor.role_assignments.filter(
                role__in=[r.value for r in PROVIDER_ALL_ROLES]
            ).values_list("provider", flat=True)
        )
        visible |= Q(side=Side.PROVIDER, provider__in=providers_all)
    if Role.BEGELEIDER in roles:
        visible |= Q(
            side=Side.PROVIDER,
            traject__in=traject_list_visible_to(actor=actor).values("pk"),
        )
    return Message.objects.filter(visible).select_related(
        "municipality", "provider", "client", "traject", "in_reply_to"
    )


def message_providers_for(actor: User) -> QuerySet[Provider]:
    """The providers this user exchanges messages with, for the log's filter: those
    contracted in the user's municipalities' regions, and the user's own organisation(s).
    (Not read from the messages: that would scan the whole log.)"""
    regions = municipalities_for(actor, MUNICIPALITY_ROLES).values("region")
    own = actor.role_assignments.exclude(provider=None).values("provider")
    return Provider.objects.filter(
        Q(pk__in=own)
        | Q(pk__in=Provider.objects.filter(contracts__lot__catalog_version__region__in=regions))
    ).order_by("name")


def message_get_visible_to(actor: User, pk: int) -> Message:
    """The message, or `Message.DoesNotExist` (the view answers 404)."""
    return message_list_visible_to(actor).get(pk=pk)


def request_list_visible_to(actor: User) -> QuerySet[Request]:
    """Requests (VOT/VOW): the municipality's PAs judge them; the provider's werkverdelers
    and administratie follow their own."""
    if not actor.is_authenticated or not actor.is_active:
        return Request.objects.none()
    roles = roles_of(actor)
    visible = Q(pk__in=[])
    if roles & MUNICIPALITY_ROLES:
        visible |= Q(municipality__in=municipalities_for(actor, MUNICIPALITY_ROLES))
    providers_all = actor.role_assignments.filter(
        role__in=[r.value for r in PROVIDER_ALL_ROLES]
    ).values("provider")
    visible |= Q(provider__in=providers_all)
    return Request.objects.filter(visible).select_related(
        "municipality", "provider", "client", "traject", "message", "answer"
    )


def attention_list(actor: User) -> QuerySet[Message]:
    """Messages that could not be delivered, for the functioneel beheerder."""
    if Role.FUNCTIONEEL_BEHEERDER not in roles_of(actor):
        return Message.objects.none()
    return message_list_visible_to(actor).filter(needs_attention=True)
