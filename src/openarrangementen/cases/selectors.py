"""The one way to query trajects: what is visible to this user, and their deadlines.

A traject carries client data, so its visibility follows `clients.selectors`: municipality
staff see the trajects of clients they may see; an inwoner sees their own; a provider's
staff see only trajects handed to their organisation with the client's consent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.http import Http404

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.clients.selectors import client_list_visible_to, inwoner_condition
from openarrangementen.core import dates
from openarrangementen.core.audit import log_access, log_refusal
from openarrangementen.core.selectors import equated_holiday_dates

from .domain import (
    CLOSED,
    DEADLINE_EVENTS,
    INVOICEABLE,
    LEGAL_RULES,
    WITH_PROVIDER_ORG,
    Deadline,
    DeadlineKind,
    Event,
    Suspension,
    TermRule,
    TermUnit,
    deadline_for,
    next_deadline,
    pending_state,
)
from .models import DeadlineRule, PendingDeadline, Traject
from .models import Suspension as SuspensionRow

PROVIDER_ROLES = frozenset({Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE})
# Roles that open the provider portal (a subcontractor's employee only by delegation).
PORTAL_PROVIDER_ROLES = PROVIDER_ROLES | {Role.ONDERAANNEMER}


def at_risk_working_days() -> int:
    """How many working days before a deadline it counts as at risk (setting)."""
    return settings.TRAJECT_AT_RISK_WORKING_DAYS


def _client_municipality_ids(actor: User) -> list[int]:
    """The municipalities whose client files the user works with, as a list of ids (the
    planner sees the few values and can use the indexes)."""
    return list(municipalities_for(actor, MUNICIPALITY_CLIENT_ROLES).values_list("pk", flat=True))


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
    if roles & MUNICIPALITY_CLIENT_ROLES and not practice:
        # The clients of their municipalities (`client_list_visible_to`), written as the
        # traject's own municipality so the work list walks `traject_worklist_idx`: a
        # traject is opened in its client's municipality and neither changes
        # (`recompute_deadlines` fails if one differs; ADR 0010 §9). Practice clients
        # have practice trajects only, and those are never shown here.
        condition |= Q(municipality__in=_client_municipality_ids(actor))
    if Role.INWONER in roles and not practice:
        condition |= Q(client__in=client_list_visible_to(actor=actor))
    consent = Consent.objects.filter(
        traject=OuterRef("pk"),
        provider=OuterRef("provider"),
        is_given=True,
        withdrawn_on__isnull=True,
    )
    # Checked per traject as a list walks its index in order (CASE keeps PostgreSQL from
    # turning the EXISTS into a join that hashes every consent of the provider first: 13 ms
    # against 1 ms for a page of the inbox at 1,000,000 trajects; ADR 0010 §10).
    in_force = Case(
        When(Exists(consent), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    handed = Q(in_force, handed_to_provider_on__isnull=False)

    def at_provider(role: Role) -> list[int]:
        # A list of ids, not a subquery: the planner can use the provider index.
        return list(
            actor.role_assignments.filter(role=role.value).values_list("provider", flat=True)
        )

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


def organisation_scope(*, actor: User, traject: str = "") -> Q:
    """A condition that holds for every traject `traject_list_visible_to` can give this
    user (a superset, never narrower), on the traject's own municipality and provider:
    the work lists add it so PostgreSQL walks an index of the user's organisations
    instead of every traject (ADR 0010 §9). The visibility rule still decides what is
    shown. `traject`: the path to the traject from the model filtered ("" for `Traject`;
    "traject" for `PendingDeadline`, which carries the same municipality and provider).

    Municipality staff see trajects of their municipalities' clients, and a traject is
    opened in its client's municipality (`cases.services`; the client's municipality is
    never changed, `recompute_deadlines` reports it if it was)."""
    from openarrangementen.delivery.models import Delegation

    if not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    own = f"{traject}__" if traject else ""
    roles = roles_of(actor)
    condition = Q(pk__in=[])
    if roles & MUNICIPALITY_CLIENT_ROLES:
        condition |= Q(municipality__in=_client_municipality_ids(actor))
    if Role.INWONER in roles:
        condition |= inwoner_condition(actor, prefix=f"{own}client__")
    provider_roles = [r.value for r in (Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE)]
    if roles & set(provider_roles):
        condition |= Q(
            provider__in=list(
                actor.role_assignments.filter(role__in=provider_roles).values_list(
                    "provider", flat=True
                )
            )
        )
    if Role.ONDERAANNEMER in roles:
        delegated = Delegation.objects.filter(delegate=actor, revoked_at__isnull=True)
        condition |= Q(**{f"{traject or 'pk'}__in": delegated.values("traject")})
    return condition


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


def at_risk_until(today: date, extra_holidays: frozenset[date] | None = None) -> date:
    """The last due date that counts as "dreigt te verlopen" on `today`: at most the
    configured number of working days left (`deadline_for`'s rule, as a date)."""
    if extra_holidays is None:
        extra_holidays = equated_holiday_dates()
    first_safe = dates.add_working_days(today, at_risk_working_days() + 1, extra_holidays)
    return first_safe - timedelta(days=1)


def _driving(ids: QuerySet):
    """A small set of traject ids (deadlines due in a few days) that should drive the
    query: on PostgreSQL it is handed over as a set the planner looks up one by one in the
    primary key, instead of hashing it against every traject (ADR 0010)."""
    if connection.vendor != "postgresql":
        return ids
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # the user has no organisation at all: the ORM answers "none"
        return ids
    return RawSQL(f"SELECT unnest(ARRAY({sql}))", params)


def _pending_on(today: date, actor: User) -> QuerySet[PendingDeadline]:
    """Stored pending deadlines not overdue on `today` (an overdue one is only overdue), of
    trajects this user can see at most."""
    return PendingDeadline.objects.filter(
        organisation_scope(actor=actor, traject="traject"), due_on__gte=today
    )


def _own_suspension_on(today: date) -> QuerySet[SuspensionRow]:
    """A suspension that stopped the outer deadline's clock and still runs on `today`
    (`deadline_for`: begun inside the term, covering today)."""
    return SuspensionRow.objects.filter(
        traject_id=OuterRef("traject_id"),
        starts_on__gte=OuterRef("starts_on"),
        starts_on__lte=OuterRef("due_on"),
    ).filter(starts_on__lte=today, ends_before__gt=today)


def work_list_queryset(
    *, actor: User, today: date, trajects: QuerySet[Traject] | None = None, state: str = ""
) -> QuerySet[Traject]:
    """Open trajects, most urgent first (overdue, then due soonest; trajects without a
    pending deadline last), filtered on the state of their next deadline, all in SQL on the
    stored next deadline (issue #14, ADR 0010)."""
    if trajects is None:
        trajects = traject_list_visible_to(actor=actor)
    trajects = trajects.exclude(status__in=[s.value for s in CLOSED])
    if state == WorkFilter.OVERDUE:
        # The next deadline is the earliest pending one: if any is overdue, it is.
        trajects = trajects.filter(next_deadline_on__lt=today)
    elif state == WorkFilter.AT_RISK:
        at_risk = (
            _pending_on(today, actor)
            .filter(due_on__lte=at_risk_until(today))
            .exclude(Exists(_own_suspension_on(today)))
        )
        trajects = trajects.filter(pk__in=_driving(at_risk.values("traject_id")))
    elif state == WorkFilter.SUSPENDED:
        suspended = _pending_on(today, actor).filter(Exists(_own_suspension_on(today)))
        trajects = trajects.filter(pk__in=_driving(suspended.values("traject_id")))
    return trajects.order_by(F("next_deadline_on").asc(nulls_last=True), "pk")


def work_items(trajects: Iterable[Traject], *, today: date) -> list[WorkItem]:
    """The rows of one page with their running deadlines and states on `today`, from the
    stored pending deadlines (ADR 0010): no term computed again.

    A page (a sliced queryset) is read in two steps: the ids in the list's order from the
    narrow filtered query, then those rows with what the page shows. The database then
    joins 25 rows, not every row that matches before the limit."""
    if isinstance(trajects, QuerySet):
        ids = list(trajects.values_list("pk", flat=True))
        rows = Traject.objects.select_related(
            "client", "municipality__region", "provider", "professional"
        ).in_bulk(ids)
        trajects = [rows[pk] for pk in ids]
    trajects = list(trajects)
    prefetch_related_objects(trajects, "suspensions", "pending_deadlines")
    extra = equated_holiday_dates()
    at_risk = at_risk_working_days()
    items = []
    for traject in trajects:
        suspensions = [Suspension(s.starts_on, s.days) for s in traject.suspensions.all()]
        deadlines = []
        for row in traject.pending_deadlines.all():
            kind = DeadlineKind(row.kind)
            state, left = pending_state(
                row.starts_on, row.due_on, today, suspensions, at_risk, extra
            )
            deadlines.append(
                Deadline(
                    kind, DEADLINE_EVENTS[kind][2], None, row.starts_on, row.due_on, None, state,
                    left,
                )
            )  # fmt: skip
        deadlines.sort(key=lambda d: d.due_on)
        # The next one is the stored one (same tie-break as the sorting in SQL).
        first = next(
            (d for d in deadlines if d.kind.value == traject.next_deadline_kind),
            next_deadline(deadlines),
        )
        days_open = (today - traject.melding_received_on).days
        items.append(WorkItem(traject, deadlines, first, days_open))
    return items


def work_list(
    *, actor: User, today: date, trajects: QuerySet[Traject] | None = None, state: str = ""
) -> list[WorkItem]:
    """The whole work list (small sets; pages use `work_list_queryset` + `work_items`)."""
    return work_items(
        work_list_queryset(actor=actor, today=today, trajects=trajects, state=state), today=today
    )


def household_trajects_visible_to(*, actor: User, traject: Traject) -> QuerySet[Traject]:
    """Trajects of the other members of the client's household that this user may also see."""
    if traject.client.household_id is None:
        return Traject.objects.none()
    return (
        traject_list_visible_to(actor=actor)
        .filter(client__household_id=traject.client.household_id)
        .exclude(client_id=traject.client_id)
    )
