"""The one way to query trajects: what is visible to this user, and their deadlines.

A traject carries client data, so its visibility follows `clients.selectors`: municipality
staff see the trajects of clients they may see; an inwoner sees their own; a provider's
staff see only trajects handed to their organisation with the client's consent.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.clients.selectors import client_list_visible_to
from openarrangementen.core.audit import log_access, log_refusal
from openarrangementen.core.selectors import equated_holiday_dates

from .domain import (
    CLOSED,
    INVOICEABLE,
    LEGAL_RULES,
    WITH_PROVIDER_ORG,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Event,
    Suspension,
    TermRule,
    TermUnit,
    deadline_for,
    next_deadline,
)
from .models import DeadlineRule, Traject

PROVIDER_ROLES = frozenset({Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE})
# Roles that open the provider portal (a subcontractor's employee only by delegation).
PORTAL_PROVIDER_ROLES = PROVIDER_ROLES | {Role.ONDERAANNEMER}


def at_risk_working_days() -> int:
    """How many working days before a deadline it counts as at risk (setting)."""
    return settings.TRAJECT_AT_RISK_WORKING_DAYS


def traject_list_visible_to(*, actor: User, practice: bool = False) -> QuerySet[Traject]:
    """Trajects this user may see; empty for anyone without a reason to.

    - municipality staff who work with client files: trajects of clients they may see;
    - an inwoner: their own;
    - a provider's staff, only for trajects handed to their organisation while the client's
      consent is in force (the contact person gets no client data by being one, SPEC §2):
      the werkverdeler sees all of them (to distribute the work), a begeleider only those
      assigned to them, the administratie those with a beschikking (to invoice);
    - a subcontractor's employee: a traject the hoofdaanbieder delegated to them by name,
      while the delegation, the consent and the region's policy allow it;
    - superusers are not exempt.

    `practice` switches to the provider's practice environment: fictitious trajects only,
    never mixed with real ones. Municipality staff and inwoners never see practice trajects.
    """
    # Imported here: `plans` and `delivery` build on `cases`.
    from openarrangementen.delivery.models import Delegation
    from openarrangementen.plans.models import Consent

    if not actor.is_authenticated or not actor.is_active:
        return Traject.objects.none()
    roles = roles_of(actor)
    condition = Q(pk__in=[])
    if roles & (MUNICIPALITY_CLIENT_ROLES | {Role.INWONER}) and not practice:
        condition |= Q(client__in=client_list_visible_to(actor=actor))
    consent = Consent.objects.filter(
        traject=OuterRef("pk"),
        provider=OuterRef("provider"),
        is_given=True,
        withdrawn_on__isnull=True,
    )
    handed = Q(Exists(consent), handed_to_provider_on__isnull=False)

    def at_provider(role: Role) -> QuerySet:
        return actor.role_assignments.filter(role=role.value).values("provider")

    if Role.WERKVERDELER in roles:
        condition |= handed & Q(provider__in=at_provider(Role.WERKVERDELER))
    if Role.BEGELEIDER in roles:
        condition |= handed & Q(provider__in=at_provider(Role.BEGELEIDER), professional=actor)
    if Role.ADMINISTRATIE in roles:
        condition |= (
            handed
            & Q(provider__in=at_provider(Role.ADMINISTRATIE))
            & Q(status__in=[s.value for s in INVOICEABLE])
        )
    if Role.ONDERAANNEMER in roles:
        delegated = Delegation.objects.filter(
            traject=OuterRef("pk"), delegate=actor, revoked_at__isnull=True
        )
        condition |= (
            handed
            & Q(Exists(delegated))
            & Q(municipality__region__delivery_policy__delegation_allowed=True)
            & Q(status__in=[s.value for s in WITH_PROVIDER_ORG])
        )
    return Traject.objects.filter(condition, is_practice=practice).select_related(
        "client", "municipality__region", "provider", "professional"
    )


def traject_get_visible_to(
    *, actor: User, pk: int, purpose: str, path: str = "", practice: bool = False
) -> Traject:
    """One traject, if visible; the read is written to the access log. 404 otherwise."""
    try:
        traject = traject_list_visible_to(actor=actor, practice=practice).get(pk=pk)
    except Traject.DoesNotExist as exc:
        log_refusal(
            actor=actor,
            model=Traject,
            object_id=pk,
            purpose=purpose,
            path=path,
            roles=",".join(sorted(roles_of(actor))),
        )
        raise Http404("Dit traject bestaat niet of u heeft geen toegang.") from exc
    log_access(
        actor=actor,
        action="view",
        objects=[traject],
        purpose=purpose,
        path=path,
        roles=",".join(sorted(roles_of(actor))),
    )
    return traject


def term_rules_for(region_id: int) -> list[TermRule]:
    """The legal terms plus the region's own agreements."""
    rules = list(LEGAL_RULES)
    for row in DeadlineRule.objects.filter(region_id=region_id):
        rules.append(
            TermRule(DeadlineKind(row.kind), row.amount, TermUnit(row.unit), applies_atw=False)
        )
    return rules


def _events(traject: Traject) -> dict[Event, date | None]:
    return {event: getattr(traject, event.value) for event in Event}


def deadlines_of(
    traject: Traject,
    *,
    today: date,
    rules: list[TermRule] | None = None,
    extra_holidays: frozenset[date] | None = None,
) -> list[Deadline]:
    """Every deadline of the traject as seen on `today`, in the order they fall."""
    if rules is None:
        rules = term_rules_for(traject.municipality.region_id)
    if extra_holidays is None:
        extra_holidays = equated_holiday_dates()
    suspensions = [Suspension(s.starts_on, s.days) for s in traject.suspensions.all()]
    events = _events(traject)
    deadlines = [
        deadline_for(
            rule,
            events=events,
            today=today,
            suspensions=suspensions,
            at_risk_working_days=at_risk_working_days(),
            extra_holidays=extra_holidays,
        )
        for rule in rules
    ]
    return sorted(deadlines, key=lambda d: (d.due_on is None, d.due_on or today))


@dataclass
class WorkItem:
    traject: Traject
    deadlines: list[Deadline]
    next: Deadline | None
    days_open: int


class WorkFilter:
    ALL = ""
    AT_RISK = "dreigt"
    OVERDUE = "verlopen"
    SUSPENDED = "opgeschort"


def work_list(
    *, actor: User, today: date, trajects: QuerySet[Traject] | None = None, state: str = ""
) -> list[WorkItem]:
    """Open trajects with their next deadline, most urgent first (overdue, then due soonest;
    trajects without a pending deadline last). `state` filters on the next deadline's state."""
    if trajects is None:
        trajects = traject_list_visible_to(actor=actor)
    trajects = trajects.exclude(status__in=[s.value for s in CLOSED]).prefetch_related(
        Prefetch("suspensions")
    )
    rules_by_region: dict[int, list[TermRule]] = {}
    extra = equated_holiday_dates()
    items = []
    for traject in trajects:
        region_id = traject.municipality.region_id
        if region_id not in rules_by_region:
            rules_by_region[region_id] = term_rules_for(region_id)
        deadlines = deadlines_of(
            traject, today=today, rules=rules_by_region[region_id], extra_holidays=extra
        )
        days_open = (today - traject.melding_received_on).days
        item = WorkItem(traject, deadlines, next_deadline(deadlines), days_open)
        if state == WorkFilter.AT_RISK and not any(
            d.state is DeadlineState.AT_RISK for d in deadlines
        ):
            continue
        if state == WorkFilter.OVERDUE and not any(
            d.state is DeadlineState.OVERDUE for d in deadlines
        ):
            continue
        if state == WorkFilter.SUSPENDED and not any(
            d.state is DeadlineState.SUSPENDED for d in deadlines
        ):
            continue
        items.append(item)
    items.sort(key=lambda i: (i.next is None, i.next.due_on if i.next else today, i.traject.pk))
    return items


def household_trajects_visible_to(*, actor: User, traject: Traject) -> QuerySet[Traject]:
    """Trajects of the other members of the client's household that this user may also see."""
    if traject.client.household_id is None:
        return Traject.objects.none()
    return (
        traject_list_visible_to(actor=actor)
        .filter(client__household_id=traject.client.household_id)
        .exclude(client_id=traject.client_id)
    )
