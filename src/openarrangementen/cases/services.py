"""Every write on a traject: melding, screening, keukentafelgesprek, transitions, suspension.

Each service runs in one transaction, locks the traject, checks the workflow rule in
`cases.domain` and writes the history row with the change. A refused step raises
`TrajectError` (Dutch message) and leaves the data as it was.
"""

import copy
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.models import Municipality, Region, User
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.clients.models import Client
from openarrangementen.core.memo import once
from openarrangementen.core.notifications import notify

from .deadlines import save_in_bulk
from .domain import (
    OPEN_BEFORE_DECISION,
    TRANSITIONS,
    Action,
    TrajectStatus,
    TransitionError,
    check_transition,
)
from .models import (
    DeadlineRule,
    Intake,
    LinkKind,
    SelfSufficiencyMatrix,
    StatusChange,
    Suspension,
    Traject,
    ZrmDomain,
    ZrmScore,
)
from .zrm import ZRM_2017_DOMAINS, ZRM_2017_NAME, ZRM_LEVEL_NAMES


class TrajectError(Exception):
    """A step refused by a rule; the message is shown to the user as it is."""


def _today() -> date:
    return timezone.localdate()


def traject_lock(traject: Traject) -> Traject:
    """The traject, re-read and locked for the rest of the caller's transaction."""
    return Traject.objects.select_for_update().get(pk=traject.pk)


def require_pa(actor: User) -> None:
    if Role.PROCESREGISSEUR not in roles_of(actor):
        raise TrajectError("Alleen een procesregisseur mag dit doen.")


def _number_next(municipality: Municipality, year: int) -> str:
    # The municipality row is locked so two meldingen on one day cannot get the same number.
    Municipality.objects.select_for_update().get(pk=municipality.pk)
    prefix = f"{municipality.cbs_code}-{year}-"
    last = (
        Traject.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _may_work_on(actor: User, municipality: Municipality) -> bool:
    return municipalities_for(actor, MUNICIPALITY_CLIENT_ROLES).filter(pk=municipality.pk).exists()


@transaction.atomic
def melding_register(
    *,
    actor: User,
    client: Client,
    channel: str,
    received_on: date,
    question: str,
    reported_by: str,
    reporter_name: str = "",
    previous: Traject | None = None,
    link_kind: str = "",
    link_reason: str = "",
    initial_status: TrajectStatus = TrajectStatus.MELDING,
) -> Traject:
    """Open a traject with a melding. Its date starts the legal clock (Wmo 2015 art. 2.3.2).

    `initial_status` is for a change of an existing decision (`decisions.services`), which
    starts at the indicatiestelling or the provider choice instead of the screening.
    """
    roles = roles_of(actor)
    if not roles & {Role.WIJKWERKER, Role.PROCESREGISSEUR} or not _may_work_on(
        actor, client.municipality
    ):
        raise TrajectError("U mag geen melding registreren voor inwoners van deze gemeente.")
    return _melding_create(
        actor=actor,
        client=client,
        channel=channel,
        received_on=received_on,
        question=question,
        reported_by=reported_by,
        reporter_name=reporter_name,
        previous=previous,
        link_kind=link_kind,
        link_reason=link_reason,
        initial_status=initial_status,
        wijkwerker=actor if Role.WIJKWERKER in roles else None,
    )


def _melding_create(
    *,
    actor: User,
    client: Client,
    channel: str,
    received_on: date,
    question: str,
    reported_by: str,
    reporter_name: str,
    previous: Traject | None,
    link_kind: str,
    link_reason: str,
    initial_status: TrajectStatus,
    wijkwerker: User | None,
    procesregisseur: User | None = None,
) -> Traject:
    if received_on > _today():
        raise TrajectError("De datum van de melding ligt in de toekomst.")
    if not question.strip():
        raise TrajectError("Beschrijf de hulpvraag.")
    # The same form sent twice (double click, back button) must not open a second traject.
    Client.objects.select_for_update().get(pk=client.pk)
    twin = Traject.objects.filter(
        client=client, melding_received_on=received_on, question=question.strip()
    ).first()
    if twin is not None:
        raise TrajectError(f"Deze melding is al geregistreerd als traject {twin.number}.")
    traject = Traject.objects.create(
        number=_number_next(client.municipality, received_on.year),
        client=client,
        municipality=client.municipality,
        channel=channel,
        melding_received_on=received_on,
        question=question.strip(),
        reported_by=reported_by,
        reporter_name=reporter_name.strip(),
        wijkwerker=wijkwerker,
        procesregisseur=procesregisseur,
        previous=previous,
        link_kind=link_kind,
        link_reason=link_reason,
        status=initial_status.value,
        is_practice=previous.is_practice if previous else False,
    )
    StatusChange.objects.create(
        traject=traject,
        action=Action.REGISTER.value,
        from_status="",
        to_status=initial_status.value,
        actor=actor,
        reason=f"Melding ontvangen op {received_on:%d-%m-%Y}.",
    )
    return traject


def melding_for_reindication(*, traject: Traject, actor: User, question: str) -> Traject:
    """The provider's evaluation advises a lighter or heavier level: the melding for the
    re-indication is made in the same step (issue #4), linked to the traject, for its PA."""
    require_provider_staff(traject, actor, what="een herindicatie melden")
    return _melding_create(
        actor=actor,
        client=traject.client,
        channel=Traject.Channel.EVALUATION,
        received_on=_today(),
        question=question,
        reported_by=Traject.Reporter.PROFESSIONAL,
        reporter_name=traject.provider.name,
        previous=traject,
        link_kind=LinkKind.FOLLOW_UP,
        link_reason=question,
        initial_status=TrajectStatus.MELDING,
        wijkwerker=None,
        procesregisseur=traject.procesregisseur,
    )


def traject_check(*, traject: Traject, action: Action, actor: User) -> None:
    """Refuse early when the step is not allowed: before any content rule is checked."""
    try:
        check_transition(action, traject.status_enum, roles_of(actor))
    except TransitionError as exc:
        raise TrajectError(str(exc)) from exc


def traject_transition(
    *, traject: Traject, action: Action, actor: User, reason: str = "", **changes: object
) -> Traject:
    """Take one step of the transition table; record who, when, from, to and why.

    Must run inside the caller's transaction with `traject` locked. `changes` are field
    values saved with the new status (e.g. the date that meets a deadline).
    """
    return traject_transitions([(traject, reason, changes)], action=action, actor=actor)[0]


def traject_transitions(
    steps: list[tuple[Traject, str, dict]], *, action: Action, actor: User
) -> list[Traject]:
    """`traject_transition` for many trajects at once (issue #14: the iWmo intake starts
    hundreds in one go): per (traject, reason, changes) the same check and history, and the
    trajects with their stored deadlines and change log written in bulk. Each traject must
    be locked by the caller; one refused step refuses them all."""
    roles = once(("roles", actor.pk), lambda: roles_of(actor))
    target = TRANSITIONS[action].target
    history, fields, before = [], {"status"}, {}
    for traject, reason, changes in steps:
        try:
            check_transition(action, traject.status_enum, roles)
        except TransitionError as exc:
            raise TrajectError(str(exc)) from exc
        before.setdefault(traject.pk, copy.copy(traject))  # as locked: for the change log
        from_status = traject.status
        to_status = target.value if target is not None else from_status
        history.append(
            StatusChange(
                traject=traject,
                action=action.value,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                reason=reason,
            )
        )
        traject.status = to_status
        for field, value in changes.items():
            setattr(traject, field, value)
        fields.update(changes)
    StatusChange.objects.bulk_create(history)
    save_in_bulk([traject for traject, _, _ in steps], fields, before=before)
    return [traject for traject, _, _ in steps]


@transaction.atomic
def traject_step(*, traject: Traject, action: Action, actor: User, reason: str = "") -> Traject:
    """A step without further data: withdraw, close with advice, end, hand to the PA."""
    traject = traject_lock(traject)
    if TRANSITIONS[action].needs_reason and not reason.strip():
        raise TrajectError("Geef een toelichting bij deze stap.")
    changes: dict[str, object] = {}
    if action is Action.CLOSE_WITH_ADVICE:
        changes["advice"] = reason.strip()
    elif action is Action.HAND_TO_PA:
        _check_plan_of_approach(traject)
    elif action is Action.END:
        changes["ended_on"] = traject.ended_on or _today()
    return traject_transition(
        traject=traject, action=action, actor=actor, reason=reason.strip(), **changes
    )


def _check_plan_of_approach(traject: Traject) -> None:
    intake = Intake.objects.filter(traject=traject).first()
    if intake is None or intake.held_on is None:
        raise TrajectError("Leg eerst het keukentafelgesprek vast: wanneer het is gevoerd.")
    if not intake.scores.filter(score__isnull=False).exists():
        raise TrajectError("Vul eerst de zelfredzaamheidsmatrix in (ten minste één domein).")
    if not intake.scores.exclude(goals="").exists():
        raise TrajectError("Het plan van aanpak heeft nog geen doelen.")


@transaction.atomic
def intake_plan(
    *,
    traject: Traject,
    actor: User,
    planned_for: date,
    participants: str,
    location: str = "bij de inwoner thuis",
    client_support: str = "",
) -> Intake:
    """Plan the keukentafelgesprek. The day it is planned meets the appointment term."""
    traject = traject_lock(traject)
    if traject.status_enum is TrajectStatus.MELDING:
        traject_transition(
            traject=traject,
            action=Action.SCREEN_FOR_INTAKE,
            actor=actor,
            reason="Screening: keukentafelgesprek nodig.",
        )
    elif traject.status_enum is not TrajectStatus.INTAKE:
        raise TrajectError("Een gesprek plannen kan alleen bij een melding of in de intakefase.")
    elif not roles_of(actor) & {Role.WIJKWERKER, Role.PROCESREGISSEUR}:
        raise TrajectError("Uw rol mag het keukentafelgesprek niet plannen.")
    if planned_for < traject.melding_received_on:
        raise TrajectError("Het gesprek kan niet vóór de melding plaatsvinden.")
    matrix = SelfSufficiencyMatrix.objects.filter(is_current=True).first()
    if matrix is None:
        raise TrajectError("Er is geen zelfredzaamheidsmatrix in gebruik; vraag de beheerder.")
    intake, created = Intake.objects.update_or_create(
        traject=traject,
        defaults={
            "planned_for": planned_for,
            "participants": participants.strip(),
            "location": location.strip() or "bij de inwoner thuis",
            "client_support": client_support.strip(),
        },
        create_defaults={
            "planned_for": planned_for,
            "participants": participants.strip(),
            "location": location.strip() or "bij de inwoner thuis",
            "client_support": client_support.strip(),
            "matrix": matrix,
        },
    )
    if traject.intake_planned_on is None:
        traject.intake_planned_on = _today()
        traject.save(update_fields=["intake_planned_on", "updated_at"])
    return intake


@transaction.atomic
def plan_of_approach_save(
    *,
    intake: Intake,
    actor: User,
    held_on: date,
    summary: str,
    scores: dict[int, tuple[int | None, str, str]],
) -> Intake:
    """Record the plan van aanpak: per ZRM domain id a (score, notes, goals) triple."""
    traject = traject_lock(intake.traject)
    if traject.status_enum is not TrajectStatus.INTAKE:
        raise TrajectError("Het plan van aanpak kan alleen in de intakefase worden gewijzigd.")
    if not roles_of(actor) & {Role.WIJKWERKER, Role.PROCESREGISSEUR}:
        raise TrajectError("Uw rol mag het plan van aanpak niet invullen.")
    if held_on < traject.melding_received_on or held_on > _today():
        raise TrajectError("De gespreksdatum ligt vóór de melding of in de toekomst.")
    domains = {d.pk: d for d in ZrmDomain.objects.filter(matrix_id=intake.matrix_id)}
    for domain_id, (score, notes, goals) in scores.items():
        if domain_id not in domains:
            raise TrajectError("Een domein hoort niet bij deze zelfredzaamheidsmatrix.")
        if score is not None and not 1 <= score <= 5:
            raise TrajectError(f"{domains[domain_id]}: de score is 1 tot en met 5.")
        ZrmScore.objects.update_or_create(
            intake=intake,
            domain_id=domain_id,
            defaults={"score": score, "notes": notes.strip(), "goals": goals.strip()},
        )
    intake.held_on = held_on
    intake.summary = summary.strip()
    intake.save(update_fields=["held_on", "summary", "updated_at"])
    return intake


@transaction.atomic
def traject_suspend(
    *, traject: Traject, actor: User, starts_on: date, days: int, reason: str
) -> Suspension:
    """Stop the clock for `days` days from `starts_on`; every later deadline moves."""
    traject = traject_lock(traject)
    if traject.status_enum not in OPEN_BEFORE_DECISION:
        raise TrajectError("Alleen een traject zonder besluit kan worden opgeschort.")
    if not roles_of(actor) & {Role.WIJKWERKER, Role.PROCESREGISSEUR}:
        raise TrajectError("Uw rol mag termijnen niet opschorten.")
    if not reason.strip():
        raise TrajectError("Geef de reden van de opschorting.")
    if not 1 <= days <= 365:
        raise TrajectError("Een opschorting duurt 1 tot en met 365 dagen.")
    if starts_on < traject.melding_received_on:
        raise TrajectError("Een opschorting kan niet vóór de melding beginnen.")
    suspension = Suspension.objects.create(
        traject=traject, starts_on=starts_on, days=days, reason=reason.strip(), actor=actor
    )
    StatusChange.objects.create(
        traject=traject,
        action=Action.SUSPEND.value,
        from_status=traject.status,
        to_status=traject.status,
        actor=actor,
        reason=f"Termijnen opgeschort vanaf {starts_on:%d-%m-%Y}, {days} dagen: {reason.strip()}",
    )
    return suspension


def zrm_ensure_current() -> SelfSufficiencyMatrix:
    """Install the ZRM 2017 (13 domains) as the current matrix when none is in use."""
    current = SelfSufficiencyMatrix.objects.filter(is_current=True).first()
    if current is not None:
        return current
    matrix, _ = SelfSufficiencyMatrix.objects.get_or_create(
        name=ZRM_2017_NAME, defaults={"level_names": ZRM_LEVEL_NAMES, "is_current": True}
    )
    if not matrix.is_current:
        matrix.is_current = True
        matrix.save(update_fields=["is_current"])
    for number, name in enumerate(ZRM_2017_DOMAINS, start=1):
        ZrmDomain.objects.get_or_create(matrix=matrix, number=number, defaults={"name": name})
    return matrix


def deadline_rules_import(*, region: Region, rules: list[tuple[str, int, str, str]]) -> None:
    """Set the region's agreed terms; idempotent."""
    for kind, amount, unit, source in rules:
        DeadlineRule.objects.update_or_create(
            region=region, kind=kind, defaults={"amount": amount, "unit": unit, "source": source}
        )


# --- The provider's side: who may act, and who hears about it -----------------------------


def require_provider_staff(traject: Traject, actor: User, *, what: str) -> None:
    """Only the traject's provider acts on it: its werkverdeler, or the begeleider the traject
    is assigned to (need to know). `what` completes "Alleen ... mag <what>"."""
    refusal = provider_staff_refusal(traject, actor, what=what)
    if refusal:
        raise TrajectError(refusal)


def provider_staff_refusal(traject: Traject, actor: User, *, what: str) -> str:
    """Why `actor` may not act on the traject as its provider's staff (`require_provider_
    staff`), or "" when they may. The actor's roles at the provider are read once per batch."""
    if traject.provider_id is not None:
        here = once(
            ("roles-at-provider", actor.pk, traject.provider_id),
            lambda: set(
                actor.role_assignments.filter(provider_id=traject.provider_id).values_list(
                    "role", flat=True
                )
            ),
        )
        if Role.WERKVERDELER.value in here or (
            traject.professional_id == actor.pk and Role.BEGELEIDER.value in here
        ):
            return ""
    return f"Alleen de werkverdeler of de toegewezen begeleider van de aanbieder mag {what}."


def provider_staff(provider_id: int | None, roles: set[Role]) -> QuerySet[User]:
    if provider_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        role_assignments__provider_id=provider_id,
        role_assignments__role__in=[r.value for r in roles],
    ).distinct()


def provider_traject_url(traject: Traject) -> str:
    return reverse("portal:provider-traject", args=[traject.pk])


def notify_provider(traject: Traject, *, subject: str, text: str) -> None:
    """The assigned begeleider, or, while nobody is assigned, the werkverdelers."""
    if traject.professional_id is not None:
        recipients = [traject.professional]
    else:
        recipients = list(provider_staff(traject.provider_id, {Role.WERKVERDELER}))
    notify(recipients=recipients, subject=subject, text=text, url=provider_traject_url(traject))


def municipality_pas(municipality) -> QuerySet[User]:
    """The active PAs of a municipality (directly or through its region)."""
    return User.objects.filter(
        Q(role_assignments__municipality=municipality)
        | Q(role_assignments__region=municipality.region_id),
        is_active=True,
        role_assignments__role=Role.PROCESREGISSEUR.value,
    ).distinct()


def notify_municipality(traject: Traject, *, subject: str, text: str) -> None:
    """The traject's PA, or, when none is named, the PAs of its municipality. Practice
    trajects are the provider's alone: the municipality hears nothing of them."""
    if traject.is_practice:
        return
    if traject.procesregisseur_id is not None:
        recipients = [traject.procesregisseur]
    else:
        recipients = once(
            ("municipality_pas", traject.municipality_id),
            lambda: list(municipality_pas(traject.municipality)),
        )
    notify(
        recipients=recipients,
        subject=subject,
        text=text,
        url=reverse("portal:traject-detail", args=[traject.pk]),
    )


# --- Term warnings (issue #23: a daily job, core.jobs) ---------------------------------------

TERM_WARNING_SUBJECT = "Termijnen: trajecten die aandacht vragen"
# Who is told, and which page their list is on.
TERM_WARNING_PAGES = {
    Role.PROCESREGISSEUR: "portal:traject-list",
    Role.WIJKWERKER: "portal:traject-list",
    Role.WERKVERDELER: "portal:provider-inbox",
}


def term_warnings_send(*, today: date | None = None) -> int:
    """Tell each procesregisseur, wijkwerker and werkverdeler once a day how many of the
    trajects they can see have a term about to lapse or already lapsed (the work list's
    *dreigt* and *verlopen*), with a link to that list. Counts only: no names (the text may
    go out by e-mail). A second run on the same day tells no one again. Returns how many
    were told."""
    from openarrangementen.core.models import Notification

    from .selectors import WorkFilter, work_list_queryset

    today = today or timezone.localdate()
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    told_today = Notification.objects.filter(
        subject=TERM_WARNING_SUBJECT, created_at__gte=start_of_day
    ).values("recipient_id")
    users = (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=[r.value for r in TERM_WARNING_PAGES],
        )
        .exclude(pk__in=told_today)
        .distinct()
        .order_by("pk")
    )
    told = 0
    for user in users.iterator(chunk_size=200):
        at_risk = work_list_queryset(actor=user, today=today, state=WorkFilter.AT_RISK).count()
        overdue = work_list_queryset(actor=user, today=today, state=WorkFilter.OVERDUE).count()
        if not at_risk and not overdue:
            continue
        roles = roles_of(user)
        page = next(name for role, name in TERM_WARNING_PAGES.items() if role in roles)
        state = "dreigt" if at_risk else "verlopen"
        query = f"?termijn={state}" if page == "portal:provider-inbox" else f"?state={state}"
        notify(
            recipients=[user],
            subject=TERM_WARNING_SUBJECT,
            text=(
                f"{at_risk} traject(en) met een termijn die binnenkort verloopt en "
                f"{overdue} met een verlopen termijn. Bekijk ze in uw werklijst."
            ),
            url=reverse(page) + query,
        )
        told += 1
    return told
