"""The provider's practice environment (seed 000: "er is geen testomgeving voor aanbieders").

Fictitious clients (`Client.practice_provider`) with practice trajects (`Traject.is_practice`)
at the stages a provider works on. They are never shown to the municipality nor mixed with
real trajects: the selectors filter on both flags. The municipality's steps are played by
`municipality_step`, so the whole provider side can be practised; a reset starts over.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dateutil.relativedelta import relativedelta

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Provider, User
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.cases.services import TrajectError, traject_lock
from openarrangementen.catalog.models import Level
from openarrangementen.clients.models import Client
from openarrangementen.contracting.models import Contract
from openarrangementen.core.identifiers import complete_bsn
from openarrangementen.plans.domain import SHAREABLE_FIELDS, SignatureKind, SignedDocument
from openarrangementen.plans.models import Consent, PartOne, PartTwo, ProviderChoice, Signature

from .models import Evaluation
from .services import evaluations_plan

PRACTICE_GOALS = (
    "Mevrouw houdt zelf overzicht over haar post en afspraken.\n"
    "Mevrouw heeft twee keer per week contact met iemand uit haar buurt."
)
# (name, stage, months running) of the fictitious clients; every name says it is practice.
CASES = [
    ("Oefen-Jansen", TrajectStatus.WITH_PROVIDER, 0),
    ("Oefen-De Boer", TrajectStatus.DECIDED, 0),
    ("Oefen-Bakker", TrajectStatus.ACTIVE, 10),
]


def provider_of(actor: User) -> Provider:
    assignment = actor.role_assignments.filter(
        role__in=[Role.WERKVERDELER.value, Role.BEGELEIDER.value], provider__isnull=False
    ).first()
    if assignment is None:
        raise TrajectError("U werkt niet bij een aanbieder.")
    return assignment.provider


def _free_bsn() -> str:
    used = set(Client.objects.filter(bsn__startswith="99998").values_list("bsn", flat=True))
    for candidate in range(1000):
        bsn = complete_bsn(f"99998{candidate:03d}")
        if bsn and bsn not in used:
            return bsn
    raise TrajectError("De oefenomgeving is vol; begin opnieuw.")


def _contracted_level(provider: Provider) -> Level:
    contracts = Contract.objects.filter(provider=provider).select_related("lot__catalog_version")
    for contract in contracts.order_by("lot__code"):
        level = (
            Level.objects.filter(arrangement__lots=contract.lot)
            .select_related("arrangement__catalog_version__region")
            .order_by("arrangement__code", "rank")
            .first()
        )
        if level is not None:
            return level
    raise TrajectError("Uw organisatie heeft geen contract waarmee geoefend kan worden.")


@transaction.atomic
def practice_ensure(*, provider: Provider, actor: User) -> list[Traject]:
    """Create the practice cases when the provider has none yet."""
    existing = list(Traject.objects.filter(is_practice=True, provider=provider))
    if existing:
        return existing
    today = timezone.localdate()
    level = _contracted_level(provider)
    region = level.arrangement.catalog_version.region
    municipality = region.municipalities.order_by("name").first()
    trajects = []
    for n, (name, stage, months) in enumerate(CASES, start=1):
        client = Client.objects.create(
            bsn=_free_bsn(),
            initials="O.",
            family_name=name,
            birth_date=date(1970 + n, n, 10 + n),
            street="Oefenstraat",
            house_number=n,
            postcode="1234 AB",
            city="Oefendorp",
            municipality=municipality,
            practice_provider=provider,
        )
        started = today - relativedelta(months=months) if months else None
        start_on = started or today
        traject = Traject.objects.create(
            number=f"OEFEN-{provider.agb_code}-{n}-{client.pk}",
            client=client,
            municipality=municipality,
            status=stage.value,
            channel=Traject.Channel.OTHER,
            melding_received_on=start_on - timedelta(weeks=5),
            question="Oefencasus: fictieve hulpvraag om het portaal te leren kennen.",
            reported_by=Traject.Reporter.CLIENT,
            provider=provider,
            handed_to_provider_on=today
            if stage is TrajectStatus.WITH_PROVIDER
            else start_on - timedelta(weeks=3),
            part_two_submitted_on=None
            if stage is TrajectStatus.WITH_PROVIDER
            else start_on - timedelta(weeks=2),
            decided_on=None
            if stage is TrajectStatus.WITH_PROVIDER
            else start_on - timedelta(weeks=1),
            started_on=started,
            is_practice=True,
        )
        PartOne.objects.create(
            traject=traject,
            reason=PartOne.Reason.NEW_CLIENT,
            delivery_form=PartOne.DeliveryForm.IN_KIND,
            own_strength="Oefentekst: het netwerk helpt met boodschappen.",
            prior_facilities="Oefentekst: geen.",
            general_facilities="Oefentekst: inloop in het buurthuis.",
            customised_support="Oefentekst: begeleiding bij structuur en contact.",
            arrangement=level.arrangement,
            level=level,
            suffers_from="Oefentekst: somberheid en vermoeidheid.",
            cannot_do="Oefentekst: de administratie bijhouden.",
            level_argumentation="Oefentekst: lichtste niveau past bij de vraag.",
            start_on=start_on,
            end_on=start_on + relativedelta(months=12),
            goals=PRACTICE_GOALS,
            completed_by=actor,
        )
        ProviderChoice.objects.create(
            traject=traject, provider=provider, chosen_on=today, recorded_by=actor
        )
        Consent.objects.create(
            traject=traject,
            provider=provider,
            is_given=True,
            shared_fields=list(SHAREABLE_FIELDS),
            given_on=today,
            recorded_by=actor,
        )
        Signature.objects.create(
            traject=traject,
            document=SignedDocument.PART_ONE.value,
            kind=SignatureKind.AGREED.value,
            signer_name=client.display_name,
            signed_on=today,
            method="persoonlijk",
            recorded_by=actor,
        )
        StatusChange.objects.create(
            traject=traject,
            action=Action.HAND_TO_PROVIDER.value,
            from_status=TrajectStatus.PROVIDER_CHOICE.value,
            to_status=stage.value,
            actor=actor,
            reason="Oefenomgeving: fictieve casus aangemaakt.",
        )
        if started:
            evaluations_plan(traject)
        trajects.append(traject)
    return trajects


@transaction.atomic
def practice_reset(*, provider: Provider, actor: User) -> list[Traject]:
    """Remove every practice case of the provider and start again."""
    clients = Client.objects.filter(practice_provider=provider)
    trajects = Traject.objects.filter(client__in=clients)
    Evaluation.objects.filter(traject__in=trajects).update(reindication=None)
    trajects.update(previous=None)
    for traject in trajects:
        traject.delete()
    clients.delete()
    return practice_ensure(provider=provider, actor=actor)


@transaction.atomic
def municipality_step(*, traject: Traject, actor: User) -> Traject:
    """Play the municipality: accept POP deel II and make the beschikking final."""
    traject = traject_lock(traject)
    if not traject.is_practice:
        raise TrajectError("Dit kan alleen in de oefenomgeving.")
    if traject.status_enum is not TrajectStatus.PLAN_REVIEW:
        raise TrajectError("Er is nu geen stap van de gemeente om te oefenen.")
    today = timezone.localdate()
    PartTwo.objects.filter(traject=traject, review=PartTwo.Review.SUBMITTED).update(
        review=PartTwo.Review.ACCEPTED, reviewed_at=timezone.now()
    )
    StatusChange.objects.create(
        traject=traject,
        action=Action.APPROVE_DECISION.value,
        from_status=traject.status,
        to_status=TrajectStatus.DECIDED.value,
        actor=actor,
        reason="Oefenomgeving: de gemeente (nagespeeld) keurt POP deel II goed en beschikt.",
    )
    traject.status = TrajectStatus.DECIDED.value
    traject.decided_on = today
    traject.save(update_fields=["status", "decided_on", "updated_at"])
    return traject
