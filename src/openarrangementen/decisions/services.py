"""Writes on beschikkingen: draft, four-eyes review, final; bezwaar; start, 3-month check,
follow-up after an evaluation; changes that lead to a new, linked beschikking."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.cases.domain import (
    CLOSED,
    TRANSITIONS,
    Action,
    TrajectStatus,
    TransitionError,
    check_transition,
    four_eyes_error,
)
from openarrangementen.cases.models import LinkKind, StatusChange, Traject
from openarrangementen.cases.services import (
    TrajectError,
    melding_register,
    notify_provider,
    provider_staff_refusal,
    require_pa,
    traject_check,
    traject_lock,
    traject_transition,
    traject_transitions,
)
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.selectors import level_price_on
from openarrangementen.clients.models import Client
from openarrangementen.core.audit import log_changes_in_bulk
from openarrangementen.core.memo import batch, once
from openarrangementen.core.selectors import equated_holiday_dates
from openarrangementen.plans.domain import goals_from_text
from openarrangementen.plans.models import PartTwo
from openarrangementen.plans.services import check_no_stacking, latest_part_two

from .domain import (
    FOLLOW_UP_LABELS,
    OPENS_NEW_TRAJECT,
    FollowUpKind,
    missing_for_beschikking,
    objection_due_on,
    start_check_due_on,
)
from .models import Beschikking, FollowUp, Objection, StartCheck


def _today() -> date:
    return timezone.localdate()


def _number_for(traject: Traject) -> str:
    count = Beschikking.objects.filter(traject=traject).count()
    return f"B{traject.number}-{count + 1}"


@transaction.atomic
def beschikking_draft(
    *, traject: Traject, actor: User, considerations: str, application_received_on: date
) -> Beschikking:
    """The PA accepts POP deel II and drafts the beschikking. The investigation is then
    complete and the signed plan counts as the aanvraag (Wmo 2015 art. 2.3.2 and 2.3.5)."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.DRAFT_DECISION, actor=actor)
    part_two = latest_part_two(traject)
    part_one = getattr(traject, "part_one", None)
    missing = missing_for_beschikking(
        has_deployment=part_two is not None and part_two.deployments.exists(),
        has_goals=part_one is not None and bool(goals_from_text(part_one.goals)),
        has_provider=traject.provider_id is not None,
    )
    if missing:
        raise TrajectError("Een beschikking kan nog niet: ontbreekt " + "; ".join(missing) + ".")
    if not considerations.strip():
        raise TrajectError("Schrijf de overwegingen van het besluit.")
    if application_received_on > _today() or application_received_on < traject.melding_received_on:
        raise TrajectError("De datum van de aanvraag ligt in de toekomst of vóór de melding.")
    traject_transition(
        traject=traject,
        action=Action.DRAFT_DECISION,
        actor=actor,
        reason=f"POP deel II versie {part_two.version} akkoord; beschikking in concept.",
        investigation_completed_on=_today(),
        application_received_on=application_received_on,
    )
    part_two.review = PartTwo.Review.ACCEPTED
    part_two.reviewed_by = actor
    part_two.reviewed_at = timezone.now()
    part_two.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    replaces = None
    if traject.previous_id and traject.link_kind in {
        LinkKind.CHANGE_ARRANGEMENT,
        LinkKind.CHANGE_PROVIDER,
    }:
        replaces = traject.previous.beschikkingen.filter(status=Beschikking.Status.FINAL).first()
    return Beschikking.objects.create(
        traject=traject,
        number=_number_for(traject),
        arrangement=part_one.arrangement,
        level=part_one.level,
        provider=traject.provider,
        part_two=part_two,
        start_on=part_one.start_on,
        end_on=part_one.end_on,
        considerations=considerations.strip(),
        # The letter mentions the disagreement only when the second look did not resolve it.
        client_disagreed=not part_one.client_agrees and part_one.second_opinion_agrees is False,
        drafted_by=actor,
        replaces=replaces,
    )


def _draft_of(traject: Traject, status: str) -> Beschikking:
    beschikking = traject.beschikkingen.filter(status=status).first()
    if beschikking is None:
        raise TrajectError("Er is geen beschikking in deze fase.")
    return beschikking


@transaction.atomic
def beschikking_revise(*, traject: Traject, actor: User, considerations: str) -> Beschikking:
    traject = traject_lock(traject)
    if traject.status_enum is not TrajectStatus.DECISION_DRAFT:
        raise TrajectError("Alleen een concept kan worden aangepast.")
    require_pa(actor)
    if not considerations.strip():
        raise TrajectError("Schrijf de overwegingen van het besluit.")
    beschikking = _draft_of(traject, Beschikking.Status.DRAFT)
    beschikking.considerations = considerations.strip()
    # Whoever writes the text is its drafter, so four-eyes holds for the final wording.
    beschikking.drafted_by = actor
    beschikking.save(update_fields=["considerations", "drafted_by", "updated_at"])
    return beschikking


@transaction.atomic
def beschikking_submit_for_review(*, traject: Traject, actor: User) -> Beschikking:
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.SUBMIT_FOR_REVIEW, actor=actor)
    beschikking = _draft_of(traject, Beschikking.Status.DRAFT)
    traject_transition(traject=traject, action=Action.SUBMIT_FOR_REVIEW, actor=actor)
    beschikking.status = Beschikking.Status.IN_REVIEW
    beschikking.save(update_fields=["status", "updated_at"])
    return beschikking


def _check_four_eyes(beschikking: Beschikking, actor: User) -> None:
    if error := four_eyes_error(drafted_by_id=beschikking.drafted_by_id, reviewer_id=actor.pk):
        raise TrajectError(error)


def beschikking_content(beschikking: Beschikking) -> dict:
    """Everything the letter shows, frozen when the beschikking becomes final."""
    traject = beschikking.traject
    client = traject.client
    part_one = traject.part_one
    part_two = beschikking.part_two
    cost_price = level_price_on(
        level=beschikking.level, kind=PriceKind.COST_PRICE, day=beschikking.start_on
    )
    return {
        "client": {
            "name": client.display_name,
            "address": client.address_line,
            "postcode": client.postcode,
            "city": client.city,
            "birth_date": client.birth_date.isoformat(),
        },
        "municipality": traject.municipality.name,
        "traject_number": traject.number,
        "melding_received_on": traject.melding_received_on.isoformat(),
        "application_received_on": (traject.application_received_on or _today()).isoformat(),
        "question": traject.question,
        "arrangement": f"{beschikking.arrangement.code} {beschikking.arrangement.name}",
        "level": beschikking.level.name,
        "product_code": beschikking.level.product_code,
        "provider": beschikking.provider.name,
        "provider_agb": beschikking.provider.agb_code,
        "start_on": beschikking.start_on.isoformat(),
        "end_on": beschikking.end_on.isoformat(),
        "goals": goals_from_text(part_one.goals),
        "results": part_two.results,
        "deployments": [
            {
                "form": d.support_form.name,
                "unit": d.support_form.get_unit_display(),
                "per_week": str(d.per_week),
                "intensity": d.intensity,
            }
            for d in part_two.deployments.select_related("support_form")
        ],
        "expected_changes": part_two.expected_changes,
        "cost_price": (
            {"amount": str(cost_price.amount), "period": cost_price.get_period_display()}
            if cost_price
            else None
        ),
        "considerations": beschikking.considerations,
        "client_disagreed": beschikking.client_disagreed,
        "disagreement": part_one.disagreement,
        "drafted_by": beschikking.drafted_by.get_full_name() or beschikking.drafted_by.username,
        "replaces": beschikking.replaces.number if beschikking.replaces else "",
    }


@transaction.atomic
def beschikking_approve(*, traject: Traject, actor: User, note: str = "") -> Beschikking:
    """A colleague who did not draft it makes the beschikking final (vierogenprincipe)."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.APPROVE_DECISION, actor=actor)
    beschikking = _draft_of(traject, Beschikking.Status.IN_REVIEW)
    _check_four_eyes(beschikking, actor)
    Client.objects.select_for_update().get(pk=traject.client_id)
    check_no_stacking(traject, start_on=beschikking.start_on, end_on=beschikking.end_on)
    today = _today()
    traject_transition(
        traject=traject,
        action=Action.APPROVE_DECISION,
        actor=actor,
        reason=note.strip() or f"Beschikking {beschikking.number} definitief.",
        decided_on=today,
    )
    beschikking.status = Beschikking.Status.FINAL
    beschikking.reviewed_by = actor
    beschikking.review_note = note.strip()
    beschikking.decided_on = today
    beschikking.content = beschikking_content(beschikking)
    beschikking.save()
    if beschikking.replaces_id:
        _end_replaced(beschikking, actor=actor, today=today)
    if not traject.is_practice:
        from openarrangementen.iwmo.services import assign_for_beschikking

        assign_for_beschikking(beschikking)
    notify_provider(
        traject,
        subject=f"Beschikking traject {traject.number} definitief",
        text=(
            f"De beschikking voor traject {traject.number} is definitief. Start de "
            "ondersteuning binnen de afgesproken termijn en leg de start vast."
        ),
    )
    return beschikking


def _end_replaced(beschikking: Beschikking, *, actor: User, today: date) -> None:
    """The replaced traject ends and its provider's consent ends with it: the old provider
    keeps no access after a change (SPEC §7)."""
    previous = Traject.objects.select_for_update().get(pk=beschikking.replaces.traject_id)
    previous.consents.filter(withdrawn_on__isnull=True).update(withdrawn_on=today)
    if previous.status_enum in {TrajectStatus.DECIDED, TrajectStatus.ACTIVE}:
        StatusChange.objects.create(
            traject=previous,
            action=Action.END.value,
            from_status=previous.status,
            to_status=TrajectStatus.ENDED.value,
            actor=actor,
            reason=f"Vervangen door beschikking {beschikking.number} ({beschikking.traject}).",
        )
        previous.status = TrajectStatus.ENDED.value
        previous.ended_on = previous.ended_on or today
        previous.save(update_fields=["status", "ended_on", "updated_at"])


@transaction.atomic
def beschikking_reject(*, traject: Traject, actor: User, reasons: str) -> Beschikking:
    """The colleague does not agree and writes why; the draft goes back to the PA."""
    traject = traject_lock(traject)
    traject_check(traject=traject, action=Action.REJECT_DECISION, actor=actor)
    beschikking = _draft_of(traject, Beschikking.Status.IN_REVIEW)
    _check_four_eyes(beschikking, actor)
    if not reasons.strip():
        raise TrajectError("Schrijf waarom u de beschikking niet goedkeurt.")
    traject_transition(
        traject=traject, action=Action.REJECT_DECISION, actor=actor, reason=reasons.strip()
    )
    beschikking.status = Beschikking.Status.DRAFT
    beschikking.review_note = reasons.strip()
    beschikking.save(update_fields=["status", "review_note", "updated_at"])
    return beschikking


@transaction.atomic
def objection_register(
    *, beschikking: Beschikking, actor: User, received_on: date, grounds: str
) -> Objection:
    """Register a bezwaar; whether it came within six weeks is recorded, not decided here
    (a late objection can still be excusable, Awb art. 6:11)."""
    traject_lock(beschikking.traject)
    if not beschikking.is_final:
        raise TrajectError("Bezwaar kan alleen tegen een definitieve beschikking.")
    if received_on < beschikking.decided_on or received_on > _today():
        raise TrajectError("De ontvangstdatum ligt vóór het besluit of in de toekomst.")
    if not grounds.strip():
        raise TrajectError("Vul de gronden van het bezwaar in.")
    if beschikking.objections.filter(received_on=received_on, grounds=grounds.strip()).exists():
        raise TrajectError("Dit bezwaar is al geregistreerd.")
    due = objection_due_on(beschikking.decided_on, equated_holiday_dates())
    return Objection.objects.create(
        beschikking=beschikking,
        received_on=received_on,
        grounds=grounds.strip(),
        is_on_time=received_on <= due,
        registered_by=actor,
    )


@transaction.atomic
def traject_start_record(*, traject: Traject, actor: User, started_on: date) -> Traject:
    """Support has started (from the provider, later the iWmo 305); plans the 3-month check."""
    (result,) = traject_starts_record([(traject, started_on)], actor=actor)
    if isinstance(result, TrajectError):
        raise result
    return result


@transaction.atomic
def traject_starts_record(
    starts: list[tuple[Traject, date]], *, actor: User
) -> list[Traject | TrajectError]:
    """Record starts, in order, each as one start is recorded (issue #14: the iWmo intake
    records hundreds at once): the step to *lopend* with its history and stored deadlines,
    the 3-month check and the evaluations, written in bulk. Per start the traject, or the
    refusal (`TrajectError`, nothing written for it; the others are recorded). The actor's
    roles, the links and the region's settings are read once (`core.memo.batch`)."""
    with batch():
        return _starts_record(starts, actor=actor)


def _starts_record(
    starts: list[tuple[Traject, date]], *, actor: User
) -> list[Traject | TrajectError]:
    # Imported here: `delivery` builds on this app.
    from openarrangementen.delivery.services import evaluations_plan_many

    roles = once(("roles", actor.pk), lambda: roles_of(actor))
    locked = {
        t.pk: t
        for t in Traject.objects.select_for_update()
        .filter(pk__in={traject.pk for traject, _ in starts})
        .order_by("pk")
    }
    results: list[Traject | TrajectError] = []
    steps, started = [], set()
    for traject, started_on in starts:
        current = locked[traject.pk]
        refusal = start_refusal(current, actor, started_on, again=current.pk in started)
        if refusal:
            results.append(TrajectError(refusal))
            continue
        started.add(current.pk)
        steps.append((current, f"Ondersteuning gestart op {started_on:%d-%m-%Y}.", started_on))
        results.append(current)
    if not steps:
        return results
    traject_transitions(
        [(t, reason, {"started_on": on}) for t, reason, on in steps],
        action=Action.REPORT_START,
        actor=actor,
    )
    trajects = [t for t, _, _ in steps]
    checked = set(
        StartCheck.objects.filter(traject__in=trajects).values_list("traject_id", flat=True)
    )
    checks = StartCheck.objects.bulk_create(
        StartCheck(traject=t, due_on=start_check_due_on(t.started_on))
        for t in trajects
        if t.pk not in checked
    )
    log_changes_in_bulk((None, check, None) for check in checks)
    evaluations_plan_many(trajects)
    if Role.PROCESREGISSEUR not in roles:
        from openarrangementen.iwmo.services import after_step, report_start, sends_in_portal

        for t in trajects:
            if not t.is_practice and sends_in_portal(t):
                after_step(report_start, traject=t, started_on=t.started_on)
    return results


def start_refusal(traject: Traject, actor: User, started_on: date, *, again: bool = False) -> str:
    """Why this start cannot be recorded, in the order one start is checked; "" if it can.
    `again`: the traject's start is already recorded earlier in the same call. Reads the
    actor's roles (once per batch) and nothing else."""
    roles = once(("roles", actor.pk), lambda: roles_of(actor))
    status = TRANSITIONS[Action.REPORT_START].target if again else traject.status_enum
    try:
        check_transition(Action.REPORT_START, status, roles)
    except TransitionError as exc:
        return str(exc)
    if Role.PROCESREGISSEUR not in roles:
        refusal = provider_staff_refusal(traject, actor, what="de start vastleggen")
        if refusal:
            return refusal
    if started_on > _today():
        return "De startdatum ligt in de toekomst."
    if traject.decided_on and started_on < traject.decided_on:
        return "De ondersteuning kan niet vóór het besluit zijn gestart."
    return ""


@transaction.atomic
def start_check_record(
    *,
    traject: Traject,
    actor: User,
    done_on: date,
    started_in_time: bool,
    within_arrangement: bool,
    satisfaction: int,
    remarks: str = "",
) -> StartCheck:
    traject = traject_lock(traject)
    require_pa(actor)
    check = StartCheck.objects.filter(traject=traject).first()
    if check is None:
        raise TrajectError("Er is nog geen start gemeld; de 3-maandencheck volgt op de start.")
    if check.done_on is not None:
        raise TrajectError("De 3-maandencheck is al vastgelegd.")
    if not 1 <= satisfaction <= 10:
        raise TrajectError("De tevredenheid is een cijfer van 1 tot en met 10.")
    if done_on > _today() or (traject.started_on and done_on < traject.started_on):
        raise TrajectError("De datum van het gesprek ligt in de toekomst of vóór de start.")
    check.done_on = done_on
    check.started_in_time = started_in_time
    check.within_arrangement = within_arrangement
    check.satisfaction = satisfaction
    check.remarks = remarks.strip()
    check.done_by = actor
    check.save()
    return check


@transaction.atomic
def follow_up_decide(
    *,
    traject: Traject,
    actor: User,
    kind: FollowUpKind,
    evaluation_summary: str,
    explanation: str,
) -> FollowUp:
    """Process an evaluation into a follow-up decision. A follow-up that needs a new decision
    opens a new traject, linked to this one, with a melding dated today."""
    traject = traject_lock(traject)
    require_pa(actor)
    if traject.status_enum not in {TrajectStatus.DECIDED, TrajectStatus.ACTIVE}:
        raise TrajectError("Een vervolgbesluit hoort bij een traject met een beschikking.")
    if FollowUp.objects.filter(traject=traject).exists():
        raise TrajectError("Voor dit traject is al een vervolgbesluit genomen.")
    if not evaluation_summary.strip() or not explanation.strip():
        raise TrajectError("Vat de evaluatie samen en licht het besluit toe.")
    new_traject = None
    # The provider's evaluation may already have made the melding for a re-indication.
    from_evaluation = (
        traject.follow_ups.filter(link_kind=LinkKind.FOLLOW_UP)
        .exclude(status__in=[s.value for s in CLOSED])
        .order_by("-pk")
        .first()
    )
    if kind in OPENS_NEW_TRAJECT and from_evaluation is not None:
        new_traject = from_evaluation
    elif kind in OPENS_NEW_TRAJECT:
        new_traject = melding_register(
            actor=actor,
            client=traject.client,
            channel=Traject.Channel.EVALUATION,
            received_on=_today(),
            question=f"{FOLLOW_UP_LABELS[kind]} na evaluatie van traject {traject.number}.",
            reported_by=Traject.Reporter.PROFESSIONAL,
            reporter_name=traject.provider.name if traject.provider else "",
            previous=traject,
            link_kind=LinkKind.FOLLOW_UP,
            link_reason=explanation.strip(),
        )
    return FollowUp.objects.create(
        traject=traject,
        kind=kind.value,
        evaluation_summary=evaluation_summary.strip(),
        explanation=explanation.strip(),
        decided_by=actor,
        decided_on=_today(),
        new_traject=new_traject,
    )


@transaction.atomic
def traject_change_open(*, traject: Traject, actor: User, kind: str, reason: str) -> Traject:
    """Start a change of arrangement or provider: a new traject linked to this one, whose
    beschikking will replace the current one. A change of arrangement starts at the
    indicatiestelling; a change of provider keeps POP deel I and starts at the choice."""
    traject = traject_lock(traject)
    require_pa(actor)
    if traject.status_enum not in {TrajectStatus.DECIDED, TrajectStatus.ACTIVE}:
        raise TrajectError("Wijzigen kan alleen bij een traject met een definitieve beschikking.")
    if kind not in {LinkKind.CHANGE_ARRANGEMENT, LinkKind.CHANGE_PROVIDER}:
        raise TrajectError("Kies een wijziging van arrangement of van aanbieder.")
    if not reason.strip():
        raise TrajectError("Geef de reden van de wijziging.")
    if traject.follow_ups.exclude(status__in=[s.value for s in CLOSED]).exists():
        raise TrajectError("Er loopt al een vervolg- of wijzigingstraject.")
    is_provider_change = kind == LinkKind.CHANGE_PROVIDER
    new_traject = melding_register(
        actor=actor,
        client=traject.client,
        channel=Traject.Channel.OTHER,
        received_on=_today(),
        question=f"{LinkKind(kind).label}: {reason.strip()}",
        reported_by=Traject.Reporter.CLIENT,
        previous=traject,
        link_kind=kind,
        link_reason=reason.strip(),
        initial_status=(
            TrajectStatus.PROVIDER_CHOICE if is_provider_change else TrajectStatus.ASSESSMENT
        ),
    )
    if is_provider_change:
        part_one = traject.part_one
        domains = list(part_one.relevant_domains.all())
        part_one.pk = None
        part_one.id = None
        part_one._state.adding = True
        part_one.traject = new_traject
        part_one.completed_by = actor
        part_one.save()
        part_one.relevant_domains.set(domains)
    new_traject.procesregisseur = actor
    new_traject.save(update_fields=["procesregisseur", "updated_at"])
    return new_traject
