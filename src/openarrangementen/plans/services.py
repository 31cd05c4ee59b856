"""Writes on the POP: deel I, consultations, provider choice, consent, signatures, deel II.

Every service locks the traject, checks the workflow and the content rules, and raises
`TrajectError` with a Dutch message when refused; nothing is then saved.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openarrangementen.accounts.models import Provider, User
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import Traject, ZrmDomain
from openarrangementen.cases.services import (
    TrajectError,
    notify_municipality,
    notify_provider,
    require_pa,
    require_provider_staff,
    traject_check,
    traject_lock,
    traject_transition,
)
from openarrangementen.catalog.models import Arrangement, Level, SupportForm
from openarrangementen.catalog.selectors import catalog_version_on, level_for_assessment
from openarrangementen.clients.models import Client
from openarrangementen.contracting.models import Contract

from .domain import (
    SignatureKind,
    SignedDocument,
    consent_error,
    deviation_error,
    goals_from_text,
    household_table,
    table_to_json,
    term_error,
)
from .models import (
    Consent,
    Consultation,
    PartOne,
    PartTwo,
    PlannedDeployment,
    ProviderChoice,
    Signature,
)

# Trajects that hold or will hold an arrangement: another one for the same client means
# stacking (seed 002: "geen stapeling van arrangementen").
HOLDS_ARRANGEMENT = [
    TrajectStatus.ASSESSMENT,
    TrajectStatus.PROVIDER_CHOICE,
    TrajectStatus.WITH_PROVIDER,
    TrajectStatus.PLAN_REVIEW,
    TrajectStatus.DECISION_DRAFT,
    TrajectStatus.DECISION_REVIEW,
    TrajectStatus.DECIDED,
    TrajectStatus.ACTIVE,
]


def _today() -> date:
    return timezone.localdate()


def _require_status(traject: Traject, *statuses: TrajectStatus, what: str) -> None:
    if traject.status_enum not in statuses:
        raise TrajectError(f"{what} kan niet in de fase '{traject.get_status_display()}'.")


@dataclass
class PartOneInput:
    reason: str
    delivery_form: str
    relevant_domain_ids: list[int]
    own_strength: str
    prior_facilities: str
    general_facilities: str
    customised_support: str
    arrangement: Arrangement
    level: Level
    suffers_from: str
    cannot_do: str
    is_diagnosed: bool
    diagnosis: str
    level_argumentation: str
    start_on: date
    end_on: date
    goals: str
    assessment_scores: dict[int, str]
    deviation_motivation: str = ""
    transport: str = ""
    short_stay_nights: int | None = None
    client_agrees: bool = True
    disagreement: str = ""
    second_opinion_by: User | None = None
    second_opinion_agrees: bool | None = None
    second_opinion_notes: str = ""


def stacking_traject(traject: Traject, *, start_on: date, end_on: date) -> Traject | None:
    """Another traject of the same client that holds (or is being given) an arrangement in
    this period. The traject this one continues or replaces does not count."""
    others = (
        Traject.objects.filter(client_id=traject.client_id, status__in=HOLDS_ARRANGEMENT)
        .exclude(pk=traject.pk)
        .exclude(pk=traject.previous_id or 0)
        .filter(Q(part_one__start_on__lte=end_on) & Q(part_one__end_on__gte=start_on))
    )
    return others.first()


def check_no_stacking(traject: Traject, *, start_on: date, end_on: date) -> None:
    """Seed 002: "geen stapeling van arrangementen". Checked when deel I is saved, completed
    and when the beschikking becomes final."""
    if other := stacking_traject(traject, start_on=start_on, end_on=end_on):
        raise TrajectError(
            f"Deze inwoner heeft al een arrangement in traject {other.number}. Arrangementen "
            "worden niet gestapeld: wijzig dat traject of laat het eerst eindigen."
        )


@transaction.atomic
def part_one_save(*, traject: Traject, actor: User, data: PartOneInput) -> PartOne:
    """Save POP deel I with every rule of the indicatiestelling checked."""
    traject = traject_lock(traject)
    _require_status(traject, TrajectStatus.ASSESSMENT, what="POP deel I invullen")
    require_pa(actor)
    # One client's trajects are checked for stacking one at a time.
    Client.objects.select_for_update().get(pk=traject.client_id)
    region = traject.municipality.region
    if data.delivery_form != PartOne.DeliveryForm.IN_KIND:
        raise TrajectError(
            "Een arrangement wordt alleen als zorg in natura verstrekt, niet als "
            "persoonsgebonden budget (pgb)."
        )
    version = catalog_version_on(region=region, day=data.start_on)
    if version is None or data.arrangement.catalog_version_id != version.pk:
        raise TrajectError(
            "Dit arrangement hoort niet bij de catalogus van de regio die op de begindatum geldt."
        )
    if data.level.arrangement_id != data.arrangement.pk:
        raise TrajectError("Dit niveau hoort niet bij het gekozen arrangement.")
    max_months = min(
        (m for m in (data.level.max_duration_months, version.max_term_months_stable) if m),
        default=None,
    )
    allowed = list(version.indication_terms.values_list("months", flat=True))
    if error := term_error(
        start_on=data.start_on, end_on=data.end_on, max_months=max_months, allowed_months=allowed
    ):
        raise TrajectError(error)
    check_no_stacking(traject, start_on=data.start_on, end_on=data.end_on)
    if not goals_from_text(data.goals):
        raise TrajectError("Noem ten minste één doel voor de maatwerkondersteuning.")
    instrument_level = None
    instrument = getattr(version, "assessment_instrument", None)
    if instrument is not None:
        numbers = set(instrument.criteria.values_list("number", flat=True))
        if set(data.assessment_scores) != numbers or not all(
            v in "ABCDE" and len(v) == 1 for v in data.assessment_scores.values()
        ):
            raise TrajectError(
                "Scoor alle criteria van het beoordelingsinstrument met een letter A tot en met E."
            )
        instrument_level = level_for_assessment(
            arrangement=data.arrangement, scores=data.assessment_scores
        )
        if error := deviation_error(
            instrument_level_id=instrument_level.pk if instrument_level else None,
            chosen_level_id=data.level.pk,
            motivation=data.deviation_motivation,
        ):
            raise TrajectError(error)
    if not data.client_agrees:
        if not data.disagreement.strip():
            raise TrajectError("Beschrijf waarover de inwoner en de wijkwerker het oneens zijn.")
        if data.second_opinion_by is None or data.second_opinion_agrees is None:
            raise TrajectError(
                "Bij onenigheid kijkt eerst een tweede wijkwerker mee (vierogenprincipe). "
                "Leg diens bevindingen vast."
            )
        if data.second_opinion_by.pk == (traject.wijkwerker_id or 0):
            raise TrajectError("De tweede blik komt van een andere wijkwerker dan de eerste.")
    domains = ZrmDomain.objects.filter(pk__in=data.relevant_domain_ids)
    fields = {
        "reason": data.reason,
        "delivery_form": data.delivery_form,
        "own_strength": data.own_strength.strip(),
        "prior_facilities": data.prior_facilities.strip(),
        "general_facilities": data.general_facilities.strip(),
        "customised_support": data.customised_support.strip(),
        "arrangement": data.arrangement,
        "level": data.level,
        "suffers_from": data.suffers_from.strip(),
        "cannot_do": data.cannot_do.strip(),
        "is_diagnosed": data.is_diagnosed,
        "diagnosis": data.diagnosis.strip(),
        "level_argumentation": data.level_argumentation.strip(),
        "start_on": data.start_on,
        "end_on": data.end_on,
        "goals": "\n".join(goals_from_text(data.goals)),
        "assessment_scores": {str(k): v for k, v in data.assessment_scores.items()},
        "instrument_level": instrument_level,
        "deviation_motivation": data.deviation_motivation.strip(),
        "transport": data.transport,
        "short_stay_nights": data.short_stay_nights,
        "client_agrees": data.client_agrees,
        "disagreement": data.disagreement.strip() if not data.client_agrees else "",
        "second_opinion_by": data.second_opinion_by if not data.client_agrees else None,
        "second_opinion_agrees": data.second_opinion_agrees if not data.client_agrees else None,
        "second_opinion_notes": data.second_opinion_notes.strip() if not data.client_agrees else "",
        "completed_by": actor,
    }
    part_one, _ = PartOne.objects.update_or_create(traject=traject, defaults=fields)
    part_one.relevant_domains.set(domains)
    if traject.procesregisseur_id is None:
        traject.procesregisseur = actor
        traject.save(update_fields=["procesregisseur", "updated_at"])
    return part_one


@transaction.atomic
def part_one_complete(*, traject: Traject, actor: User) -> Traject:
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.COMPLETE_PART_ONE, actor=actor)
    part_one = PartOne.objects.filter(traject=traject).first()
    if part_one is None:
        raise TrajectError("Vul eerst POP deel I in.")
    Client.objects.select_for_update().get(pk=traject.client_id)
    check_no_stacking(traject, start_on=part_one.start_on, end_on=part_one.end_on)
    return traject_transition(traject=traject, action=Action.COMPLETE_PART_ONE, actor=actor)


@transaction.atomic
def consultation_add(
    *,
    traject: Traject,
    actor: User,
    kind: str,
    consulted: str,
    question: str,
    asked_on: date,
    answer: str = "",
    answered_on: date | None = None,
) -> Consultation:
    """Record advice asked (medical, colleague, expert team, provider) and its answer."""
    traject = traject_lock(traject)
    _require_status(
        traject,
        TrajectStatus.INTAKE,
        TrajectStatus.ASSESSMENT,
        TrajectStatus.PROVIDER_CHOICE,
        what="Een consultatie vastleggen",
    )
    require_pa(actor)
    if answered_on is not None and answered_on < asked_on:
        raise TrajectError("Het antwoord kan niet vóór de vraag zijn gegeven.")
    if answer.strip() and answered_on is None:
        raise TrajectError("Vul in wanneer het antwoord is gegeven.")
    if Consultation.objects.filter(
        traject=traject, kind=kind, question=question.strip(), asked_on=asked_on
    ).exists():
        raise TrajectError("Deze consultatie is al vastgelegd.")
    return Consultation.objects.create(
        traject=traject,
        kind=kind,
        consulted=consulted.strip(),
        question=question.strip(),
        asked_on=asked_on,
        answer=answer.strip(),
        answered_on=answered_on,
        recorded_by=actor,
    )


def providers_for(traject: Traject, *, day: date) -> list[Contract]:
    """Contracts in force on `day` for a lot of the traject's arrangement: the choice the
    client gets, with each provider's partnerships."""
    part_one = traject.part_one
    return list(
        Contract.objects.filter(lot__in=part_one.arrangement.lots.all(), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("provider", "lot")
        .prefetch_related(
            "provider__led_partnerships__members__provider",
            "provider__led_partnerships__members__support_forms",
        )
        .order_by("provider__name", "lot__rank")
    )


@transaction.atomic
def provider_choice_record(
    *,
    traject: Traject,
    actor: User,
    provider: Provider | None,
    cannot_choose: bool = False,
    referred_to: str = "",
    chosen_on: date,
) -> ProviderChoice:
    """The client's choice, or the referral to independent client support."""
    traject = traject_lock(traject)
    _require_status(traject, TrajectStatus.PROVIDER_CHOICE, what="De aanbiederskeuze vastleggen")
    require_pa(actor)
    if cannot_choose:
        if not referred_to.strip():
            raise TrajectError(
                "Naar wie is de inwoner verwezen (onafhankelijke cliëntondersteuning)?"
            )
        provider = None
    else:
        if provider is None:
            raise TrajectError("Kies de aanbieder die de inwoner heeft gekozen.")
        contracted = {c.provider_id for c in providers_for(traject, day=chosen_on)}
        if provider.pk not in contracted:
            raise TrajectError(
                f"{provider} heeft op {chosen_on:%d-%m-%Y} geen contract voor het perceel van "
                "dit arrangement."
            )
    choice, _ = ProviderChoice.objects.update_or_create(
        traject=traject,
        defaults={
            "provider": provider,
            "cannot_choose": cannot_choose,
            "referred_to": referred_to.strip() if cannot_choose else "",
            "chosen_on": None if cannot_choose else chosen_on,
            "recorded_by": actor,
        },
    )
    return choice


@transaction.atomic
def consent_record(
    *, traject: Traject, actor: User, is_given: bool, shared_fields: list[str], given_on: date
) -> Consent:
    """The client's answer on sharing POP deel I with the chosen provider, per field."""
    traject = traject_lock(traject)
    _require_status(traject, TrajectStatus.PROVIDER_CHOICE, what="Toestemming vastleggen")
    require_pa(actor)
    choice = ProviderChoice.objects.filter(traject=traject, provider__isnull=False).first()
    if choice is None:
        raise TrajectError("Leg eerst vast welke aanbieder de inwoner kiest.")
    if given_on > _today():
        raise TrajectError("De datum van de toestemming ligt in de toekomst.")
    if is_given and (error := consent_error(is_given=True, shared_fields=shared_fields)):
        raise TrajectError(error)
    Consent.objects.filter(traject=traject, withdrawn_on__isnull=True).update(withdrawn_on=given_on)
    return Consent.objects.create(
        traject=traject,
        provider=choice.provider,
        is_given=is_given,
        shared_fields=sorted(set(shared_fields)) if is_given else [],
        given_on=given_on,
        recorded_by=actor,
    )


@transaction.atomic
def signature_record(
    *,
    traject: Traject,
    actor: User,
    document: SignedDocument,
    kind: SignatureKind,
    signer_name: str,
    signed_on: date,
    method: str,
    signer_capacity: str = "inwoner",
) -> Signature:
    """A signature 'voor akkoord' or 'voor gezien': who signed, when and how."""
    traject = traject_lock(traject)
    if not signer_name.strip():
        raise TrajectError("Vul de naam in van wie ondertekende.")
    if signed_on > _today() or signed_on < traject.melding_received_on:
        raise TrajectError("De datum van ondertekening ligt in de toekomst of vóór de melding.")
    if document is SignedDocument.PART_ONE:
        _require_status(traject, TrajectStatus.PROVIDER_CHOICE, what="POP deel I ondertekenen")
        require_pa(actor)
    if Signature.objects.filter(
        traject=traject,
        document=document.value,
        kind=kind.value,
        signer_name=signer_name.strip(),
        signed_on=signed_on,
    ).exists():
        raise TrajectError("Deze ondertekening is al vastgelegd.")
    return Signature.objects.create(
        traject=traject,
        document=document.value,
        kind=kind.value,
        signer_name=signer_name.strip(),
        signer_capacity=signer_capacity.strip() or "inwoner",
        signed_on=signed_on,
        method=method,
        recorded_by=actor,
    )


def current_consent(traject: Traject) -> Consent | None:
    return (
        Consent.objects.filter(traject=traject, withdrawn_on__isnull=True)
        .select_related("provider")
        .first()
    )


@transaction.atomic
def traject_hand_to_provider(*, traject: Traject, actor: User) -> Traject:
    """Hand the traject to the chosen provider: choice, consent and signature must be there."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.HAND_TO_PROVIDER, actor=actor)
    choice = ProviderChoice.objects.filter(traject=traject).select_related("provider").first()
    if choice is None or choice.provider is None:
        raise TrajectError(
            "De inwoner heeft nog geen aanbieder gekozen. Kan de inwoner niet kiezen, verwijs "
            "dan naar onafhankelijke cliëntondersteuning en leg de keuze later vast."
        )
    consent = current_consent(traject)
    if consent is None or consent.provider_id != choice.provider_id:
        raise TrajectError("Leg eerst de toestemming van de inwoner voor deze aanbieder vast.")
    if error := consent_error(is_given=consent.is_given, shared_fields=consent.shared_fields):
        raise TrajectError(error)
    if not Signature.objects.filter(traject=traject, document=SignedDocument.PART_ONE).exists():
        raise TrajectError("POP deel I is nog niet ondertekend (voor akkoord of voor gezien).")
    traject = traject_transition(
        traject=traject,
        action=Action.HAND_TO_PROVIDER,
        actor=actor,
        reason=f"Overgedragen aan {choice.provider}.",
        provider=choice.provider,
        handed_to_provider_on=_today(),
    )
    notify_provider(
        traject,
        subject=f"Nieuw traject {traject.number} (nog te verdelen)",
        text=(
            f"De gemeente heeft traject {traject.number} aan uw organisatie overgedragen. "
            "Wijs het toe aan een begeleider; die maakt POP deel II met de inwoner."
        ),
    )
    return traject


@dataclass
class ResultInput:
    goal: str
    result: str
    by_client: str
    by_general_facility: str
    by_support: str


@dataclass
class DeploymentInput:
    support_form: SupportForm
    per_week: Decimal
    intensity: str = ""


@transaction.atomic
def part_two_submit(
    *,
    traject: Traject,
    actor: User,
    results: list[ResultInput],
    deployments: list[DeploymentInput],
    signature_kind: SignatureKind,
    signer_name: str,
    signed_on: date,
    signature_method: str,
    expected_changes: str = "",
    subcontractors: str = "",
    household_hours: dict | None = None,
    activities: list | None = None,
) -> PartTwo:
    """The provider submits (a new version of) POP deel II, signed by the client.

    The provider-side screens come with the provider portal; this service is what they call.
    """
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.SUBMIT_PART_TWO, actor=actor)
    require_provider_staff(traject, actor, what="POP deel II indienen")
    goals = goals_from_text(traject.part_one.goals)
    answered = {r.goal for r in results if r.result.strip()}
    if missing := [g for g in goals if g not in answered]:
        raise TrajectError("Beschrijf een resultaat bij elk doel van deel I: " + "; ".join(missing))
    if not deployments:
        raise TrajectError("Geef de verwachte gemiddelde inzet per ondersteuningsvorm.")
    allowed_forms = set(traject.part_one.arrangement.support_forms.values_list("pk", flat=True))
    for deployment in deployments:
        if deployment.support_form.pk not in allowed_forms:
            raise TrajectError(f"{deployment.support_form.name} hoort niet bij dit arrangement.")
        if deployment.per_week < 0:
            raise TrajectError("Inzet per week kan niet negatief zijn.")
    table = _household_table_checked(household_hours or {}, deployments)
    activities = _activities_checked(traject, activities or [])
    if not signer_name.strip():
        raise TrajectError("Vul de naam in van wie het POP ondertekende.")
    if signed_on > _today():
        raise TrajectError("De datum van ondertekening ligt in de toekomst.")
    version = traject.part_twos.count() + 1
    part_two = PartTwo.objects.create(
        traject=traject,
        version=version,
        results=[r.__dict__ for r in results],
        expected_changes=expected_changes.strip(),
        subcontractors=subcontractors.strip(),
        household_hours=table_to_json(table),
        activities=activities,
        submitted_by=actor,
    )
    PlannedDeployment.objects.bulk_create(
        PlannedDeployment(
            part_two=part_two,
            support_form=d.support_form,
            per_week=d.per_week,
            intensity=d.intensity.strip(),
        )
        for d in deployments
    )
    Signature.objects.create(
        traject=traject,
        document=SignedDocument.FULL_POP.value,
        kind=signature_kind.value,
        signer_name=signer_name.strip(),
        signed_on=signed_on,
        method=signature_method,
        recorded_by=actor,
    )
    traject_transition(
        traject=traject,
        action=Action.SUBMIT_PART_TWO,
        actor=actor,
        reason=f"POP deel II versie {version} ingediend.",
        part_two_submitted_on=_today(),
    )
    notify_municipality(
        traject,
        subject=f"POP deel II van traject {traject.number} ingediend",
        text=f"De aanbieder heeft versie {version} van POP deel II ingediend ter toetsing.",
    )
    return part_two


HOUSEHOLD_HELP = "HH"


def _household_table_checked(raw: dict, deployments: list[DeploymentInput]) -> dict:
    """The hours table must be valid, and complete when household help is given (seed 002:
    "Als HH geboden wordt, is het normenkader ... helder en compleet ingevuld")."""
    try:
        table = household_table(raw)
    except ValueError as exc:
        raise TrajectError(str(exc)) from exc
    gives_household_help = any(
        d.support_form.code == HOUSEHOLD_HELP and d.per_week > 0 for d in deployments
    )
    if gives_household_help and not table:
        raise TrajectError(
            "Er wordt huishoudelijke hulp ingezet: vul de tabel met uren per jaar per taak en "
            "ruimte in."
        )
    return table


def _activities_checked(traject: Traject, activities: list[dict]) -> list[dict]:
    """Where the region works with a results matrix (Midden-Limburg, seed 004), every activity
    names a result code of the catalog version and a frequency, and there is at least one."""
    version = traject.part_one.level.arrangement.catalog_version
    codes = set(version.result_codes.values_list("code", flat=True))
    cleaned = []
    for i, activity in enumerate(activities, start=1):
        code = str(activity.get("result_code", "")).strip()
        text = str(activity.get("activity", "")).strip()
        frequency = str(activity.get("frequency", "")).strip()
        if not (code or text or frequency):
            continue
        if codes and code not in codes:
            raise TrajectError(f"Activiteit {i}: kies een resultaatcode uit de resultatenmatrix.")
        if not text or not frequency:
            raise TrajectError(f"Activiteit {i}: beschrijf de activiteit en de frequentie.")
        cleaned.append({"result_code": code, "activity": text, "frequency": frequency})
    if codes and not cleaned:
        raise TrajectError(
            "Deze regio werkt met een resultatenmatrix: geef ten minste één activiteit met "
            "resultaatcode en frequentie."
        )
    return cleaned


def latest_part_two(traject: Traject) -> PartTwo | None:
    return traject.part_twos.order_by("-version").first()


@transaction.atomic
def part_two_return(*, traject: Traject, actor: User, reasons: str) -> PartTwo:
    """The PA sends deel II back with reasons; the provider talks to the client again."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.RETURN_PART_TWO, actor=actor)
    if not reasons.strip():
        raise TrajectError("Geef aan waarom POP deel II terug gaat naar de aanbieder.")
    part_two = latest_part_two(traject)
    if part_two is None:
        raise TrajectError("Er is geen POP deel II om terug te sturen.")
    traject_transition(
        traject=traject, action=Action.RETURN_PART_TWO, actor=actor, reason=reasons.strip()
    )
    part_two.review = PartTwo.Review.RETURNED
    part_two.reviewed_by = actor
    part_two.reviewed_at = timezone.now()
    part_two.review_reasons = reasons.strip()
    part_two.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_reasons"])
    notify_provider(
        traject,
        subject=f"POP deel II van traject {traject.number} teruggestuurd",
        text=(
            f"De gemeente heeft versie {part_two.version} van POP deel II teruggestuurd. "
            "De redenen staan bij het traject; bespreek ze met de inwoner en dien opnieuw in."
        ),
    )
    return part_two
