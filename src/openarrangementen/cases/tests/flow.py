"""Walk a demo traject step by step through the real services (Almere, seed 002).

Used by the service tests and the browser test to put a traject in a given phase.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from openarrangementen.accounts.models import Provider, User
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import Traject, ZrmDomain
from openarrangementen.cases.services import (
    intake_plan,
    melding_register,
    plan_of_approach_save,
    traject_step,
)
from openarrangementen.catalog.models import Level, SupportForm
from openarrangementen.clients.models import Client
from openarrangementen.decisions import services as decisions
from openarrangementen.plans import services as plans
from openarrangementen.plans.domain import SHAREABLE_FIELDS, SignatureKind, SignedDocument

GOALS = [
    "Mw. Verbeek houdt haar administratie zelf bij met een weekplanning.",
    "Mw. Verbeek heeft twee vaste sociale contacten buiten haar familie.",
]


def user(username: str) -> User:
    return User.objects.get(username=username)


def verbeek() -> Client:
    return Client.objects.get(family_name="Verbeek")


def level(code: str = "N2", arrangement: str = "2", region: str = "almere") -> Level:
    return Level.objects.get(
        code=code,
        arrangement__code=arrangement,
        arrangement__catalog_version__region__slug=region,
    )


def part_one_input(traject: Traject, **overrides) -> plans.PartOneInput:
    chosen = overrides.pop("level", None) or level()
    start = timezone.localdate() + timedelta(days=14)
    values = {
        "reason": "nieuw",
        "delivery_form": "zin",
        "relevant_domain_ids": list(
            ZrmDomain.objects.filter(name__in=["Financiën", "Sociaal netwerk"]).values_list(
                "pk", flat=True
            )
        ),
        "own_strength": "Moeder helpt één keer per week; dat is niet genoeg.",
        "prior_facilities": "Geen; geen Wlz-indicatie.",
        "general_facilities": "Inloop van het buurthuis is geprobeerd; te weinig structuur.",
        "customised_support": "Individuele begeleiding bij administratie en sociale contacten.",
        "arrangement": chosen.arrangement,
        "level": chosen,
        "suffers_from": "Overzicht verliezen bij post en rekeningen.",
        "cannot_do": "Zelf een weekplanning maken en volhouden.",
        "is_diagnosed": True,
        "diagnosis": "Lichte verstandelijke beperking (IQ 65, 2009)",
        "level_argumentation": "Perspectief op groei; begeleiding van enkele uren per week.",
        "start_on": start,
        "end_on": _months_later(start, 12),
        "goals": "\n".join(GOALS),
        "assessment_scores": {},
    }
    values.update(overrides)
    return plans.PartOneInput(**values)


def _months_later(start: date, months: int) -> date:
    from dateutil.relativedelta import relativedelta

    return start + relativedelta(months=months) - timedelta(days=1)


def advance(traject: Traject, to: TrajectStatus) -> Traject:
    """Take the steps from the traject's phase up to `to`, as the demo users would."""
    wijkwerker = user("almere.wijkwerker")
    pa = user("almere.pa")
    colleague = user("almere.collega-pa")
    today = timezone.localdate()
    S = TrajectStatus
    # the step to take from each phase
    steps = {
        S.MELDING: lambda t: intake_plan(
            traject=t,
            actor=wijkwerker,
            planned_for=today,
            participants="Mw. Verbeek, haar moeder, wijkwerker",
        ),
        S.INTAKE: lambda t: _plan_and_hand_over(t, wijkwerker),
        S.ASSESSMENT: lambda t: _part_one(t, pa),
        S.PROVIDER_CHOICE: lambda t: _choose_and_hand_over(t, pa),
        S.WITH_PROVIDER: lambda t: submit_part_two(t),
        S.PLAN_REVIEW: lambda t: decisions.beschikking_draft(
            traject=t,
            actor=pa,
            considerations="Het arrangement past bij de hulpvraag en de doelen.",
            application_received_on=today,
        ),
        S.DECISION_DRAFT: lambda t: decisions.beschikking_submit_for_review(traject=t, actor=pa),
        S.DECISION_REVIEW: lambda t: decisions.beschikking_approve(traject=t, actor=colleague),
        S.DECIDED: lambda t: decisions.traject_start_record(traject=t, actor=pa, started_on=today),
    }
    traject.refresh_from_db()
    while traject.status_enum is not to:
        steps[traject.status_enum](traject)
        traject.refresh_from_db()
    return traject


def _plan_and_hand_over(traject: Traject, actor: User) -> None:
    intake = traject.intake
    scores = {d.pk: (None, "", "") for d in ZrmDomain.objects.filter(matrix=intake.matrix)}
    finance = ZrmDomain.objects.get(matrix=intake.matrix, name="Financiën")
    network = ZrmDomain.objects.get(matrix=intake.matrix, name="Sociaal netwerk")
    scores[finance.pk] = (2, "Rekeningen blijven liggen; twee aanmaningen.", GOALS[0])
    scores[network.pk] = (3, "Weinig contacten buiten de familie.", GOALS[1])
    plan_of_approach_save(
        intake=intake,
        actor=actor,
        held_on=timezone.localdate(),
        summary="Gesprek bij mw. Verbeek thuis met haar moeder.",
        scores=scores,
    )
    traject_step(traject=traject, action=Action.HAND_TO_PA, actor=actor)


def _part_one(traject: Traject, pa: User) -> None:
    plans.part_one_save(traject=traject, actor=pa, data=part_one_input(traject))
    plans.part_one_complete(traject=traject, actor=pa)


def kade() -> Provider:
    return Provider.objects.get(name="De Kade Begeleiding")


def _choose_and_hand_over(traject: Traject, pa: User) -> None:
    today = timezone.localdate()
    plans.provider_choice_record(traject=traject, actor=pa, provider=kade(), chosen_on=today)
    plans.consent_record(
        traject=traject,
        actor=pa,
        is_given=True,
        shared_fields=list(SHAREABLE_FIELDS),
        given_on=today,
    )
    plans.signature_record(
        traject=traject,
        actor=pa,
        document=SignedDocument.PART_ONE,
        kind=SignatureKind.AGREED,
        signer_name="L. Verbeek",
        signed_on=today,
        method="persoonlijk",
    )
    plans.traject_hand_to_provider(traject=traject, actor=pa)


def submit_part_two(traject: Traject, *, per_week: str = "3.00", by: str = "kade.begeleider"):
    """The provider's deel II through the provider-side service. A begeleider gets the
    traject assigned by their werkverdeler first (need to know)."""
    actor = user(by)
    traject.refresh_from_db()
    if traject.professional_id is None and by.endswith(".begeleider"):
        from openarrangementen.delivery.services import traject_assign

        werkverdeler = user(by.replace(".begeleider", ".werkverdeler"))
        traject_assign(traject=traject, actor=werkverdeler, professional=actor)
    return plans.part_two_submit(
        traject=traject,
        actor=actor,
        results=[
            plans.ResultInput(
                goal=goal,
                result=f"Resultaat bij: {goal}",
                by_client="Houdt een weekplanning bij.",
                by_general_facility="Schuldhulp-inloop van de bibliotheek.",
                by_support="Wekelijkse begeleiding door de Kade.",
            )
            for goal in GOALS
        ],
        deployments=[
            plans.DeploymentInput(
                support_form=SupportForm.objects.get(code="IB"),
                per_week=Decimal(per_week),
                intensity="Twee bezoeken per week, afbouwend.",
            )
        ],
        signature_kind=SignatureKind.AGREED,
        signer_name="L. Verbeek",
        signed_on=timezone.localdate(),
        signature_method="persoonlijk",
        expected_changes="Afbouw na zes maanden als de planning lukt.",
    )


def new_melding(
    client: Client | None = None,
    by: str = "almere.wijkwerker",
    question: str = "Mw. Verbeek raakt het overzicht over haar post en geld kwijt.",
) -> Traject:
    return melding_register(
        actor=user(by),
        client=client or verbeek(),
        channel=Traject.Channel.PHONE,
        received_on=timezone.localdate(),
        question=question,
        reported_by=Traject.Reporter.CLIENT,
    )
