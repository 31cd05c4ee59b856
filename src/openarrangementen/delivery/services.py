"""Writes on the provider's side after the hand-over: distribute the work, keep casusregie,
signal, stop, hand over, evaluate, delegate to a subcontractor.

Every service locks the traject, checks the step against `cases.domain.TRANSITIONS` and
the actor against the traject's provider, and raises `TrajectError` (Dutch) when refused;
nothing is then saved. Notifications name only the traject number (see core.notifications).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import region_of
from openarrangementen.cases.domain import CLOSED, Action, DeadlineKind, TrajectStatus
from openarrangementen.cases.models import LinkKind, StatusChange, Traject
from openarrangementen.cases.selectors import deadlines_of, traject_list_visible_to
from openarrangementen.cases.services import (
    TrajectError,
    melding_for_reindication,
    notify_municipality,
    notify_provider,
    provider_staff,
    provider_traject_url,
    require_pa,
    require_provider_staff,
    traject_check,
    traject_lock,
    traject_transition,
)
from openarrangementen.catalog.models import SupportForm
from openarrangementen.catalog.selectors import bandwidths_of
from openarrangementen.contracting.models import PartnershipMember
from openarrangementen.core.memo import once
from openarrangementen.core.notifications import notify
from openarrangementen.core.selectors import add_working_days
from openarrangementen.iwmo.codelists import CodeListUnavailable, reasons_of_ending
from openarrangementen.plans.domain import (
    BandwidthCheck,
    SignatureKind,
    SignatureMethod,
    goals_from_text,
)
from openarrangementen.plans.models import PartTwo

from .domain import (
    ADVICE_LABELS,
    LOG_LABELS,
    NEEDS_REINDICATION,
    SIGNAL_LABELS,
    Advice,
    EvaluationKind,
    LogKind,
    SignalKind,
    evaluation_errors,
    evaluation_plan,
    week_of,
)
from .models import (
    Delegation,
    DeliveryPolicy,
    Evaluation,
    Handover,
    LogEntry,
    Signal,
    SupportStop,
    WeeklyDeployment,
    WorkAssignment,
)

STOP_EVALUATION_WORKING_DAYS = 10  # an evaluation when support stops early: due within 2 weeks


def _today() -> date:
    return timezone.localdate()


def policy_for(traject: Traject) -> DeliveryPolicy:
    """The region's agreements; the seed-002 defaults when the region has not set any."""
    region = traject.municipality.region
    return DeliveryPolicy.objects.filter(region=region).first() or DeliveryPolicy(region=region)


def policy_of_region(region_id: int) -> DeliveryPolicy:
    """`policy_for` by region (read once per batch: `core.memo`)."""
    return once(
        ("delivery-policy", region_id),
        lambda: (
            DeliveryPolicy.objects.filter(region_id=region_id).first()
            or DeliveryPolicy(region_id=region_id)
        ),
    )


# --- Distribute the work --------------------------------------------------------------------


@transaction.atomic
def traject_assign(
    *, traject: Traject, actor: User, professional: User, note: str = ""
) -> WorkAssignment:
    """The werkverdeler assigns the traject to a professional of the organisation, or
    reassigns it; the professional is notified."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.ASSIGN, actor=actor)
    if not provider_staff(traject.provider_id, {Role.WERKVERDELER}).filter(pk=actor.pk).exists():
        raise TrajectError("Alleen een werkverdeler van deze aanbieder mag werk verdelen.")
    eligible = provider_staff(traject.provider_id, {Role.BEGELEIDER, Role.WERKVERDELER})
    if not eligible.filter(pk=professional.pk).exists():
        raise TrajectError("Deze medewerker werkt niet als begeleider bij uw organisatie.")
    previous = traject.professional
    if previous is not None and previous.pk == professional.pk:
        raise TrajectError(f"Het traject is al toegewezen aan {professional}.")
    assignment = WorkAssignment.objects.create(
        traject=traject, professional=professional, assigned_by=actor, note=note.strip()
    )
    reason = (
        f"Opnieuw toegewezen: van {previous} aan {professional}."
        if previous
        else f"Toegewezen aan {professional}."
    )
    traject_transition(
        traject=traject, action=Action.ASSIGN, actor=actor, reason=reason, professional=professional
    )
    notify(
        recipients=[professional],
        subject=f"Traject {traject.number} aan u toegewezen",
        text=f"{actor} heeft traject {traject.number} aan u toegewezen."
        + (f" Toelichting: {note.strip()}" if note.strip() else ""),
        url=provider_traject_url(traject),
    )
    return assignment


# --- Casusregie -----------------------------------------------------------------------------


@transaction.atomic
def log_entry_add(*, traject: Traject, actor: User, on: date, kind: LogKind, note: str) -> LogEntry:
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.LOG_DELIVERY, actor=actor)
    require_provider_staff(traject, actor, what="het casusregie-logboek bijhouden")
    if on > _today():
        raise TrajectError("De datum ligt in de toekomst.")
    if kind not in LOG_LABELS:
        raise TrajectError("Kies de soort notitie.")
    if not note.strip():
        raise TrajectError("Schrijf op wat er is besproken of afgesproken.")
    return LogEntry.objects.create(
        traject=traject, on=on, kind=kind.value, note=note.strip(), written_by=actor
    )


def bandwidth_of(traject: Traject) -> dict[str, tuple[Decimal, Decimal]]:
    """support form code -> (minimum, maximum) per week for the traject's level."""
    return bandwidths_of(traject.part_one.level)


@transaction.atomic
def weekly_deployment_record(
    *, traject: Traject, actor: User, week: date, amounts: dict[SupportForm, Decimal]
) -> dict[str, BandwidthCheck]:
    """Record the deployment agreed with the client for one week, per support form. Within
    the bandwidth the municipality need not approve it (seed 000); outside it the provider
    is warned to signal the municipality. Recording the same week again replaces it."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.LOG_DELIVERY, actor=actor)
    require_provider_staff(traject, actor, what="de inzet per week vastleggen")
    if traject.status_enum is not TrajectStatus.ACTIVE:
        raise TrajectError("De inzet per week wordt bijgehouden zodra de ondersteuning loopt.")
    monday = week_of(week)
    part_one = traject.part_one
    if monday < week_of(traject.started_on) or monday > part_one.end_on:
        raise TrajectError("Deze week valt buiten de looptijd van de ondersteuning.")
    if monday > week_of(_today()) + timedelta(weeks=4):
        raise TrajectError("U kunt de inzet hooguit vier weken vooruit vastleggen.")
    allowed = set(part_one.arrangement.support_forms.values_list("pk", flat=True))
    bandwidths = bandwidth_of(traject)
    states: dict[str, BandwidthCheck] = {}
    for form, amount in amounts.items():
        if form.pk not in allowed:
            raise TrajectError(f"{form.name} hoort niet bij dit arrangement.")
        if amount is None:
            continue
        if amount < 0:
            raise TrajectError(f"{form.name}: de inzet kan niet negatief zijn.")
        WeeklyDeployment.objects.update_or_create(
            traject=traject,
            week=monday,
            support_form=form,
            defaults={"amount": amount, "recorded_by": actor},
        )
        if form.code in bandwidths:
            states[form.code] = BandwidthCheck(form.code, amount, *bandwidths[form.code])
    return states


# --- Signals --------------------------------------------------------------------------------


@transaction.atomic
def signal_send(*, traject: Traject, actor: User, kind: SignalKind, description: str) -> Signal:
    """Report a change in the client's situation to the municipality (seed 000: "actieve
    signalerende functie"); the PA is notified."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.SIGNAL, actor=actor)
    require_provider_staff(traject, actor, what="een signaal afgeven")
    if kind not in SIGNAL_LABELS:
        raise TrajectError("Kies de soort signaal.")
    if not description.strip():
        raise TrajectError("Beschrijf wat er is veranderd.")
    signal = Signal.objects.create(
        traject=traject, kind=kind.value, description=description.strip(), sent_by=actor
    )
    traject_transition(
        traject=traject,
        action=Action.SIGNAL,
        actor=actor,
        reason=f"Signaal van de aanbieder: {SIGNAL_LABELS[kind]}.",
    )
    notify_municipality(
        traject,
        subject=f"Signaal bij traject {traject.number}",
        text=f"De aanbieder meldt: {SIGNAL_LABELS[kind]}. Lees het signaal bij het traject.",
    )
    return signal


@transaction.atomic
def signal_read(*, signal: Signal, actor: User, response: str = "") -> Signal:
    """The PA has read the signal and may answer; the provider sees the answer."""
    require_pa(actor)
    if not traject_list_visible_to(actor=actor).filter(pk=signal.traject_id).exists():
        raise TrajectError("U heeft geen toegang tot dit traject.")
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.read_at is not None:
        raise TrajectError("Dit signaal is al gelezen.")
    signal.read_by = actor
    signal.read_at = timezone.now()
    signal.response = response.strip()
    signal.save(update_fields=["read_by", "read_at", "response"])
    if signal.response:
        notify_provider(
            signal.traject,
            subject=f"Reactie op signaal bij traject {signal.traject.number}",
            text="De gemeente heeft op uw signaal gereageerd.",
        )
    return signal


# --- Start and stop -------------------------------------------------------------------------


def start_due_on(traject: Traject) -> date | None:
    """The last day to start after the beschikking, by the region's agreement (DeadlineRule
    'start': Almere 5, Midden-Limburg 10 working days)."""
    for deadline in deadlines_of(traject, today=_today()):
        if deadline.kind is DeadlineKind.START:
            return deadline.due_on
    return None


def stop_reasons() -> list:
    """The WMO588 reasons a provider may give on its own initiative."""
    return reasons_of_ending(provider_initiative_only=True)


@transaction.atomic
def support_stop(
    *, traject: Traject, actor: User, stopped_on: date, reason_code: str, explanation: str
) -> SupportStop:
    """The provider stops the support with an iWmo reason of ending (WMO588). The traject
    ends; unsubmitted planned evaluations after the stop are replaced by an evaluation at the
    stop (seed 002: "indien de ondersteuning stopt")."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.END, actor=actor)
    require_provider_staff(traject, actor, what="de ondersteuning stoppen")
    try:
        reasons = {c.code: c for c in stop_reasons()}
    except CodeListUnavailable as exc:
        raise TrajectError(str(exc)) from exc
    if reason_code not in reasons:
        raise TrajectError("Kies een reden van beëindiging uit de iWmo-codelijst (WMO588).")
    if not explanation.strip():
        raise TrajectError("Licht toe waarom de ondersteuning stopt.")
    if stopped_on > _today():
        raise TrajectError("Leg de stop vast op of na de laatste dag van de ondersteuning.")
    if traject.started_on and stopped_on < traject.started_on:
        raise TrajectError("De ondersteuning kan niet stoppen vóór de start.")
    reason = reasons[reason_code]
    stop = SupportStop.objects.create(
        traject=traject,
        stopped_on=stopped_on,
        reason_code=reason.code,
        reason_label=reason.label,
        explanation=explanation.strip(),
        recorded_by=actor,
    )
    traject_transition(
        traject=traject,
        action=Action.END,
        actor=actor,
        reason=f"Ondersteuning gestopt: {reason.display}. {explanation.strip()}",
        ended_on=stopped_on,
    )
    traject.evaluations.filter(submitted_at__isnull=True, due_on__gt=stopped_on).delete()
    if (
        traject.started_on
        and not traject.evaluations.filter(
            kind=EvaluationKind.FINAL, submitted_at__isnull=False
        ).exists()
    ):
        due = add_working_days(stopped_on, STOP_EVALUATION_WORKING_DAYS)
        Evaluation.objects.create(
            traject=traject, kind=EvaluationKind.STOP.value, due_on=due, remind_on=stopped_on
        )
    if not traject.is_practice:
        from openarrangementen.iwmo.services import after_step, report_stop

        after_step(report_stop, traject=traject, stopped_on=stopped_on, reason_code=reason.code)
    notify_municipality(
        traject,
        subject=f"Ondersteuning gestopt bij traject {traject.number}",
        text=f"De aanbieder heeft de ondersteuning gestopt: {reason.display}.",
    )
    return stop


# --- Warm handover --------------------------------------------------------------------------


def handover_target(traject: Traject) -> Traject | None:
    """The open traject for the change of provider that follows this one, if any."""
    return (
        traject.follow_ups.filter(link_kind=LinkKind.CHANGE_PROVIDER)
        .exclude(status__in=[s.value for s in CLOSED - {TrajectStatus.ENDED}])
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def handover_write(*, traject: Traject, actor: User, text: str) -> Handover:
    """On a change of provider the old provider writes a warm handover for the new one
    (seed 000); the new provider reads it on its traject."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.HANDOVER, actor=actor)
    require_provider_staff(traject, actor, what="de overdracht schrijven")
    target = handover_target(traject)
    if target is None:
        raise TrajectError("Er loopt geen wisseling van aanbieder voor dit traject.")
    if Handover.objects.filter(traject=traject).exists():
        raise TrajectError("De warme overdracht is al geschreven.")
    if not text.strip():
        raise TrajectError("Schrijf de overdracht voor de nieuwe aanbieder.")
    handover = Handover.objects.create(
        traject=traject, to_traject=target, text=text.strip(), written_by=actor
    )
    traject_transition(
        traject=traject,
        action=Action.HANDOVER,
        actor=actor,
        reason=f"Warme overdracht geschreven voor traject {target.number}.",
    )
    if target.provider_id and target.handed_to_provider_on:
        notify_provider(
            target,
            subject=f"Warme overdracht bij traject {target.number}",
            text="De vorige aanbieder heeft een warme overdracht geschreven.",
        )
    return handover


# --- Evaluation -----------------------------------------------------------------------------


def evaluations_plan(traject: Traject) -> list[Evaluation]:
    """Plan the evaluations when support starts: the final one (Almere and Midden-Limburg:
    at the latest 8 weeks before the end, reminder at 10) and, where the region evaluates
    every half year, the interim ones. Planning twice adds nothing."""
    if traject.evaluations.exists() or traject.started_on is None:
        return list(traject.evaluations.all())
    return evaluations_plan_many([traject])


def evaluations_plan_many(trajects: list[Traject]) -> list[Evaluation]:
    """`evaluations_plan` for many started trajects at once (issue #14), in a fixed number
    of queries; returns the evaluations it planned (none for a traject that has some)."""
    from openarrangementen.plans.models import PartOne

    planned = set(
        Evaluation.objects.filter(traject__in=trajects).values_list("traject_id", flat=True)
    )
    todo = [t for t in trajects if t.pk not in planned and t.started_on is not None]
    if not todo:
        return []
    ends = dict(PartOne.objects.filter(traject__in=todo).values_list("traject_id", "end_on"))
    rows = []
    for traject in todo:
        if traject.pk not in ends:
            raise Traject.part_one.RelatedObjectDoesNotExist("Traject has no part_one.")
        policy = policy_of_region(region_of(traject.municipality_id))
        plans = evaluation_plan(
            started_on=traject.started_on,
            ends_on=ends[traject.pk],
            weeks_before_end=policy.evaluation_weeks_before_end,
            reminder_weeks_before_end=policy.evaluation_reminder_weeks,
            interim_every_months=policy.interim_every_months,
        )
        rows.extend(
            Evaluation(traject=traject, kind=p.kind.value, due_on=p.due_on, remind_on=p.remind_on)
            for p in plans
        )
    return Evaluation.objects.bulk_create(rows)


def evaluation_results_template(traject: Traject) -> list[dict]:
    """The results of the accepted POP deel II (or the goals of deel I) to evaluate."""
    part_two = traject.part_twos.filter(review=PartTwo.Review.ACCEPTED).order_by("-version").first()
    if part_two is not None:
        return [
            {"result": r.get("result") or r.get("goal", ""), "goal": r.get("goal", "")}
            for r in part_two.results
        ]
    return [{"result": g, "goal": g} for g in goals_from_text(traject.part_one.goals)]


@transaction.atomic
def evaluation_submit(
    *,
    evaluation: Evaluation,
    actor: User,
    held_on: date,
    results: list[dict],
    advice: Advice,
    explanation: str,
    signature_kind: SignatureKind,
    signer_name: str,
    signed_on: date,
    signature_method: SignatureMethod,
) -> Evaluation:
    """Submit an evaluation made with the client. When the advice is a re-indication, the
    melding for it is made in the same step, linked to this traject."""
    traject = traject_lock(evaluation.traject)
    traject_check(traject=traject, action=Action.EVALUATE, actor=actor)
    require_provider_staff(traject, actor, what="de evaluatie indienen")
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk, traject=traject)
    if evaluation.is_submitted:
        raise TrajectError("Deze evaluatie is al ingediend.")
    errors = evaluation_errors(results=results, advice=advice, explanation=explanation)
    expected = len(evaluation_results_template(traject))
    if len(results) != expected:
        errors.append(f"Evalueer elk van de {expected} resultaten uit het POP.")
    if held_on > _today() or (traject.started_on and held_on < traject.started_on):
        errors.append("Het evaluatiegesprek ligt in de toekomst of vóór de start.")
    if not signer_name.strip() or signed_on > _today():
        errors.append("Leg de ondertekening vast: naam en een datum die niet in de toekomst ligt.")
    if errors:
        raise TrajectError(" ".join(errors))
    evaluation.held_on = held_on
    evaluation.results = [
        {
            "result": str(r.get("result", "")),
            "achieved": bool(r["achieved"]),
            "why_how": str(r["why_how"]).strip(),
        }
        for r in results
    ]
    evaluation.advice = advice.value
    evaluation.explanation = explanation.strip()
    evaluation.signature_kind = signature_kind.value
    evaluation.signer_name = signer_name.strip()
    evaluation.signed_on = signed_on
    evaluation.signature_method = signature_method.value
    evaluation.submitted_by = actor
    evaluation.submitted_at = timezone.now()
    if advice in NEEDS_REINDICATION:
        evaluation.reindication = melding_for_reindication(
            traject=traject,
            actor=actor,
            question=(
                f"{ADVICE_LABELS[advice]} ({evaluation.get_kind_display().lower()} van "
                f"{traject.provider}): {explanation.strip()}"
            ),
        )
    evaluation.save()
    traject_transition(
        traject=traject,
        action=Action.EVALUATE,
        actor=actor,
        reason=f"{evaluation.get_kind_display()} ingediend; advies: {ADVICE_LABELS[advice]}.",
    )
    notify_municipality(
        traject,
        subject=f"Evaluatie bij traject {traject.number}",
        text=f"De aanbieder heeft de {evaluation.get_kind_display().lower()} ingediend "
        f"met advies: {ADVICE_LABELS[advice]}.",
    )
    return evaluation


def evaluation_reminders_send(*, today: date | None = None) -> int:
    """Remind the provider of evaluations whose reminder date has come (10 weeks before the
    end by default). Each evaluation is reminded once; running twice sends nothing new."""
    today = today or _today()
    sent = 0
    due = Evaluation.objects.filter(
        submitted_at__isnull=True, reminded_at__isnull=True, remind_on__lte=today
    ).select_related("traject__professional")
    for evaluation in due:
        with transaction.atomic():
            claimed = Evaluation.objects.filter(pk=evaluation.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            notify_provider(
                evaluation.traject,
                subject=f"Evaluatie traject {evaluation.traject.number} uiterlijk "
                f"{evaluation.due_on:%d-%m-%Y}",
                text=f"De {evaluation.get_kind_display().lower()} van traject "
                f"{evaluation.traject.number} moet uiterlijk {evaluation.due_on:%d-%m-%Y} zijn "
                "ingediend.",
            )
            sent += 1
    return sent


# --- Subcontractor delegation ---------------------------------------------------------------


def delegates_for(traject: Traject):
    """Employees of the hoofdaanbieder's partners who may be given read access."""
    members = PartnershipMember.objects.filter(
        partnership__lead_provider=traject.provider_id,
        partnership__region=traject.municipality.region_id,
    ).values("provider")
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.ONDERAANNEMER.value,
            role_assignments__provider__in=members,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@transaction.atomic
def delegation_grant(*, traject: Traject, actor: User, delegate: User, reason: str) -> Delegation:
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.DELEGATE, actor=actor)
    if not provider_staff(traject.provider_id, {Role.WERKVERDELER}).filter(pk=actor.pk).exists():
        raise TrajectError("Alleen een werkverdeler van de hoofdaanbieder mag inzage geven.")
    if not policy_for(traject).delegation_allowed:
        raise TrajectError(
            "In deze regio krijgen onderaannemers geen inzage in trajecten (afspraak van de regio)."
        )
    if not delegates_for(traject).filter(pk=delegate.pk).exists():
        raise TrajectError("Deze persoon werkt niet bij een partner in uw samenwerkingsverband.")
    if not reason.strip():
        raise TrajectError("Geef aan waarom deze medewerker inzage nodig heeft.")
    subcontractor = delegate.role_assignments.filter(role=Role.ONDERAANNEMER.value).first().provider
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                traject=traject,
                delegate=delegate,
                subcontractor=subcontractor,
                reason=reason.strip(),
                granted_by=actor,
            )
    except IntegrityError as exc:
        raise TrajectError(f"{delegate} heeft al inzage in dit traject.") from exc
    traject_transition(
        traject=traject,
        action=Action.DELEGATE,
        actor=actor,
        reason=f"Inzage gegeven aan {delegate} ({subcontractor}).",
    )
    notify(
        recipients=[delegate],
        subject=f"Inzage in traject {traject.number}",
        text=f"{traject.provider} heeft u inzage gegeven in traject {traject.number}.",
        url=provider_traject_url(traject),
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, actor: User) -> Delegation:
    traject = traject_lock(delegation.traject)
    if not provider_staff(traject.provider_id, {Role.WERKVERDELER}).filter(pk=actor.pk).exists():
        raise TrajectError("Alleen een werkverdeler van de hoofdaanbieder mag inzage intrekken.")
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.revoked_at is not None:
        raise TrajectError("Deze inzage is al ingetrokken.")
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = actor
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    StatusChange.objects.create(
        traject=traject,
        action=Action.DELEGATE.value,
        from_status=traject.status,
        to_status=traject.status,
        actor=actor,
        reason=f"Inzage van {delegation.delegate} ingetrokken.",
    )
    return delegation
