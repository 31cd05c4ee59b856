"""Traject pages for municipality staff: work list, melding, every step to the beschikking.

Views stay thin: a form checks the input, a service applies the rules, and a refused step
comes back on the same page with the service's message; nothing entered is lost.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.models import Provider
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.cases.domain import (
    STATE_LABELS,
    TRANSITIONS,
    Action,
    TrajectStatus,
    allowed_actions,
)
from openarrangementen.cases.models import Intake, Traject
from openarrangementen.cases.selectors import (
    PROVIDER_ROLES,
    deadlines_of,
    household_trajects_visible_to,
    traject_get_visible_to,
    traject_list_visible_to,
    work_items,
    work_list_queryset,
)
from openarrangementen.cases.services import (
    TrajectError,
    intake_plan,
    melding_register,
    plan_of_approach_save,
    traject_step,
    traject_suspend,
)
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import Level
from openarrangementen.catalog.selectors import bandwidths_of, catalog_version_on, level_price_on
from openarrangementen.clients.models import Client
from openarrangementen.clients.selectors import client_get_visible_to, client_list_visible_to
from openarrangementen.core.audit import log_list, log_lookup, log_refusal
from openarrangementen.core.pagination import page_of
from openarrangementen.core.selectors import equated_holiday_dates
from openarrangementen.decisions import services as decision_services
from openarrangementen.decisions.domain import FollowUpKind, objection_due_on
from openarrangementen.decisions.models import Beschikking
from openarrangementen.delivery.models import Signal
from openarrangementen.delivery.services import signal_read
from openarrangementen.documents.pdf import render_pdf
from openarrangementen.plans import services as plan_services
from openarrangementen.plans.domain import (
    SHAREABLE_FIELDS,
    SignatureKind,
    SignedDocument,
    bandwidth_checks,
    goals_from_text,
    table_from_json,
)

from . import steps
from . import traject_forms as f
from .provider_views import household_rows

STAFF = MUNICIPALITY_CLIENT_ROLES


def _roles(request: HttpRequest) -> set[Role]:
    return roles_of(request.user)


def _staff_only(request: HttpRequest) -> set[Role]:
    roles = _roles(request)
    if not roles & STAFF:
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


def _traject(request: HttpRequest, pk: int, purpose: str) -> Traject:
    _staff_only(request)
    return traject_get_visible_to(actor=request.user, pk=pk, purpose=purpose, path=request.path)


def _detail(traject: Traject) -> str:
    return reverse("portal:traject-detail", args=[traject.pk])


@login_required
def traject_list(request: HttpRequest) -> HttpResponse:
    """The work list: open trajects, most urgent first; filters for at-risk and overdue."""
    roles = _roles(request)
    if not roles & STAFF and roles & PROVIDER_ROLES:
        return redirect("portal:provider-inbox")  # the provider's work list is its inbox
    if not roles & STAFF:
        raise Http404("Deze pagina is er niet voor uw rol.")
    form = f.WorkListFilterForm(request.GET or None)
    state = status = ""
    if form.is_valid():
        state = form.cleaned_data["state"]
        status = form.cleaned_data["status"]
    trajects = traject_list_visible_to(actor=request.user)
    if status:
        trajects = trajects.filter(status=status)
    today = timezone.localdate()
    page = page_of(
        request, work_list_queryset(actor=request.user, today=today, trajects=trajects, state=state)
    )
    items = work_items(page.object_list, today=today)
    for item in items:
        item.state_label = STATE_LABELS[item.next.state] if item.next else ""
    log_list(
        actor=request.user,
        objects=[item.traject for item in items],
        purpose="werklijst trajecten",
        path=request.get_full_path(),
        roles=",".join(sorted(roles)),
    )
    return render(
        request,
        "portal/trajects/list.html",
        {
            "form": form,
            "items": items,
            "page": page,
            "count_text": page.paginator.count_text("open traject", "open trajecten"),
            "today": today,
        },
    )


def _municipalities(request: HttpRequest):
    return municipalities_for(request.user, {Role.WIJKWERKER, Role.PROCESREGISSEUR})


@login_required
def melding_new(request: HttpRequest, client_pk: int | None = None) -> HttpResponse:
    """Register a melding for a known client, or for a new one (BSN checked)."""
    roles = _staff_only(request)
    if not roles & {Role.WIJKWERKER, Role.PROCESREGISSEUR}:
        raise Http404("Deze pagina is er niet voor uw rol.")
    client = None
    if client_pk is not None:
        client = client_get_visible_to(
            actor=request.user, pk=client_pk, purpose="melding registreren", path=request.path
        )
    data = request.POST or None
    form = f.MeldingForm(data, prefix="melding")
    client_form = (
        None
        if client
        else f.NewClientForm(data, prefix="inwoner", municipalities=_municipalities(request))
    )
    if request.method == "POST" and form.is_valid() and (client or client_form.is_valid()):
        try:
            with transaction.atomic():
                if client is None:
                    client = _client_for(request, client_form)
                traject = melding_register(actor=request.user, client=client, **form.cleaned_data)
        except TrajectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Melding geregistreerd als traject {traject.number}.")
            return redirect(_detail(traject))
    return render(
        request,
        "portal/trajects/melding.html",
        {"form": form, "client_form": client_form, "client": client},
    )


def _client_for(request: HttpRequest, form: f.NewClientForm) -> Client:
    """Register a new inwoner. A BSN that is already known is never silently reused (a typo
    would file the melding in someone else's dossier), and the message is the same whether
    or not the user may see that inwoner, so it reveals nothing."""
    data = dict(form.cleaned_data)
    # Only the chosen municipality's own files are searched (one of the user's own, where
    # they see every inwoner anyway): a BSN known elsewhere reveals nothing and gets a new
    # file here (ADR 0009). The search itself is logged.
    known = (
        client_list_visible_to(actor=request.user)
        .filter(bsn=data["bsn"], municipality=data["municipality"])
        .first()
    )
    log_lookup(
        actor=request.user,
        model=Client,
        found=known,
        purpose="BSN-controle bij registratie nieuwe inwoner",
        path=request.path,
        roles=",".join(sorted(_roles(request))),
    )
    if known is not None:
        raise TrajectError(
            "Dit BSN is al bekend in deze gemeente. Controleer het BSN, of zoek de inwoner op "
            "onder Inwoners en registreer de melding vanaf diens pagina."
        )
    client = Client(**data)
    try:
        client.full_clean()
    except ValidationError as exc:
        raise TrajectError(" ".join(exc.messages)) from exc
    client.save()
    return client


@login_required
def traject_detail(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "traject ingezien")
    roles = _roles(request)
    today = timezone.localdate()
    deadlines = deadlines_of(traject, today=today)
    intake = Intake.objects.filter(traject=traject).first()
    part_one = getattr(traject, "part_one", None)
    beschikkingen = list(traject.beschikkingen.select_related("drafted_by", "reviewed_by"))
    actions = [t for t in allowed_actions(traject.status_enum, roles) if t.action in SIMPLE_ACTIONS]
    context = {
        "traject": traject,
        "client": traject.client,
        "today": today,
        "days_open": (today - traject.melding_received_on).days,
        "deadlines": deadlines,
        "next_deadline": next((d for d in deadlines if d.is_pending), None),
        "state_labels": {s.value: label for s, label in STATE_LABELS.items()},
        "intake": intake,
        "scores": intake.scores.select_related("domain") if intake else [],
        "part_one": part_one,
        "goals": goals_from_text(part_one.goals) if part_one else [],
        "cost_price": (
            level_price_on(level=part_one.level, kind=PriceKind.COST_PRICE, day=part_one.start_on)
            if part_one
            else None
        ),
        "consultations": traject.consultations.all(),
        "choice": getattr(traject, "provider_choice", None),
        "consent": plan_services.current_consent(traject),
        "shareable": SHAREABLE_FIELDS,
        "signatures": traject.signatures.all(),
        "part_twos": traject.part_twos.prefetch_related("deployments__support_form"),
        "beschikkingen": beschikkingen,
        "suspensions": traject.suspensions.all(),
        "history": traject.history.select_related("actor"),
        "household": household_trajects_visible_to(actor=request.user, traject=traject),
        "linked": traject_list_visible_to(actor=request.user).filter(previous=traject),
        "actions": actions,
        "roles": {r.value for r in roles},
        "status": traject.status,
        "S": {s.name: s.value for s in TrajectStatus},
        "start_check": getattr(traject, "start_check", None),
        "follow_up": getattr(traject, "follow_up", None),
        "signals": traject.signals.select_related("read_by"),
        "evaluations": traject.evaluations.filter(submitted_at__isnull=False).select_related(
            "reindication"
        ),
        "support_stop": getattr(traject, "support_stop", None),
        "is_pa": Role.PROCESREGISSEUR in roles,
        "is_reviewer": bool(roles & {Role.COLLEGA_PA, Role.PROCESREGISSEUR}),
        "is_staff_worker": bool(roles & {Role.WIJKWERKER, Role.PROCESREGISSEUR}),
    }
    return render(request, "portal/trajects/detail.html", context)


# Steps taken with one button (and a reason where the table asks for one).
SIMPLE_ACTIONS = {
    Action.CLOSE_WITH_ADVICE,
    Action.HAND_TO_PA,
    Action.COMPLETE_PART_ONE,
    Action.HAND_TO_PROVIDER,
    Action.SUBMIT_FOR_REVIEW,
    Action.WITHDRAW,
    Action.END,
}


@login_required
def traject_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from the transition table; GET shows the reason form where one is needed."""
    traject = _traject(request, pk, "stap in traject")
    try:
        step = Action(action)
    except ValueError as exc:
        raise Http404("Onbekende stap.") from exc
    if step not in SIMPLE_ACTIONS:
        raise Http404("Onbekende stap.")
    transition = TRANSITIONS[step]
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and (not transition.needs_reason or form.is_valid()):
        reason = form.cleaned_data.get("reason", "") if transition.needs_reason else ""
        try:
            _run_step(traject, step, request.user, reason)
        except TrajectError as exc:
            if not transition.needs_reason:
                messages.error(request, str(exc))
                return redirect(_detail(traject))
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Stap gezet: {transition.label}.")
            return redirect(_detail(traject))
    return _form_page(request, traject, form, transition.label, submit=transition.label)


def _run_step(traject: Traject, step: Action, actor, reason: str) -> None:
    if step is Action.COMPLETE_PART_ONE:
        plan_services.part_one_complete(traject=traject, actor=actor)
    elif step is Action.HAND_TO_PROVIDER:
        plan_services.traject_hand_to_provider(traject=traject, actor=actor)
    elif step is Action.SUBMIT_FOR_REVIEW:
        decision_services.beschikking_submit_for_review(traject=traject, actor=actor)
    else:
        traject_step(traject=traject, action=step, actor=actor, reason=reason)


def _form_page(
    request: HttpRequest,
    traject: Traject,
    form,
    title: str,
    *,
    template: str = "portal/trajects/form.html",
    **page,
) -> HttpResponse:
    return steps.form_page(request, traject, form, title, template=template, **page)


def _handle(
    request: HttpRequest,
    traject: Traject,
    form,
    call: Callable[[dict], object],
    success: str,
    title: str,
    **page,
) -> HttpResponse:
    return steps.handle(
        request,
        traject,
        form,
        call,
        success,
        title,
        done_url=_detail(traject),
        template=page.pop("template", "portal/trajects/form.html"),
        **page,
    )


@login_required
def intake_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "keukentafelgesprek plannen")
    intake = Intake.objects.filter(traject=traject).first()
    initial = (
        {
            "planned_for": intake.planned_for,
            "location": intake.location,
            "participants": intake.participants,
            "client_support": intake.client_support,
        }
        if intake
        else {"client_support": _client_support_of(traject)}
    )
    form = f.IntakePlanForm(request.POST or None, initial=initial)
    return _handle(
        request,
        traject,
        form,
        lambda d: intake_plan(traject=traject, actor=request.user, **d),
        "Het keukentafelgesprek is gepland.",
        "Keukentafelgesprek plannen",
        intro="Screening: een keukentafelgesprek is nodig. De dag waarop u het plant, telt voor "
        "de afspraaktermijn.",
    )


def _client_support_of(traject: Traject) -> str:
    rep = traject.client.representatives.filter(kind="client_support").first()
    return f"{rep.name}, {rep.organisation}".strip(", ") if rep else ""


@login_required
def plan_of_approach_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "plan van aanpak invullen")
    intake = get_object_or_404(Intake.objects.select_related("matrix"), traject=traject)
    form = f.PlanOfApproachForm(request.POST or None, intake=intake)
    return _handle(
        request,
        traject,
        form,
        lambda d: plan_of_approach_save(
            intake=intake,
            actor=request.user,
            held_on=d["held_on"],
            summary=d["summary"],
            scores=form.scores(),
        ),
        "Het plan van aanpak is opgeslagen.",
        "Plan van aanpak: zelfredzaamheidsmatrix, notities en doelen",
        template="portal/trajects/plan_of_approach.html",
        submit="Plan van aanpak opslaan",
    )


@login_required
def part_one_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "POP deel I invullen")
    intake = Intake.objects.filter(traject=traject).first()
    region = traject.municipality.region
    today = timezone.localdate()
    existing = getattr(traject, "part_one", None)
    version = catalog_version_on(region=region, day=existing.start_on if existing else today)
    initial = _part_one_initial(existing, intake)
    form = f.PartOneForm(
        request.POST or None, initial=initial, traject=traject, version=version, intake=intake
    )
    instrument_outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        level: Level = data["level"]
        payload = plan_services.PartOneInput(
            reason=data["reason"],
            delivery_form=data["delivery_form"],
            relevant_domain_ids=[int(x) for x in data["relevant_domains"]],
            own_strength=data["own_strength"],
            prior_facilities=data["prior_facilities"],
            general_facilities=data["general_facilities"],
            customised_support=data["customised_support"],
            arrangement=level.arrangement,
            level=level,
            suffers_from=data["suffers_from"],
            cannot_do=data["cannot_do"],
            is_diagnosed=data["is_diagnosed"],
            diagnosis=data["diagnosis"],
            level_argumentation=data["level_argumentation"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            goals=data["goals"],
            assessment_scores=form.assessment_scores(),
            deviation_motivation=data["deviation_motivation"],
            transport=data["transport"] or "",
            short_stay_nights=data["short_stay_nights"],
            client_agrees=data["client_agrees"],
            disagreement=data["disagreement"],
            second_opinion_by=data["second_opinion_by"],
            second_opinion_agrees=data["second_opinion_agrees"],
            second_opinion_notes=data["second_opinion_notes"],
        )
        try:
            plan_services.part_one_save(traject=traject, actor=request.user, data=payload)
        except TrajectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "POP deel I is opgeslagen.")
            return redirect(_detail(traject))
    if existing is not None and existing.instrument_level_id:
        instrument_outcome = existing.instrument_level
    return _form_page(
        request,
        traject,
        form,
        "Indicatiestelling: POP deel I",
        template="portal/trajects/part_one.html",
        submit="POP deel I opslaan",
        intake=intake,
        scores=intake.scores.select_related("domain") if intake else [],
        version=version,
        instrument_outcome=instrument_outcome,
    )


def _part_one_initial(existing, intake) -> dict:
    if existing is None:
        goals = ""
        if intake is not None:
            goals = "\n".join(s.goals for s in intake.scores.all() if s.goals)
        return {"goals": goals, "client_agrees": "ja", "is_diagnosed": "nee"}
    initial = {
        name: getattr(existing, name)
        for name in (
            "reason",
            "delivery_form",
            "own_strength",
            "prior_facilities",
            "general_facilities",
            "customised_support",
            "level",
            "suffers_from",
            "cannot_do",
            "diagnosis",
            "level_argumentation",
            "start_on",
            "end_on",
            "goals",
            "deviation_motivation",
            "transport",
            "short_stay_nights",
            "disagreement",
            "second_opinion_by",
            "second_opinion_notes",
        )
    }
    initial["is_diagnosed"] = "ja" if existing.is_diagnosed else "nee"
    initial["client_agrees"] = "ja" if existing.client_agrees else "nee"
    if existing.second_opinion_agrees is not None:
        initial["second_opinion_agrees"] = "ja" if existing.second_opinion_agrees else "nee"
    initial["relevant_domains"] = [str(d.pk) for d in existing.relevant_domains.all()]
    for number, letter in existing.assessment_scores.items():
        initial[f"criterion_{number}"] = letter
    return initial


@login_required
def consultation_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "consultatie vastleggen")
    form = f.ConsultationForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: plan_services.consultation_add(traject=traject, actor=request.user, **d),
        "De consultatie is vastgelegd.",
        "Consultatie vastleggen",
        intro="Medisch advies, collegiale consultatie, het expertteam of een gecontracteerde "
        "aanbieder: leg vraag en antwoord vast.",
    )


@login_required
def provider_choice_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "keuze aanbieder vastleggen")
    if not hasattr(traject, "part_one"):
        raise Http404("Vul eerst POP deel I in.")
    today = timezone.localdate()
    contracts = plan_services.providers_for(traject, day=today)
    providers = Provider.objects.filter(pk__in={c.provider_id for c in contracts}).order_by("name")
    form = f.ProviderChoiceForm(request.POST or None, providers=providers)
    return _handle(
        request,
        traject,
        form,
        lambda d: plan_services.provider_choice_record(traject=traject, actor=request.user, **d),
        "De keuze is vastgelegd.",
        "Keuze van de aanbieder",
        template="portal/trajects/provider_choice.html",
        contracts=contracts,
        today=today,
    )


@login_required
def consent_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "toestemming vastleggen")
    form = f.ConsentForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: plan_services.consent_record(traject=traject, actor=request.user, **d),
        "De toestemming is vastgelegd.",
        "Toestemming om POP deel I te delen",
        intro="De inwoner kan per onderdeel kiezen wat de gekozen aanbieder ziet.",
    )


@login_required
def signature_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "ondertekening vastleggen")
    form = f.SignatureForm(
        request.POST or None, initial={"signer_name": traject.client.display_name}
    )
    return _handle(
        request,
        traject,
        form,
        lambda d: plan_services.signature_record(
            traject=traject,
            actor=request.user,
            document=SignedDocument.PART_ONE,
            kind=SignatureKind(d["kind"]),
            signer_name=d["signer_name"],
            signer_capacity=d["signer_capacity"],
            signed_on=d["signed_on"],
            method=d["method"],
        ),
        "De ondertekening is vastgelegd.",
        "Ondertekening POP deel I",
        intro="Voor akkoord, of voor gezien als de inwoner het niet eens is.",
    )


@login_required
def part_two_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Test POP deel II against goals and bandwidth; return it or draft the beschikking."""
    traject = _traject(request, pk, "POP deel II toetsen")
    part_two = plan_services.latest_part_two(traject)
    if part_two is None:
        raise Http404("Er is nog geen POP deel II.")
    part_one = traject.part_one
    bandwidths = bandwidths_of(part_one.level)
    deployments = list(part_two.deployments.select_related("support_form"))
    checks = bandwidth_checks({d.support_form.code: d.per_week for d in deployments}, bandwidths)
    return_form = f.ReasonForm(
        request.POST if "terugsturen" in request.POST else None, prefix="terug"
    )
    draft_form = f.DraftDecisionForm(
        request.POST if "beschikken" in request.POST else None, prefix="besluit"
    )
    if request.method == "POST":
        form, call, success = (
            (
                return_form,
                lambda d: plan_services.part_two_return(
                    traject=traject, actor=request.user, reasons=d["reason"]
                ),
                "POP deel II is teruggestuurd naar de aanbieder.",
            )
            if "terugsturen" in request.POST
            else (
                draft_form,
                lambda d: decision_services.beschikking_draft(
                    traject=traject, actor=request.user, **d
                ),
                "De beschikking staat in concept.",
            )
        )
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except TrajectError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, success)
                return redirect(_detail(traject))
    return render(
        request,
        "portal/trajects/part_two_review.html",
        {
            "traject": traject,
            "part_one": part_one,
            "part_two": part_two,
            "goals": goals_from_text(part_one.goals),
            "checks": zip(deployments, checks, strict=True),
            "household": _household_of(part_two),
            "return_form": return_form,
            "draft_form": draft_form,
            "may_act": traject.status == TrajectStatus.PLAN_REVIEW
            and Role.PROCESREGISSEUR in _roles(request),
        },
    )


def _household_of(part_two) -> dict | None:
    table = table_from_json(part_two.household_hours or {})
    return household_rows(table) if table else None


@login_required
def beschikking_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The current draft or final beschikking: revise, review (four-eyes), objections."""
    traject = _traject(request, pk, "beschikking ingezien")
    beschikking = traject.beschikkingen.select_related("drafted_by", "reviewed_by").first()
    if beschikking is None:
        raise Http404("Er is nog geen beschikking.")
    roles = _roles(request)
    revise_form = f.ReviseDecisionForm(
        request.POST if "aanpassen" in request.POST else None,
        initial={"considerations": beschikking.considerations},
        prefix="aanpassen",
    )
    review_form = f.ReviewNoteForm(
        request.POST if {"goedkeuren", "afkeuren"} & set(request.POST) else None, prefix="controle"
    )
    if request.method == "POST":
        form = revise_form if "aanpassen" in request.POST else review_form
        if form.is_valid():
            try:
                if "aanpassen" in request.POST:
                    decision_services.beschikking_revise(
                        traject=traject, actor=request.user, **form.cleaned_data
                    )
                    success = "De overwegingen zijn aangepast."
                elif "goedkeuren" in request.POST:
                    decision_services.beschikking_approve(
                        traject=traject, actor=request.user, note=form.cleaned_data["note"]
                    )
                    success = "De beschikking is definitief."
                else:
                    decision_services.beschikking_reject(
                        traject=traject, actor=request.user, reasons=form.cleaned_data["note"]
                    )
                    success = "De beschikking is teruggestuurd naar de opsteller."
            except TrajectError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, success)
                return redirect(_detail(traject))
    is_own_draft = beschikking.drafted_by_id == request.user.pk
    return render(
        request,
        "portal/trajects/beschikking.html",
        {
            "traject": traject,
            "beschikking": beschikking,
            "content": _content(beschikking),
            "revise_form": revise_form,
            "review_form": review_form,
            "may_revise": beschikking.status == Beschikking.Status.DRAFT
            and Role.PROCESREGISSEUR in roles,
            "may_review": beschikking.status == Beschikking.Status.IN_REVIEW
            and bool(roles & {Role.COLLEGA_PA, Role.PROCESREGISSEUR})
            and not is_own_draft,
            "is_own_draft": is_own_draft,
            "objections": beschikking.objections.all(),
            "objection_due": objection_due_on(beschikking.decided_on, equated_holiday_dates())
            if beschikking.decided_on
            else None,
        },
    )


def _content(beschikking: Beschikking) -> dict:
    """A final beschikking shows what was decided; a draft shows what it would say now."""
    if beschikking.is_final and beschikking.content:
        return beschikking.content
    return decision_services.beschikking_content(beschikking)


@login_required
def beschikking_pdf(request: HttpRequest, pk: int, beschikking_pk: int) -> HttpResponse:
    traject = _traject(request, pk, "beschikking als PDF")
    beschikking = traject.beschikkingen.filter(pk=beschikking_pk).first()
    if beschikking is None:
        # The traject's view is not logged for a 404 (the middleware drops it); the attempt is.
        log_refusal(
            actor=request.user,
            model=Beschikking,
            object_id=beschikking_pk,
            client_lookup="traject__client_id",
            purpose="beschikking als PDF",
            path=request.path,
            roles=",".join(sorted(_roles(request))),
        )
        raise Http404("Deze beschikking hoort niet bij dit traject.")
    pdf = render_pdf(
        "documents/beschikking.html",
        {
            "beschikking": beschikking,
            "content": _content(beschikking),
            "objection_due": objection_due_on(beschikking.decided_on, equated_holiday_dates())
            if beschikking.decided_on
            else None,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="beschikking-{beschikking.number}.pdf"'
    return response


@login_required
def objection_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "bezwaar registreren")
    beschikking = get_object_or_404(traject.beschikkingen, status=Beschikking.Status.FINAL)
    form = f.ObjectionForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: decision_services.objection_register(
            beschikking=beschikking, actor=request.user, **d
        ),
        "Het bezwaar is geregistreerd.",
        f"Bezwaar tegen beschikking {beschikking.number}",
        intro="De bezwaartermijn loopt tot en met "
        f"{objection_due_on(beschikking.decided_on, equated_holiday_dates()):%d-%m-%Y}.",
    )


@login_required
def suspension_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "termijnen opschorten")
    form = f.SuspensionForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: traject_suspend(traject=traject, actor=request.user, **d),
        "De termijnen zijn opgeschort.",
        "Termijnen opschorten",
        intro="Alle termijnen die nog lopen, schuiven op met de duur van de opschorting.",
    )


@login_required
def start_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "start vastleggen")
    form = f.StartForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: decision_services.traject_start_record(traject=traject, actor=request.user, **d),
        "De start is vastgelegd; de 3-maandencheck is ingepland.",
        "Start van de ondersteuning",
        intro="Normaal meldt de aanbieder de start (iWmo 305). Leg hier een start vast die u "
        "telefonisch of per brief hoorde.",
    )


@login_required
def start_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "3-maandencheck")
    form = f.StartCheckForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: decision_services.start_check_record(traject=traject, actor=request.user, **d),
        "De 3-maandencheck is vastgelegd.",
        "3-maandencheck",
        intro="Bel de inwoner: is de ondersteuning op tijd gestart, binnen het arrangement, en "
        "hoe tevreden is de inwoner?",
    )


@login_required
def follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "evaluatie verwerken")
    form = f.FollowUpForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: decision_services.follow_up_decide(
            traject=traject,
            actor=request.user,
            kind=FollowUpKind(d["kind"]),
            evaluation_summary=d["evaluation_summary"],
            explanation=d["explanation"],
        ),
        "Het vervolgbesluit is vastgelegd.",
        "Evaluatie verwerken: vervolgbesluit",
        intro="Bij verlenging of herindicatie opent het systeem een nieuw traject met een "
        "melding van vandaag, gekoppeld aan dit traject.",
    )


@login_required
def change_view(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "wijziging starten")
    form = f.ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = decision_services.traject_change_open(
                traject=traject, actor=request.user, **form.cleaned_data
            )
        except TrajectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Wijziging gestart in traject {new.number}.")
            return redirect(_detail(new))
    return _form_page(
        request,
        traject,
        form,
        "Arrangement of aanbieder wijzigen",
        intro="Een wijziging leidt tot een nieuwe beschikking die de huidige vervangt.",
    )


@login_required
def signal_read_view(request: HttpRequest, pk: int, signal_pk: int) -> HttpResponse:
    """The PA reads a provider's signal and may answer it."""
    traject = _traject(request, pk, "signaal aanbieder lezen")
    signal = get_object_or_404(Signal, pk=signal_pk, traject=traject)
    form = f.SignalResponseForm(request.POST or None)
    return _handle(
        request,
        traject,
        form,
        lambda d: signal_read(signal=signal, actor=request.user, response=d["response"]),
        "Het signaal is als gelezen gemarkeerd.",
        f"Signaal: {signal.get_kind_display()}",
        submit="Gelezen",
        intro=signal.description,
    )
