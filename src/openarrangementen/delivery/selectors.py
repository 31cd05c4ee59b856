"""Reads for the provider portal. Trajects always come from
`cases.selectors.traject_list_visible_to`; these only shape what a visible traject shows."""

from django.db.models import QuerySet

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import User
from openarrangementen.cases.domain import Action, DeadlineKind
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.plans.services import current_consent

from .models import Evaluation

# Deadlines that are the provider's to meet.
PROVIDER_DEADLINES = frozenset({DeadlineKind.PLAN_PART_TWO, DeadlineKind.START})
# History rows a provider sees: the steps between the municipality and the provider and its
# own steps. Internal municipality steps (drafts, four-eyes, intake) are not theirs to read.
PROVIDER_HISTORY = frozenset(
    {
        Action.HAND_TO_PROVIDER,
        Action.SUBMIT_PART_TWO,
        Action.RETURN_PART_TWO,
        Action.APPROVE_DECISION,
        Action.REPORT_START,
        Action.END,
        Action.ASSIGN,
        Action.DELEGATE,
        Action.SIGNAL,
        Action.HANDOVER,
        Action.EVALUATE,
    }
)


def shared_fields_of(traject: Traject) -> frozenset[str]:
    """The parts of POP deel I the client consented to share with this traject's provider."""
    consent = current_consent(traject)
    if consent is None or not consent.is_given or consent.provider_id != traject.provider_id:
        return frozenset()
    return frozenset(consent.shared_fields)


def provider_ids_of(actor: User, roles: set[Role]) -> QuerySet:
    return actor.role_assignments.filter(role__in=[r.value for r in roles]).values("provider")


def professionals_for(actor: User) -> QuerySet[User]:
    """Begeleiders (and werkverdelers, who may take a traject themselves) of the actor's
    organisations: whom the werkverdeler can assign and filter on."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=[Role.BEGELEIDER.value, Role.WERKVERDELER.value],
            role_assignments__provider__in=provider_ids_of(
                actor, {Role.WERKVERDELER, Role.BEGELEIDER}
            ),
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def provider_history(traject: Traject) -> QuerySet[StatusChange]:
    return traject.history.filter(action__in=[a.value for a in PROVIDER_HISTORY]).select_related(
        "actor"
    )


def open_evaluations(trajects: QuerySet[Traject]) -> QuerySet[Evaluation]:
    """Evaluations not yet submitted for these (visible) trajects, soonest first."""
    return (
        Evaluation.objects.filter(traject__in=trajects, submitted_at__isnull=True)
        .select_related("traject")
        .order_by("due_on", "pk")
    )
