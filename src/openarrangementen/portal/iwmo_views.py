"""The iWmo pages: the message log, one message, and the requests (VOT/VOW) to answer.

Every read goes through `iwmo.selectors` (404 for what the user may not see). A message's
XML holds the client's BSN and name, so opening one is written to the access log. When
the iWmo schemas are not installed, the pages say so and still show what is stored; the
services refuse to answer or send, and their Dutch explanation is shown.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.cases.services import TrajectError
from openarrangementen.core.audit import log_access, log_list, log_refusal
from openarrangementen.core.pagination import page_of
from openarrangementen.iwmo import codelists, exchange, services
from openarrangementen.iwmo.models import Message, Request, Side
from openarrangementen.iwmo.rules import reference_rules
from openarrangementen.iwmo.schemas import SchemasMissing
from openarrangementen.iwmo.selectors import (
    MUNICIPALITY_ROLES,
    PROVIDER_ALL_ROLES,
    attention_list,
    message_get_visible_to,
    message_list_visible_to,
    message_providers_for,
    request_list_visible_to,
)

from . import steps
from .iwmo_forms import MessageFilter, RequestAnswerForm

# Who has the message pages; the selectors decide which messages each of them sees.
MESSAGE_ROLES = MUNICIPALITY_ROLES | {Role.WERKVERDELER, Role.ADMINISTRATIE, Role.BEGELEIDER}
# Who has the requests page: the PAs answer, the others follow (read only).
REQUEST_ROLES = MUNICIPALITY_ROLES | set(PROVIDER_ALL_ROLES)
# Who may open the traject page of a message on either side.
MUNICIPALITY_TRAJECT_ROLES = {Role.PROCESREGISSEUR, Role.COLLEGA_PA}
PROVIDER_TRAJECT_ROLES = {Role.WERKVERDELER, Role.ADMINISTRATIE, Role.BEGELEIDER}
ANSWERED = {Message.Status.ANSWERED, Message.Status.REJECTED}
OPEN_REQUEST = [Request.State.OPEN, Request.State.INVESTIGATING]
REQUEST_TEMPLATE = "portal/iwmo/request.html"


def _roles_or_404(request: HttpRequest, allowed: set[Role] | frozenset[Role]) -> set[Role]:
    roles = roles_of(request.user)
    if not roles & allowed:
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


def _roles_text(roles: set[Role]) -> str:
    return ",".join(sorted(roles))


def _traject_url(message: Message, roles: set[Role]) -> str:
    """The traject page on the message's side, when this user has that page."""
    if message.traject_id is None:
        return ""
    if message.side == Side.MUNICIPALITY and roles & MUNICIPALITY_TRAJECT_ROLES:
        return reverse("portal:traject-detail", args=[message.traject_id])
    if message.side == Side.PROVIDER and roles & PROVIDER_TRAJECT_ROLES:
        return reverse("portal:provider-traject", args=[message.traject_id])
    return ""


def _is_overdue(message: Message, today: date) -> bool:
    """The answer (retour, 325) was due and has not come."""
    if not message.answer_due_on or message.answer_due_on >= today:
        return False
    if message.status in ANSWERED:
        return False
    has_answer = getattr(message, "has_answer", None)
    return not (message.answers.exists() if has_answer is None else has_answer)


# --- the log ----------------------------------------------------------------------------------


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    """Every message this user may see, newest first, with filters on the GET string."""
    roles = _roles_or_404(request, MESSAGE_ROLES)
    today = timezone.localdate()
    visible = message_list_visible_to(request.user)
    filters = MessageFilter(
        request.GET or None, queryset=visible, providers=message_providers_for(request.user)
    )
    # The XML is read on the message's own page, never for the list (issue #14).
    rows = (
        filters.qs.defer("xml", "in_reply_to__xml")
        .annotate(has_answer=Exists(Message.objects.filter(in_reply_to=OuterRef("pk"))))
        .order_by("-created_at", "-pk")
    )
    page = page_of(request, rows, per_page=25)
    for message in page:
        message.is_overdue = _is_overdue(message, today)
        message.traject_url = _traject_url(message, roles)
    log_list(
        actor=request.user,
        objects=list({m.client_id: m.client for m in page if m.client_id}.values()),
        purpose="iWmo-berichtenlog",
        path=request.get_full_path(),
        roles=_roles_text(roles),
    )
    attention = []
    if Role.FUNCTIONEEL_BEHEERDER in roles:
        attention = list(attention_list(request.user)[:50])
    may_see_requests = bool(roles & REQUEST_ROLES)
    return render(
        request,
        "portal/iwmo/list.html",
        {
            "filters": filters,
            "form": filters.form,
            "page": page,
            "schemas_problem": services.schemas_ready(),
            "attention": attention,
            "is_administrator": Role.FUNCTIONEEL_BEHEERDER in roles,
            "may_see_requests": may_see_requests,
            "open_requests": request_list_visible_to(request.user)
            .filter(state__in=OPEN_REQUEST)
            .count()
            if may_see_requests
            else 0,
        },
    )


# --- one message ------------------------------------------------------------------------------


def _refused(request: HttpRequest, model, pk: int, purpose: str) -> None:
    log_refusal(
        actor=request.user,
        model=model,
        object_id=pk,
        purpose=purpose,
        path=request.path,
        roles=_roles_text(roles_of(request.user)),
    )


def _message_or_404(request: HttpRequest, pk: int) -> Message:
    try:
        return message_get_visible_to(request.user, pk)
    except Message.DoesNotExist as exc:
        _refused(request, Message, pk, "iWmo-bericht openen")
        raise Http404("Dit bericht bestaat niet of u heeft geen toegang.") from exc


def _retour_code_texts() -> tuple[dict[str, codelists.Code], dict[str, str]]:
    try:
        return codelists.retour_codes(), codelists.retour_code_rules()
    except codelists.CodeListUnavailable:
        return {}, {}


def _explained_codes(entries: list[dict]) -> list[dict]:
    """The retour codes per class, each with its WJ001 description."""
    known, rules = _retour_code_texts()
    return [
        {
            "class": entry.get("class", ""),
            "path": entry.get("path", ""),
            "codes": [
                {
                    "code": code,
                    "label": known[code].label if code in known else "",
                    "rule": rules.get(code, ""),
                }
                for code in entry.get("codes", [])
            ],
        }
        for entry in entries
    ]


def _explained_violations(violations: list[dict]) -> list[dict]:
    """The rules broken, with the standard's definition and the retour code's meaning."""
    definitions = reference_rules()
    known, _ = _retour_code_texts()
    explained = []
    for violation in violations:
        rule = definitions.get(violation.get("code", ""))
        retour_code = violation.get("retour_code", "")
        explained.append(
            {
                **violation,
                "definition": rule.definition if rule else "",
                "retour_label": known[retour_code].label if retour_code in known else "",
            }
        )
    return explained


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roles = _roles_or_404(request, MESSAGE_ROLES)
    message = _message_or_404(request, pk)
    visible = message_list_visible_to(request.user)
    # Both links go through the selector as well: an answer is on the same side, but the
    # page shows only what this user may open.
    in_reply_to = (
        visible.filter(pk=message.in_reply_to_id).first() if message.in_reply_to_id else None
    )
    answers = list(visible.filter(in_reply_to=message).order_by("created_at", "pk"))
    log_access(
        actor=request.user,
        action="view",
        objects=[message, *([message.client] if message.client_id else [])],
        purpose=f"iWmo-bericht WMO{message.code} ingezien",
        path=request.path,
        roles=_roles_text(roles),
    )
    is_administrator = Role.FUNCTIONEEL_BEHEERDER in roles
    return render(
        request,
        "portal/iwmo/detail.html",
        {
            "message": message,
            "in_reply_to": in_reply_to,
            "answers": answers,
            "is_overdue": _is_overdue(message, timezone.localdate()),
            "traject_url": _traject_url(message, roles),
            "violations": _explained_violations(message.violations),
            "retour_codes": _explained_codes(message.retour_codes),
            "schemas_problem": services.schemas_ready(),
            "may_resend": is_administrator and _may_resend(message),
        },
    )


def _may_resend(message: Message) -> bool:
    return message.direction == Message.Direction.OUTGOING and (
        message.status == Message.Status.FAILED or message.needs_attention
    )


@login_required
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """The functioneel beheerder sends a message again after fixing the link."""
    _roles_or_404(request, {Role.FUNCTIONEEL_BEHEERDER})
    message = _message_or_404(request, pk)
    done = redirect("portal:iwmo-message", pk=message.pk)
    problem = services.schemas_ready()
    if problem:
        messages.error(request, f"Niet opnieuw verstuurd. {problem}")
        return done
    try:
        message = exchange.resend(message)
    except exchange.ExchangeError as exc:
        messages.error(request, str(exc))
        return done
    if message.status in {Message.Status.SENT, *ANSWERED}:
        messages.success(request, f"Het WMO{message.code}-bericht is opnieuw verstuurd.")
    else:
        messages.error(
            request,
            f"Het WMO{message.code}-bericht kon weer niet worden afgeleverd: "
            f"{message.last_error or 'onbekende fout'} Er volgen nog automatische pogingen.",
        )
    return done


# --- requests ---------------------------------------------------------------------------------


def _answer_form(req: Request, data=None) -> RequestAnswerForm:
    # One form per request on the list page: names and ids must differ.
    return RequestAnswerForm(data, prefix=f"verzoek{req.pk}")


def _product_rows(req: Request) -> list[dict]:
    """The requested products with the code lists' labels where they are installed."""
    labels: dict[str, dict[str, str]] = {}
    for name, read in (
        ("category", codelists.product_categories),
        ("unit", codelists.units),
        ("frequency", codelists.frequencies),
    ):
        try:
            labels[name] = {c.code: c.label for c in read()}
        except codelists.CodeListUnavailable:
            labels[name] = {}
    return [
        {
            **product,
            "start_on": _date_or_none(product.get("start_on")),
            "end_on": _date_or_none(product.get("end_on")),
            "category_label": labels["category"].get(product.get("category", ""), ""),
            "unit_label": labels["unit"].get(product.get("unit", ""), ""),
            "frequency_label": labels["frequency"].get(product.get("frequency", ""), ""),
        }
        for product in req.products
    ]


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _request_view(req: Request, *, may_answer: bool, form=None) -> dict:
    return {
        "request": req,
        "products": _product_rows(req),
        "reason_label": _label(codelists.reasons_of_request, req.reason_code),
        "rejection_label": _label(codelists.reasons_of_rejection, req.rejection_reason),
        "form": (form or _answer_form(req)) if may_answer and req.state in OPEN_REQUEST else None,
    }


def _label(read, code: str) -> str:
    if not code:
        return ""
    try:
        return next((c.display for c in read() if c.code == code), code)
    except codelists.CodeListUnavailable:
        return code


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Open requests first (the PA answers each one here), then the ones answered."""
    roles = _roles_or_404(request, REQUEST_ROLES)
    may_answer = Role.PROCESREGISSEUR in roles
    visible = request_list_visible_to(request.user)
    open_requests = list(visible.filter(state__in=OPEN_REQUEST).order_by("created_at", "pk"))
    done = Paginator(visible.exclude(state__in=OPEN_REQUEST), 25).get_page(
        request.GET.get("pagina")
    )
    log_list(
        actor=request.user,
        objects={r.client_id: r.client for r in [*open_requests, *done] if r.client_id}.values(),
        purpose="iWmo-verzoeken",
        path=request.get_full_path(),
        roles=_roles_text(roles),
    )
    return render(
        request,
        "portal/iwmo/requests.html",
        {
            "open_requests": [_request_view(r, may_answer=may_answer) for r in open_requests],
            "done": done,
            "done_views": [_request_view(r, may_answer=False) for r in done],
            "may_answer": may_answer,
            "is_municipality": bool(roles & MUNICIPALITY_ROLES),
            "schemas_problem": services.schemas_ready(),
        },
    )


@login_required
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One request; the PA answers it (Toewijzen, In onderzoek or Afwijzen)."""
    roles = _roles_or_404(request, REQUEST_ROLES)
    try:
        req = request_list_visible_to(request.user).get(pk=pk)
    except Request.DoesNotExist as exc:
        _refused(request, Request, pk, "iWmo-verzoek openen")
        raise Http404("Dit verzoek bestaat niet of u heeft geen toegang.") from exc
    may_answer = Role.PROCESREGISSEUR in roles
    if request.method == "POST" and not may_answer:
        raise Http404("Alleen een procesregisseur beantwoordt een verzoek.")
    log_access(
        actor=request.user,
        action="view",
        objects=[req.client] if req.client_id else [],
        purpose="iWmo-verzoek ingezien",
        path=request.path,
        roles=_roles_text(roles),
    )
    form = _answer_form(req, request.POST if request.method == "POST" else None)

    def answer(data: dict) -> Message:
        try:
            return services.request_answer(
                request=req, actor=request.user, **form.service_arguments()
            )
        except (SchemasMissing, exchange.ExchangeError) as exc:
            raise TrajectError(str(exc)) from exc

    return steps.handle(
        request,
        req.traject,
        form,
        answer,
        lambda sent: f"Verzoek {req.provider_reference} beantwoord met WMO{sent.code}.",
        f"{req.get_kind_display()} {req.provider_reference}",
        done_url=reverse("portal:iwmo-requests"),
        template=REQUEST_TEMPLATE,
        item=_request_view(req, may_answer=may_answer, form=form),
        is_municipality=bool(roles & MUNICIPALITY_ROLES),
        schemas_problem=services.schemas_ready(),
    )
