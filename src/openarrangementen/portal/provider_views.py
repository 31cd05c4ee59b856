"""The provider portal: inbox, werkverdeling, POP deel II, start, casusregie, signals, stop,
warm handover, evaluation, subcontractor delegation and the practice environment.

Every traject comes from `traject_get_visible_to` (404 for anyone else, including another
provider guessing a URL); the page shows only the parts of POP deel I the client consented
to share. Views stay thin: forms check shapes, services apply the rules.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.cases.domain import (
    Action,
    TrajectStatus,
    allowed_actions,
)
from openarrangementen.cases.models import Traject
from openarrangementen.cases.selectors import (
    PORTAL_PROVIDER_ROLES,
    deadlines_of,
    traject_get_visible_to,
    traject_list_visible_to,
    work_items,
    work_list_queryset,
)
from openarrangementen.cases.services import TrajectError
from openarrangementen.catalog.selectors import bandwidths_of
from openarrangementen.contracting.models import PartnershipMember
from openarrangementen.core.audit import log_list
from openarrangementen.core.pagination import CappedPaginator, page_of
from openarrangementen.decisions import services as decision_services
from openarrangementen.decisions.models import Beschikking
from openarrangementen.delivery import practice as practice_service
from openarrangementen.delivery import selectors as ds
from openarrangementen.delivery import services as delivery
from openarrangementen.delivery.domain import (
    ADVICE_LABELS,
    SIGNAL_LABELS,
    Advice,
    LogKind,
    SignalKind,
    week_of,
)
from openarrangementen.delivery.models import Delegation, Evaluation, Handover
from openarrangementen.iwmo.codelists import CodeListUnavailable
from openarrangementen.plans import services as plan_services
from openarrangementen.plans.domain import (
    HOUSEHOLD_ROOMS,
    HOUSEHOLD_TASKS,
    SHAREABLE_FIELDS,
    SignatureKind,
    SignatureMethod,
    bandwidth_checks,
    goals_from_text,
    household_table,
    household_totals,
    table_from_json,
)
from openarrangementen.plans.models import PartTwo

from . import provider_forms as pf
from . import steps

PRACTICE_KEY = "oefenomgeving"
HOUSEHOLD_HELP = "HH"


def _practice(request: HttpRequest) -> bool:
    return bool(request.session.get(PRACTICE_KEY))


def _provider_only(request: HttpRequest) -> set[Role]:
    roles = roles_of(request.user)
    if not roles & PORTAL_PROVIDER_ROLES:
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


def _traject(request: HttpRequest, pk: int, purpose: str) -> Traject:
    _provider_only(request)
    return traject_get_visible_to(
        actor=request.user, pk=pk, purpose=purpose, path=request.path, practice=_practice(request)
    )


def _page(traject: Traject) -> str:
    return reverse("portal:provider-traject", args=[traject.pk])


def _may(traject: Traject, request: HttpRequest, action: Action) -> bool:
    return any(
        t.action is action for t in allowed_actions(traject.status_enum, roles_of(request.user))
    )


def _refuse_unless(traject: Traject, request: HttpRequest, action: Action) -> None:
    if not _may(traject, request, action):
        raise Http404("Deze stap kan nu niet bij dit traject.")


PROVIDER_FORM = "portal/provider/form.html"


def _form_page(request, traject, form, title, **page) -> HttpResponse:
    return steps.form_page(request, traject, form, title, template=PROVIDER_FORM, **page)


def _run(request, traject, form, call, success, title, **page) -> HttpResponse:
    return steps.handle(
        request,
        traject,
        form,
        call,
        success,
        title,
        done_url=_page(traject),
        template=PROVIDER_FORM,
        **page,
    )


# --- Inbox ----------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The organisation's trajects: new ones first to distribute, filters by professional,
    phase and deadline; one click shows "nog te verdelen"."""
    roles = _provider_only(request)
    today = timezone.localdate()
    practice = _practice(request)
    visible = traject_list_visible_to(actor=request.user, practice=practice)
    professionals = ds.professionals_for(request.user)
    form = pf.InboxFilterForm(request.GET or None, professionals=professionals)
    trajects = visible
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["verdeling"] == "nee":
            trajects = trajects.filter(professional__isnull=True)
        elif data["verdeling"] == "ja":
            trajects = trajects.filter(professional__isnull=False)
        if data["begeleider"]:
            trajects = trajects.filter(professional_id=data["begeleider"])
        if data["status"]:
            trajects = trajects.filter(status=data["status"])
        state = data["termijn"]
    page = page_of(
        request, work_list_queryset(actor=request.user, today=today, trajects=trajects, state=state)
    )
    items = work_items(page.object_list, today=today)
    for item in items:
        own = [d for d in item.deadlines if d.kind in ds.PROVIDER_DEADLINES and d.is_pending]
        item.provider_deadline = min(own, key=lambda d: d.due_on, default=None)
    log_list(
        actor=request.user,
        objects=[item.traject for item in items],
        purpose="postvak aanbieder",
        path=request.get_full_path(),
        roles=",".join(sorted(roles)),
    )
    unassigned = CappedPaginator(
        visible.filter(professional__isnull=True)
        .exclude(status__in=[TrajectStatus.ENDED.value])
        .order_by("next_deadline_on", "id")  # any order counts; this one walks an index
    )
    return render(
        request,
        "portal/provider/inbox.html",
        {
            "form": form,
            "items": items,
            "page": page,
            "count_text": page.paginator.count_text("traject", "trajecten"),
            "today": today,
            "unassigned": unassigned.count_text("traject", "trajecten")
            if unassigned.is_capped
            else unassigned.count,
            "evaluations": ds.open_evaluations(visible)[:20],
            "is_distributor": Role.WERKVERDELER in roles,
            "practice": practice,
            "may_practice": bool(roles & {Role.WERKVERDELER, Role.BEGELEIDER}),
        },
    )


# --- The traject page -----------------------------------------------------------------------


@login_required
def traject_page(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "traject ingezien door aanbieder")
    roles = roles_of(request.user)
    today = timezone.localdate()
    shared = ds.shared_fields_of(traject)
    part_one = getattr(traject, "part_one", None)
    is_delegate = not roles & {Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE}
    works_on = bool(roles & {Role.WERKVERDELER, Role.BEGELEIDER})
    deadlines = [d for d in deadlines_of(traject, today=today) if d.kind in ds.PROVIDER_DEADLINES]
    final = (
        traject.beschikkingen.filter(status=Beschikking.Status.FINAL)
        .order_by("-decided_on")
        .first()
    )
    part_twos = list(traject.part_twos.prefetch_related("deployments__support_form"))
    bandwidths = bandwidths_of(part_one.level) if part_one and part_twos else {}
    # The steps this user may take now, by action value (what the template checks).
    may = (
        {t.action.value: True for t in allowed_actions(traject.status_enum, roles)}
        if works_on
        else {}
    )
    professionals = ds.professionals_for(request.user) if Role.WERKVERDELER in roles else None
    target = delivery.handover_target(traject) if works_on else None
    context = {
        "traject": traject,
        "today": today,
        "shared": shared,
        "shareable": SHAREABLE_FIELDS,
        "part_one": part_one if "arrangement" in shared else None,
        "goals": goals_from_text(part_one.goals) if part_one and "goals" in shared else [],
        "deadlines": deadlines,
        "pending_deadline": next((d for d in deadlines if d.is_pending), None),
        "part_twos": [_part_two_view(p, bandwidths) for p in part_twos],
        "final": final,
        "final_deployments": final.content.get("deployments", []) if final else [],
        "start_due_on": delivery.start_due_on(traject),
        "is_delegate": is_delegate,
        "works_on": works_on,
        "is_distributor": Role.WERKVERDELER in roles,
        "may_request_iwmo": (
            works_on
            and not traject.is_practice
            and bool(roles & {Role.WERKVERDELER, Role.ADMINISTRATIE})
            and traject.assignments.exists()
        ),
        "may": may,
        "log_entries": traject.log_entries.select_related("written_by")[:20] if works_on else [],
        "weeks": _weeks(traject) if works_on and part_one else [],
        "signals": traject.signals.select_related("sent_by", "read_by") if works_on else [],
        "stop": getattr(traject, "support_stop", None),
        "handover_target": target,
        "handover": Handover.objects.filter(traject=traject).first(),
        "handover_received": Handover.objects.filter(to_traject=traject)
        .select_related("traject__provider")
        .first()
        if not is_delegate
        else None,
        "evaluations": traject.evaluations.all() if not is_delegate else [],
        "delegations": traject.delegations.select_related("delegate", "subcontractor")
        if Role.WERKVERDELER in roles
        else [],
        "delegation_allowed": delivery.policy_for(traject).delegation_allowed,
        "history": ds.provider_history(traject) if not is_delegate else [],
        "assign_form": pf.AssignForm(professionals=professionals)
        if may.get(Action.ASSIGN.value)
        else None,
        "practice": _practice(request),
        "S": {s.name: s.value for s in TrajectStatus},
    }
    return render(request, "portal/provider/traject.html", context)


def _part_two_view(part_two, bandwidths: dict) -> dict:
    """A version of POP deel II with its bandwidth checks and household-help totals."""
    deployments = list(part_two.deployments.all())
    checks = bandwidth_checks({d.support_form.code: d.per_week for d in deployments}, bandwidths)
    table = table_from_json(part_two.household_hours or {})
    return {
        "part_two": part_two,
        "checks": list(zip(deployments, checks, strict=True)),
        "household": household_rows(table) if table else None,
    }


def household_rows(table, fields=None) -> dict:
    """Rows of the household-help table with row and column totals for the template."""
    totals = household_totals(table)
    rows = []
    for task, label in HOUSEHOLD_TASKS.items():
        cells = [
            (fields[f"hh_{task}_{room}"] if fields else table.get(task, {}).get(room))
            for room in HOUSEHOLD_ROOMS
        ]
        rows.append((label, cells, totals.per_task[task]))
    return {
        "rooms": list(HOUSEHOLD_ROOMS.values()),
        "rows": rows,
        "per_room": [totals.per_room[r] for r in HOUSEHOLD_ROOMS],
        "total": totals.total,
        "per_week": totals.per_week,
    }


def _weeks(traject: Traject) -> list[dict]:
    """The last eight recorded weeks per support form, with the bandwidth check."""
    rows = list(traject.weekly_deployments.select_related("support_form")[:40])
    bandwidths = delivery.bandwidth_of(traject)
    weeks: dict = {}
    for row in rows:
        check = bandwidth_checks({row.support_form.code: row.amount}, bandwidths)[0]
        weeks.setdefault(row.week, []).append((row, check))
    return [{"week": w, "rows": r} for w, r in sorted(weeks.items(), reverse=True)[:8]]


# --- Werkverdeling --------------------------------------------------------------------------


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "traject toewijzen")
    _refuse_unless(traject, request, Action.ASSIGN)
    form = pf.AssignForm(request.POST or None, professionals=ds.professionals_for(request.user))
    return _run(
        request,
        traject,
        form,
        lambda d: delivery.traject_assign(
            traject=traject, actor=request.user, professional=d["professional"], note=d["note"]
        ),
        lambda a: f"Traject {traject.number} is toegewezen aan {a.professional}.",
        "Traject toewijzen",
        submit="Toewijzen",
    )


# --- POP deel II ----------------------------------------------------------------------------


def _part_two_form(request: HttpRequest, traject: Traject) -> pf.PartTwoForm:
    part_one = traject.part_one
    support_forms = list(part_one.arrangement.support_forms.order_by("code"))
    version = part_one.level.arrangement.catalog_version
    members = (
        PartnershipMember.objects.filter(
            partnership__lead_provider=traject.provider,
            partnership__region=traject.municipality.region,
        )
        .select_related("provider")
        .order_by("provider__name")
    )
    bandwidths = bandwidths_of(part_one.level)
    latest = plan_services.latest_part_two(traject)
    initial = _initial_from(latest, traject) if latest else {}
    initial["signer_name"] = _signer_name(traject)
    return pf.PartTwoForm(
        request.POST or None,
        initial=initial,
        goals=goals_from_text(part_one.goals),
        support_forms=support_forms,
        bandwidths=bandwidths,
        household=any(sf.code == HOUSEHOLD_HELP for sf in support_forms),
        result_codes=version.result_codes.order_by("code"),
        members=members,
        activity_rows=max(5, len(latest.activities) + 2) if latest else 5,
    )


def _signer_name(traject: Traject) -> str:
    """Prefill the signer with the client's name only when the client shared it."""
    return traject.client.display_name if "contact" in ds.shared_fields_of(traject) else ""


def _initial_from(latest, traject) -> dict:
    """A revision starts from the previous version: nothing typed before is lost."""
    initial: dict = {"expected_changes": latest.expected_changes}
    goals = goals_from_text(traject.part_one.goals)
    by_goal = {r.get("goal"): r for r in latest.results}
    for i, goal in enumerate(goals):
        for key in ("result", "by_client", "by_general_facility", "by_support"):
            initial[f"r{i}_{key}"] = by_goal.get(goal, {}).get(key, "")
    for d in latest.deployments.all():
        initial[f"d{d.support_form_id}_per_week"] = d.per_week
        initial[f"d{d.support_form_id}_intensity"] = d.intensity
    for task, row in (latest.household_hours or {}).items():
        for room, hours in row.items():
            initial[f"hh_{task}_{room}"] = Decimal(hours)
    for i, activity in enumerate(latest.activities):
        for key in ("result_code", "activity", "frequency"):
            initial[f"a{i}_{key}"] = activity.get(key, "")
    return initial


@login_required
def part_two(request: HttpRequest, pk: int) -> HttpResponse:
    """Work out POP deel II with the client and submit it, signed, before the deadline."""
    traject = _traject(request, pk, "POP deel II opstellen")
    _refuse_unless(traject, request, Action.SUBMIT_PART_TWO)
    form = _part_two_form(request, traject)
    if request.method == "POST":
        is_valid = form.is_valid()  # cleaned_data holds every valid field either way
        totals_only = "berekenen" in request.POST
        if totals_only:
            # Only the sums were asked for: do not bother the user with other fields yet.
            form._errors = {k: v for k, v in form.errors.items() if k.startswith("hh_")}
        try:
            totals = household_table(form.household_raw())
        except ValueError as exc:
            form.add_error(None, str(exc))
            totals = {}
        if is_valid and not totals_only and not form.errors:
            try:
                part_two = plan_services.part_two_submit(
                    traject=traject, actor=request.user, **_submission(form, traject)
                )
            except TrajectError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"POP deel II versie {part_two.version} is ingediend bij de gemeente."
                )
                return redirect(_page(traject))
    else:
        latest = plan_services.latest_part_two(traject)
        totals = table_from_json(latest.household_hours) if latest else {}
    deadlines = [
        d
        for d in deadlines_of(traject, today=timezone.localdate())
        if d.kind in ds.PROVIDER_DEADLINES
    ]
    latest = plan_services.latest_part_two(traject)
    return render(
        request,
        "portal/provider/part_two.html",
        {
            "traject": traject,
            "form": form,
            "part_one": traject.part_one,
            "household": household_rows(totals or {}, form) if form.household else None,
            "deadline": next((d for d in deadlines if d.is_pending), None),
            "returned": latest if latest and latest.review == PartTwo.Review.RETURNED else None,
        },
    )


def _submission(form: pf.PartTwoForm, traject: Traject) -> dict:
    data = form.cleaned_data
    results = [
        plan_services.ResultInput(
            goal=goal,
            result=data[f"r{i}_result"],
            by_client=data[f"r{i}_by_client"],
            by_general_facility=data[f"r{i}_by_general_facility"],
            by_support=data[f"r{i}_by_support"],
        )
        for i, goal in enumerate(form.goals)
    ]
    deployments = [
        plan_services.DeploymentInput(
            support_form=sf,
            per_week=data[f"d{sf.pk}_per_week"],
            intensity=data[f"d{sf.pk}_intensity"],
        )
        for sf in form.support_forms
        if data.get(f"d{sf.pk}_per_week") is not None
    ]
    activities = [
        {
            "result_code": data[f"a{i}_result_code"],
            "activity": data[f"a{i}_activity"],
            "frequency": data[f"a{i}_frequency"],
        }
        for i in range(form.activity_rows)
    ]
    subcontractors = "\n".join(
        f"{m.provider.name}: {data[f'sub{m.pk}'].strip()}"
        for m in form.members
        if data.get(f"sub{m.pk}", "").strip()
    )
    return {
        "results": results,
        "deployments": deployments,
        "signature_kind": SignatureKind(data["signature_kind"]),
        "signer_name": data["signer_name"],
        "signed_on": data["signed_on"],
        "signature_method": data["signature_method"],
        "expected_changes": data["expected_changes"],
        "subcontractors": subcontractors,
        "household_hours": form.household_raw(),
        "activities": activities,
    }


# --- Start ----------------------------------------------------------------------------------


@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "start vastleggen")
    _refuse_unless(traject, request, Action.REPORT_START)
    due = delivery.start_due_on(traject)
    form = pf.StartForm(request.POST or None)

    def success(t: Traject) -> str:
        if due and t.started_on > due:
            messages.warning(
                request,
                f"Let op: de start ligt na de afgesproken termijn (uiterlijk {due:%d-%m-%Y}). "
                "Meld de reden aan de gemeente met een signaal.",
            )
        return f"Start vastgelegd op {t.started_on:%d-%m-%Y}; de evaluaties zijn gepland."

    return _run(
        request,
        traject,
        form,
        lambda d: decision_services.traject_start_record(
            traject=traject, actor=request.user, started_on=d["started_on"]
        ),
        success,
        "Start ondersteuning vastleggen",
        submit="Start vastleggen",
        intro=f"Afgesproken: starten uiterlijk {due:%d-%m-%Y}." if due else "",
    )


# --- Casusregie -----------------------------------------------------------------------------


@login_required
def casusregie(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's own log: contacts and agreements, and the deployment per week."""
    traject = _traject(request, pk, "casusregie")
    _refuse_unless(traject, request, Action.LOG_DELIVERY)
    part_one = traject.part_one
    support_forms = list(part_one.arrangement.support_forms.order_by("code"))
    bandwidths = delivery.bandwidth_of(traject)
    is_log = "notitie" in request.POST
    log_form = pf.LogEntryForm(request.POST if is_log else None, prefix="log")
    week_form = pf.WeeklyDeploymentForm(
        request.POST if request.method == "POST" and not is_log else None,
        prefix="week",
        support_forms=support_forms,
        bandwidths=bandwidths,
    )
    if request.method == "POST" and is_log and log_form.is_valid():
        d = log_form.cleaned_data
        try:
            delivery.log_entry_add(
                traject=traject,
                actor=request.user,
                on=d["on"],
                kind=LogKind(d["kind"]),
                note=d["note"],
            )
        except TrajectError as exc:
            log_form.add_error(None, str(exc))
        else:
            messages.success(request, "De notitie staat in het logboek.")
            return redirect(reverse("portal:provider-casusregie", args=[traject.pk]))
    if request.method == "POST" and not is_log and week_form.is_valid():
        try:
            checks = delivery.weekly_deployment_record(
                traject=traject,
                actor=request.user,
                week=week_form.cleaned_data["week"],
                amounts=week_form.amounts(),
            )
        except TrajectError as exc:
            week_form.add_error(None, str(exc))
        else:
            outside = [c for c in checks.values() if not c.is_within]
            monday = week_of(week_form.cleaned_data["week"])
            messages.success(request, f"Inzet voor de week van {monday:%d-%m-%Y} vastgelegd.")
            for check in outside:
                messages.warning(
                    request,
                    f"{check.support_form}: {check.message} Is dit structureel, geef dan een "
                    "signaal aan de gemeente.",
                )
            return redirect(reverse("portal:provider-casusregie", args=[traject.pk]))
    return render(
        request,
        "portal/provider/casusregie.html",
        {
            "traject": traject,
            "log_form": log_form,
            "week_form": week_form,
            "entries": traject.log_entries.select_related("written_by")[:50],
            "weeks": _weeks(traject),
            "may_record_weeks": traject.status == TrajectStatus.ACTIVE.value,
        },
    )


# --- Signals, stop, handover ----------------------------------------------------------------


@login_required
def signal(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "signaal aan gemeente")
    _refuse_unless(traject, request, Action.SIGNAL)
    form = pf.SignalForm(request.POST or None)
    return _run(
        request,
        traject,
        form,
        lambda d: delivery.signal_send(
            traject=traject,
            actor=request.user,
            kind=SignalKind(d["kind"]),
            description=d["description"],
        ),
        lambda s: f"Signaal verstuurd aan de gemeente: {SIGNAL_LABELS[SignalKind(s.kind)]}.",
        "Signaal aan de gemeente",
        submit="Signaal versturen",
        intro="Meld veranderingen in de gezondheid, leefomstandigheden, sociale omgeving of "
        "huiselijke situatie van de inwoner, of dat structureel een zwaarder niveau nodig is.",
    )


@login_required
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "ondersteuning stoppen")
    _refuse_unless(traject, request, Action.END)
    try:
        reasons = delivery.stop_reasons()
        unavailable = ""
    except CodeListUnavailable as exc:
        reasons, unavailable = [], str(exc)
    form = pf.StopForm(request.POST or None, reasons=reasons)
    if unavailable:
        # Without the code list no valid stop can be recorded: say so, and save nothing.
        return _form_page(
            request,
            traject,
            form,
            "Ondersteuning stoppen",
            submit="Stop vastleggen",
            intro=unavailable,
        )
    return _run(
        request,
        traject,
        form,
        lambda d: delivery.support_stop(
            traject=traject,
            actor=request.user,
            stopped_on=d["stopped_on"],
            reason_code=d["reason_code"],
            explanation=d["explanation"],
        ),
        "De ondersteuning is gestopt; de gemeente is ingelicht.",
        "Ondersteuning stoppen",
        submit="Stop vastleggen",
    )


@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "warme overdracht")
    _refuse_unless(traject, request, Action.HANDOVER)
    form = pf.HandoverForm(request.POST or None)
    return _run(
        request,
        traject,
        form,
        lambda d: delivery.handover_write(traject=traject, actor=request.user, text=d["text"]),
        "De warme overdracht is vastgelegd; de nieuwe aanbieder ziet haar bij het traject.",
        "Warme overdracht",
        submit="Overdracht vastleggen",
    )


# --- Evaluation -----------------------------------------------------------------------------


@login_required
def evaluation(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    traject = _traject(request, pk, "evaluatie")
    if not roles_of(request.user) & {Role.WERKVERDELER, Role.BEGELEIDER}:
        raise Http404("Evaluaties zijn er voor de werkverdeler en de begeleider.")
    item = get_object_or_404(Evaluation, pk=evaluation_pk, traject=traject)
    if item.is_submitted:
        return render(
            request,
            "portal/provider/evaluation_done.html",
            {"traject": traject, "evaluation": item, "advice_labels": ADVICE_LABELS},
        )
    _refuse_unless(traject, request, Action.EVALUATE)
    template = delivery.evaluation_results_template(traject)
    form = pf.EvaluationForm(request.POST or None, initial={"signer_name": _signer_name(traject)})
    rows = []
    for i, result in enumerate(template):
        rows.append(
            {
                "index": i,
                "result": result["result"],
                "achieved": request.POST.get(f"r{i}_achieved", ""),
                "why_how": request.POST.get(f"r{i}_why_how", ""),
            }
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        results = [
            {
                "result": row["result"],
                "achieved": {"ja": True, "nee": False}.get(row["achieved"]),
                "why_how": row["why_how"],
            }
            for row in rows
        ]
        try:
            done = delivery.evaluation_submit(
                evaluation=item,
                actor=request.user,
                held_on=d["held_on"],
                results=results,
                advice=Advice(d["advice"]),
                explanation=d["explanation"],
                signature_kind=SignatureKind(d["signature_kind"]),
                signer_name=d["signer_name"],
                signed_on=d["signed_on"],
                signature_method=SignatureMethod(d["signature_method"]),
            )
        except TrajectError as exc:
            form.add_error(None, str(exc))
        else:
            text = "De evaluatie is ingediend bij de gemeente."
            if done.reindication:
                number = done.reindication.number
                text += f" De melding voor de herindicatie staat klaar als traject {number}."
            messages.success(request, text)
            return redirect(_page(traject))
    return render(
        request,
        "portal/provider/evaluation.html",
        {"traject": traject, "evaluation": item, "form": form, "rows": rows},
    )


# --- Subcontractor delegation ---------------------------------------------------------------


@login_required
def delegation(request: HttpRequest, pk: int) -> HttpResponse:
    traject = _traject(request, pk, "inzage onderaannemer")
    _refuse_unless(traject, request, Action.DELEGATE)
    form = pf.DelegationForm(request.POST or None, delegates=delivery.delegates_for(traject))
    return _run(
        request,
        traject,
        form,
        lambda d: delivery.delegation_grant(
            traject=traject, actor=request.user, delegate=d["delegate"], reason=d["reason"]
        ),
        lambda g: f"{g.delegate} heeft nu alleen-lezen inzage in de gedeelde onderdelen.",
        "Inzage geven aan een onderaannemer",
        submit="Inzage geven",
        intro="Alleen-lezen, alleen de onderdelen waarvoor de inwoner toestemming gaf; u kunt "
        "de inzage altijd intrekken en elke inzage wordt gelogd.",
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int, delegation_pk: int) -> HttpResponse:
    traject = _traject(request, pk, "inzage onderaannemer intrekken")
    item = get_object_or_404(Delegation, pk=delegation_pk, traject=traject)
    try:
        delivery.delegation_revoke(delegation=item, actor=request.user)
    except TrajectError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"De inzage van {item.delegate} is ingetrokken.")
    return redirect(_page(traject))


# --- Practice environment -------------------------------------------------------------------


@login_required
def practice(request: HttpRequest) -> HttpResponse:
    """Switch to the practice environment (fictitious clients only) and back, or reset it."""
    roles = _provider_only(request)
    if not roles & {Role.WERKVERDELER, Role.BEGELEIDER}:
        raise Http404("Oefenen is er voor werkverdelers en begeleiders.")
    provider = practice_service.provider_of(request.user)
    if request.method == "POST":
        action = request.POST.get("actie")
        if action == "aan":
            practice_service.practice_ensure(provider=provider, actor=request.user)
            request.session[PRACTICE_KEY] = True
            messages.success(request, "U werkt nu in de oefenomgeving met fictieve inwoners.")
        elif action == "uit":
            request.session.pop(PRACTICE_KEY, None)
            messages.success(request, "U werkt weer met echte trajecten.")
        elif action == "opnieuw":
            practice_service.practice_reset(provider=provider, actor=request.user)
            request.session[PRACTICE_KEY] = True
            messages.success(request, "De oefenomgeving is opnieuw begonnen.")
        return redirect(reverse("portal:provider-inbox"))
    return render(
        request,
        "portal/provider/practice.html",
        {"practice": _practice(request), "provider": provider},
    )


@login_required
@require_POST
def practice_municipality(request: HttpRequest, pk: int) -> HttpResponse:
    """In the practice environment, play the municipality's next step (approve POP deel II
    and make the beschikking final) so the whole provider side can be practised."""
    if not _practice(request):
        raise Http404("Alleen in de oefenomgeving.")
    traject = _traject(request, pk, "oefenen: stap gemeente")
    try:
        practice_service.municipality_step(traject=traject, actor=request.user)
    except TrajectError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Oefenomgeving: de gemeente heeft haar stap gezet.")
    return redirect(_page(traject))


# --- iWmo requests (315/317) ---------------------------------------------------------------


@login_required
def iwmo_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The werkverdeler or administratie asks the municipality for a product more (VOT) or
    another end date of the current assignment (VOW); the answer comes as a 319 or a 301."""
    from openarrangementen.catalog.models import Level
    from openarrangementen.iwmo import codelists
    from openarrangementen.iwmo import services as iwmo

    traject = _traject(request, pk, "iWmo-verzoek")
    if (
        traject.is_practice
        or not request.user.role_assignments.filter(
            role__in=[Role.WERKVERDELER.value, Role.ADMINISTRATIE.value], provider=traject.provider
        ).exists()
    ):
        raise Http404("Deze stap kan nu niet bij dit traject.")
    assignment = iwmo.current_assignment(traject)
    if assignment is None:
        raise Http404("Dit traject heeft (nog) geen toewijzing.")
    unavailable = iwmo.schemas_ready()
    try:
        units, frequencies = codelists.units(), codelists.frequencies()
    except CodeListUnavailable as exc:
        units, frequencies, unavailable = [], [], str(exc)
    levels = Level.objects.filter(
        arrangement__catalog_version__region=traject.municipality.region_id
    ).order_by("product_category", "product_code")
    form = pf.IwmoRequestForm(
        request.POST or None, levels=levels, units=units, frequencies=frequencies
    )
    title = "Verzoek aan de gemeente"
    intro = unavailable or (
        f"Huidige toewijzing {assignment.number}: {assignment.product_category} "
        f"{assignment.product_code}, {assignment.start_on:%d-%m-%Y} t/m "
        f"{assignment.end_on:%d-%m-%Y}."
        if assignment.end_on
        else ""
    )
    if unavailable:
        return _form_page(request, traject, form, title, submit="Verzoek versturen", intro=intro)

    def call(d):
        if d["kind"] == "vot":
            level = form.levels[d["level"]]
            return iwmo.request_assignment(
                traject=traject,
                actor=request.user,
                products=[
                    {
                        "category": level.product_category,
                        "code": level.product_code,
                        "start_on": d["start_on"],
                        "end_on": d["end_on"],
                        "volume": d["volume"],
                        "unit": d["unit"],
                        "frequency": d["frequency"],
                    }
                ],
            )
        return iwmo.request_change(
            traject=traject,
            actor=request.user,
            reason="1",
            changes=[
                {
                    "number": assignment.number,
                    "start_on": assignment.start_on,
                    "end_on": d["end_on"],
                    "volume": assignment.volume,
                    "unit": assignment.unit,
                    "frequency": assignment.frequency,
                }
            ],
            new=[],
        )

    return _run(
        request,
        traject,
        form,
        call,
        lambda message: (
            "Het verzoek is verstuurd."
            if message.accepted is not False and message.status != "afgekeurd"
            else "Het verzoek is afgekeurd door de gemeente; zie iWmo-berichten."
        ),
        title,
        submit="Verzoek versturen",
        intro=intro,
    )
