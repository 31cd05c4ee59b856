"""The provider's side after the hand-over: every service refuses what the rules forbid, says
why in Dutch and leaves the data as it was; visibility follows the role and the consent."""

from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

import pytest
from dateutil.relativedelta import relativedelta

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import LinkKind, Traject
from openarrangementen.cases.selectors import traject_get_visible_to, traject_list_visible_to
from openarrangementen.cases.services import TrajectError, intake_plan
from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import SupportForm
from openarrangementen.clients.models import Client
from openarrangementen.clients.selectors import client_list_visible_to
from openarrangementen.core.models import AccessLog, Notification
from openarrangementen.decisions import services as decisions
from openarrangementen.decisions.domain import FollowUpKind
from openarrangementen.decisions.models import FollowUp, StartCheck
from openarrangementen.delivery import practice
from openarrangementen.delivery import services as delivery
from openarrangementen.delivery.domain import (
    Advice,
    EvaluationKind,
    LogKind,
    SignalKind,
    week_of,
)
from openarrangementen.delivery.models import (
    Delegation,
    DeliveryPolicy,
    Handover,
    LogEntry,
    Signal,
    SupportStop,
    WeeklyDeployment,
    WorkAssignment,
)
from openarrangementen.plans import services as plans
from openarrangementen.plans.domain import (
    SHAREABLE_FIELDS,
    SignatureKind,
    SignatureMethod,
    SignedDocument,
    household_totals,
    table_from_json,
)
from openarrangementen.plans.models import Consent, PartTwo

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus
user = flow.user


def today():
    return timezone.localdate()


def thao() -> Client:
    return Client.objects.get(family_name="Thao")


def almere(to: S, client: Client | None = None) -> Traject:
    """An Almere traject of De Kade (flow: the begeleider is assigned at POP deel II)."""
    question = "Hulp bij structuur en administratie."
    return flow.advance(flow.new_melding(client=client, question=question), to)


def unchanged(traject: Traject) -> tuple:
    traject.refresh_from_db()
    return traject.status, traject.professional_id, traject.history.count()


def visible(username: str, traject: Traject, *, practice_mode: bool = False) -> bool:
    return (
        traject_list_visible_to(actor=user(username), practice=practice_mode)
        .filter(pk=traject.pk)
        .exists()
    )


def assign(traject: Traject, professional: str = "kade.begeleider", by: str = "kade.werkverdeler"):
    return delivery.traject_assign(traject=traject, actor=user(by), professional=user(professional))


# --- Midden-Limburg West: a traject of Begeleiding Maas en Kempen ----------------------------

MLW_ORDER = [S.WITH_PROVIDER, S.PLAN_REVIEW, S.DECIDED, S.ACTIVE]


def maaskempen() -> Provider:
    return Provider.objects.get(name="Begeleiding Maas en Kempen")


def mlw_activities(code: str = "R01") -> list[dict]:
    return [{"result_code": code, "activity": "Weekplanning maken", "frequency": "wekelijks"}]


def mlw_part_two(traject: Traject, *, activities=None, by: str = "maaskempen.begeleider"):
    return plans.part_two_submit(
        traject=traject,
        actor=user(by),
        results=[
            plans.ResultInput(
                goal=goal,
                result=f"Resultaat bij: {goal}",
                by_client="Houdt een agenda bij.",
                by_general_facility="Inloop van het buurthuis.",
                by_support="Begeleiding van Maas en Kempen.",
            )
            for goal in flow.GOALS
        ],
        deployments=[
            plans.DeploymentInput(support_form=SupportForm.objects.get(code="IB"), per_week=2)
        ],
        signature_kind=SignatureKind.AGREED,
        signer_name="M. Janssen",
        signed_on=today(),
        signature_method="persoonlijk",
        activities=mlw_activities() if activities is None else activities,
    )


def mlw(to: S, *, months: int = 24) -> Traject:
    """Mw. Janssen (Weert) through the MLW steps up to `to`, with an indication of `months`."""
    wijkwerker, pa = user("mlw.wijkwerker"), user("mlw.pa")
    traject = flow.new_melding(
        client=Client.objects.get(family_name="Janssen"),
        by="mlw.wijkwerker",
        question="Mw. raakt het overzicht over haar week kwijt.",
    )
    intake_plan(traject=traject, actor=wijkwerker, planned_for=today(), participants="inwoner")
    traject = Traject.objects.get(pk=traject.pk)
    flow._plan_and_hand_over(traject, wijkwerker)
    start = flow.part_one_input(traject).start_on
    data = flow.part_one_input(
        traject,
        level=flow.level("C1B", arrangement="BEG", region="midden-limburg-west"),
        end_on=flow._months_later(start, months),
        assessment_scores={n: "A" for n in range(1, 6)},
        deviation_motivation="Lichtste profiel past bij de hulpvraag.",
    )
    plans.part_one_save(traject=traject, actor=pa, data=data)
    plans.part_one_complete(traject=traject, actor=pa)
    plans.provider_choice_record(
        traject=traject, actor=pa, provider=maaskempen(), chosen_on=today()
    )
    plans.consent_record(
        traject=traject,
        actor=pa,
        is_given=True,
        shared_fields=list(SHAREABLE_FIELDS),
        given_on=today(),
    )
    plans.signature_record(
        traject=traject,
        actor=pa,
        document=SignedDocument.PART_ONE,
        kind=SignatureKind.AGREED,
        signer_name="M. Janssen",
        signed_on=today(),
        method="persoonlijk",
    )
    plans.traject_hand_to_provider(traject=traject, actor=pa)
    target = MLW_ORDER.index(to)
    if target >= 1:
        assign(traject, "maaskempen.begeleider", by="maaskempen.werkverdeler")
        mlw_part_two(traject)
    if target >= 2:
        decisions.beschikking_draft(
            traject=traject,
            actor=pa,
            considerations="Het profiel past bij de hulpvraag.",
            application_received_on=today(),
        )
        decisions.beschikking_submit_for_review(traject=traject, actor=pa)
        decisions.beschikking_approve(traject=traject, actor=user("mlw.collega-pa"))
    if target >= 3:
        decisions.traject_start_record(
            traject=traject, actor=user("maaskempen.begeleider"), started_on=today()
        )
    traject.refresh_from_db()
    assert traject.status_enum is to
    return traject


# --- Receive --------------------------------------------------------------------------------


def test_hand_over_notifies_the_werkverdelers_in_the_app_and_by_mail_without_the_name(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        traject = almere(S.WITH_PROVIDER, client=thao())
    notes = Notification.objects.filter(subject__contains=traject.number)
    assert [n.recipient.username for n in notes] == ["kade.werkverdeler"]
    note = notes.get()
    assert "nog te verdelen" in note.subject
    assert note.url == reverse("portal:provider-traject", args=[traject.pk])
    mails = [m for m in mail.outbox if m.to == ["kade.werkverdeler@demo.invalid"]]
    assert len(mails) == 1
    client = thao()
    for leak in (client.family_name, client.given_names, client.bsn, client.street):
        assert leak not in mails[0].subject
        assert leak not in mails[0].body
        assert leak not in note.text
    assert traject.number in mails[0].body
    assert note.url in mails[0].body
    # nobody else at De Kade (or elsewhere) heard about it
    assert not any(m.to == ["kade.begeleider@demo.invalid"] for m in mail.outbox)


# --- Distribute -----------------------------------------------------------------------------


def test_werkverdeler_assigns_and_the_professional_is_notified(django_capture_on_commit_callbacks):
    traject = almere(S.WITH_PROVIDER)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = delivery.traject_assign(
            traject=traject,
            actor=user("kade.werkverdeler"),
            professional=user("kade.begeleider"),
            note="Graag deze week contact.",
        )
    traject.refresh_from_db()
    assert traject.professional.username == "kade.begeleider"
    assert assignment.assigned_by.username == "kade.werkverdeler"
    assert assignment.note == "Graag deze week contact."
    row = traject.history.get(action=Action.ASSIGN.value)
    assert row.from_status == row.to_status == S.WITH_PROVIDER.value
    assert traject.status_enum is S.WITH_PROVIDER
    note = Notification.objects.get(recipient__username="kade.begeleider")
    assert traject.number in note.subject
    assert note.url == reverse("portal:provider-traject", args=[traject.pk])
    assert [
        m.to for m in mail.outbox if traject.number in m.subject and "toegewezen" in m.subject
    ] == [["kade.begeleider@demo.invalid"]]


def test_reassign_keeps_every_assignment_and_refuses_the_same_person_twice():
    traject = almere(S.WITH_PROVIDER)
    assign(traject, "kade.begeleider")
    assign(traject, "kade.begeleider2")
    traject.refresh_from_db()
    assert traject.professional.username == "kade.begeleider2"
    assert [a.professional.username for a in traject.work_assignments.all()] == [
        "kade.begeleider",
        "kade.begeleider2",
    ]
    rows = traject.history.filter(action=Action.ASSIGN.value).order_by("pk")
    assert len(rows) == 2
    assert all(r.from_status == r.to_status == S.WITH_PROVIDER.value for r in rows)
    assert rows[1].reason.startswith("Opnieuw toegewezen")
    before = unchanged(traject)
    with pytest.raises(TrajectError, match="al toegewezen"):
        assign(traject, "kade.begeleider2")
    assert unchanged(traject) == before
    assert traject.work_assignments.count() == 2
    # the werkverdeler may take the traject themselves
    assign(traject, "kade.werkverdeler")
    traject.refresh_from_db()
    assert traject.professional.username == "kade.werkverdeler"


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ("kade.begeleider", "Uw rol mag de stap"),
        ("kade.administratie", "Uw rol mag de stap"),
        ("kade.contactpersoon", "Uw rol mag de stap"),
        ("almere.pa", "Uw rol mag de stap"),
        ("anker.werkverdeler", "Alleen een werkverdeler van deze aanbieder"),
        ("maaskempen.werkverdeler", "Alleen een werkverdeler van deze aanbieder"),
    ],
)
def test_only_a_werkverdeler_of_the_provider_assigns(actor, message):
    traject = almere(S.WITH_PROVIDER)
    before = unchanged(traject)
    with pytest.raises(TrajectError, match=message):
        assign(traject, "kade.begeleider", by=actor)
    assert unchanged(traject) == before
    assert not WorkAssignment.objects.exists()
    assert not Notification.objects.filter(recipient__username="kade.begeleider").exists()


@pytest.mark.parametrize(
    "professional",
    [
        "anker.begeleider",
        "kade.administratie",
        "kade.contactpersoon",
        "werkplaats.medewerker",
        "almere.pa",
    ],
)
def test_professional_must_work_at_the_provider(professional):
    traject = almere(S.WITH_PROVIDER)
    before = unchanged(traject)
    with pytest.raises(TrajectError, match="werkt niet als begeleider bij uw organisatie"):
        assign(traject, professional)
    assert unchanged(traject) == before
    assert not WorkAssignment.objects.exists()


def test_assign_only_once_the_traject_is_with_the_provider():
    traject = almere(S.PROVIDER_CHOICE)
    with pytest.raises(TrajectError, match="kan niet bij een traject met status"):
        assign(traject)
    assert not WorkAssignment.objects.exists()


# --- Who sees what --------------------------------------------------------------------------


def test_provider_visibility_follows_the_role():
    traject = almere(S.WITH_PROVIDER)
    nobody = [
        "kade.begeleider",
        "kade.begeleider2",
        "kade.administratie",
        "kade.contactpersoon",
        "anker.werkverdeler",
        "anker.begeleider",
        "maaskempen.werkverdeler",
        "werkplaats.medewerker",
    ]
    assert visible("kade.werkverdeler", traject)
    assert not [u for u in nobody if visible(u, traject)]
    assign(traject, "kade.begeleider")
    assert visible("kade.begeleider", traject)
    assert not visible("kade.begeleider2", traject)
    assert not visible("kade.administratie", traject)  # no beschikking yet
    flow.advance(traject, S.DECIDED)
    assert visible("kade.administratie", traject)  # to invoice
    assert not visible("kade.contactpersoon", traject)  # a contact person reads no files
    assert not visible("anker.werkverdeler", traject)
    assert not visible("kade.begeleider2", traject)
    # a real traject never shows up in the practice environment
    assert not visible("kade.werkverdeler", traject, practice_mode=True)


@pytest.mark.parametrize("how", ["withdrawn", "refused"])
def test_without_consent_in_force_the_provider_sees_nothing(how):
    traject = almere(S.DECIDED)
    assert visible("kade.werkverdeler", traject)
    assert visible("kade.begeleider", traject)
    assert visible("kade.administratie", traject)
    if how == "withdrawn":
        Consent.objects.filter(traject=traject).update(withdrawn_on=today())
    else:
        Consent.objects.filter(traject=traject).update(is_given=False)
    for username in ("kade.werkverdeler", "kade.begeleider", "kade.administratie"):
        assert not visible(username, traject), username
    assert visible("almere.pa", traject)  # the municipality keeps its file


# --- POP deel II ----------------------------------------------------------------------------


def submit_part_two(traject, *, deployments, household_hours=None):
    return plans.part_two_submit(
        traject=traject,
        actor=user("kade.begeleider"),
        results=[
            plans.ResultInput(
                goal=goal, result="Resultaat", by_client="", by_general_facility="", by_support=""
            )
            for goal in flow.GOALS
        ],
        deployments=[
            plans.DeploymentInput(support_form=SupportForm.objects.get(code=code), per_week=amount)
            for code, amount in deployments
        ],
        signature_kind=SignatureKind.AGREED,
        signer_name="L. Verbeek",
        signed_on=today(),
        signature_method="persoonlijk",
        household_hours=household_hours,
    )


def test_household_table_is_required_when_household_help_is_deployed():
    traject = almere(S.WITH_PROVIDER)
    assign(traject)
    before = unchanged(traject)
    with pytest.raises(TrajectError, match="vul de tabel met uren per jaar"):
        submit_part_two(traject, deployments=[("IB", Decimal(2)), ("HH", Decimal(3))])
    with pytest.raises(TrajectError, match="vul de tabel"):
        submit_part_two(
            traject,
            deployments=[("HH", Decimal(3))],
            household_hours={"afnemen": {"woonkamer": "", "hal": None}},
        )
    with pytest.raises(TrajectError, match="Onbekende ruimte"):
        submit_part_two(
            traject, deployments=[("HH", Decimal(3))], household_hours={"afnemen": {"tuin": "3"}}
        )
    with pytest.raises(TrajectError, match="negatief"):
        submit_part_two(
            traject,
            deployments=[("HH", Decimal(3))],
            household_hours={"afnemen": {"woonkamer": "-3"}},
        )
    assert unchanged(traject) == before
    assert not PartTwo.objects.filter(traject=traject).exists()
    part_two = submit_part_two(
        traject,
        deployments=[("HH", Decimal(3))],
        household_hours={
            "afnemen": {"woonkamer": "10", "slaapkamer": ""},
            "stofzuigen": {"hal": "5,5", "woonkamer": "20"},
            "sanitair": {"badkamer": "30"},
        },
    )
    part_two.refresh_from_db()
    assert part_two.household_hours == {
        "afnemen": {"woonkamer": "10"},
        "stofzuigen": {"hal": "5.5", "woonkamer": "20"},
        "sanitair": {"badkamer": "30"},
    }
    totals = household_totals(table_from_json(part_two.household_hours))
    assert totals.total == Decimal("65.5")
    assert totals.per_task["stofzuigen"] == Decimal("25.5")
    assert totals.per_room["woonkamer"] == Decimal(30)
    traject.refresh_from_db()
    assert traject.status_enum is S.PLAN_REVIEW


def test_no_household_table_needed_without_household_help():
    traject = almere(S.WITH_PROVIDER)
    assign(traject)
    part_two = submit_part_two(traject, deployments=[("IB", Decimal(2)), ("HH", Decimal(0))])
    assert part_two.household_hours == {}


def test_midden_limburg_needs_activities_with_a_result_code_of_the_catalog():
    traject = mlw(S.WITH_PROVIDER)
    assign(traject, "maaskempen.begeleider", by="maaskempen.werkverdeler")
    before = unchanged(traject)
    with pytest.raises(TrajectError, match="resultatenmatrix: geef ten minste één activiteit"):
        mlw_part_two(traject, activities=[])
    with pytest.raises(TrajectError, match="Activiteit 1: kies een resultaatcode"):
        mlw_part_two(traject, activities=mlw_activities("X99"))
    with pytest.raises(TrajectError, match="Activiteit 1: kies een resultaatcode"):
        mlw_part_two(traject, activities=[{"activity": "Planning", "frequency": "wekelijks"}])
    with pytest.raises(
        TrajectError, match="Activiteit 1: beschrijf de activiteit en de frequentie"
    ):
        mlw_part_two(traject, activities=[{"result_code": "R01", "activity": "Planning"}])
    assert unchanged(traject) == before
    part_two = mlw_part_two(
        traject,
        activities=[
            {"result_code": "", "activity": "", "frequency": ""},  # an empty row is skipped
            *mlw_activities("R02"),
        ],
    )
    assert part_two.activities == [
        {"result_code": "R02", "activity": "Weekplanning maken", "frequency": "wekelijks"}
    ]


# --- Start ----------------------------------------------------------------------------------


def test_start_by_the_assigned_begeleider_plans_one_final_evaluation_in_almere():
    traject = almere(S.DECIDED)
    decisions.traject_start_record(
        traject=traject, actor=user("kade.begeleider"), started_on=today()
    )
    traject.refresh_from_db()
    assert traject.status_enum is S.ACTIVE
    assert traject.started_on == today()
    end = traject.part_one.end_on
    assert [(e.kind, e.due_on, e.remind_on) for e in traject.evaluations.all()] == [
        (EvaluationKind.FINAL.value, end - timedelta(weeks=8), end - timedelta(weeks=10))
    ]
    assert StartCheck.objects.filter(traject=traject).exists()
    # planning again adds nothing
    delivery.evaluations_plan(traject)
    assert traject.evaluations.count() == 1


@pytest.mark.parametrize("actor", ["kade.begeleider2", "anker.begeleider", "kade.administratie"])
def test_start_by_someone_not_assigned_is_refused(actor):
    traject = almere(S.DECIDED)
    before = unchanged(traject)
    with pytest.raises(TrajectError):
        decisions.traject_start_record(traject=traject, actor=user(actor), started_on=today())
    assert unchanged(traject) == before
    assert not traject.evaluations.exists()
    assert traject.started_on is None


def test_start_by_another_begeleider_of_the_provider_names_the_rule():
    traject = almere(S.DECIDED)
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen begeleider"):
        decisions.traject_start_record(
            traject=traject, actor=user("kade.begeleider2"), started_on=today()
        )


@pytest.mark.parametrize(("months", "interims"), [(6, 0), (24, 3)])
def test_start_in_midden_limburg_plans_half_yearly_evaluations_for_long_trajects(months, interims):
    traject = mlw(S.ACTIVE, months=months)
    evaluations = list(traject.evaluations.all())
    assert [e.kind for e in evaluations] == [EvaluationKind.INTERIM.value] * interims + [
        EvaluationKind.FINAL.value
    ]
    start = traject.started_on
    assert [e.due_on for e in evaluations[:-1]] == [
        start + relativedelta(months=6 * n) for n in range(1, interims + 1)
    ]
    assert evaluations[-1].due_on == traject.part_one.end_on - timedelta(weeks=8)


# --- Casusregie -----------------------------------------------------------------------------


def test_casusregie_log_by_the_provider():
    traject = almere(S.ACTIVE)
    entry = delivery.log_entry_add(
        traject=traject,
        actor=user("kade.begeleider"),
        on=today(),
        kind=LogKind.CONTACT,
        note="  Huisbezoek; weekplanning gemaakt.  ",
    )
    assert (entry.kind, entry.note, entry.written_by.username) == (
        "contact",
        "Huisbezoek; weekplanning gemaakt.",
        "kade.begeleider",
    )
    history = traject.history.count()
    delivery.log_entry_add(
        traject=traject,
        actor=user("kade.werkverdeler"),
        on=today() - timedelta(days=1),
        kind=LogKind.CONSULTATION,
        note="Overleg met de huisarts.",
    )
    assert traject.history.count() == history  # the log is not a step in the history
    with pytest.raises(TrajectError, match="in de toekomst"):
        delivery.log_entry_add(
            traject=traject,
            actor=user("kade.begeleider"),
            on=today() + timedelta(days=1),
            kind=LogKind.CONTACT,
            note="x",
        )
    with pytest.raises(TrajectError, match="Schrijf op wat er is besproken"):
        delivery.log_entry_add(
            traject=traject, actor=user("kade.begeleider"), on=today(), kind=LogKind.OTHER, note=" "
        )
    for outsider in ("kade.begeleider2", "anker.werkverdeler"):
        with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen"):
            delivery.log_entry_add(
                traject=traject,
                actor=user(outsider),
                on=today(),
                kind=LogKind.CONTACT,
                note="x",
            )
    with pytest.raises(TrajectError, match="Uw rol mag de stap"):
        delivery.log_entry_add(
            traject=traject, actor=user("almere.pa"), on=today(), kind=LogKind.CONTACT, note="x"
        )
    assert LogEntry.objects.filter(traject=traject).count() == 2


def forms(*codes):
    return [SupportForm.objects.get(code=code) for code in codes]


def test_weekly_deployment_is_kept_per_week_and_form_and_checked_against_the_bandwidth():
    traject = almere(S.ACTIVE)  # level N2: IB 1.50-4.50, DB-A 1.00-4.00 per week
    ib, db = forms("IB", "DB-A")
    monday = week_of(today())
    checks = delivery.weekly_deployment_record(
        traject=traject,
        actor=user("kade.begeleider"),
        week=monday,
        amounts={ib: Decimal(3), db: Decimal(2)},
    )
    assert set(checks) == {"IB", "DB-A"}
    assert checks["IB"].is_within
    assert checks["DB-A"].is_within
    # the same week again, given by any of its days, replaces that week's amount
    checks = delivery.weekly_deployment_record(
        traject=traject,
        actor=user("kade.werkverdeler"),
        week=monday + timedelta(days=3),
        amounts={ib: Decimal(6), db: None},
    )
    assert not checks["IB"].is_within
    assert checks["IB"].message == "Boven de bandbreedte (1.50–4.50 per week)."
    assert "DB-A" not in checks
    rows = {(r.week, r.support_form.code): r.amount for r in traject.weekly_deployments.all()}
    assert rows == {(monday, "IB"): Decimal(6), (monday, "DB-A"): Decimal(2)}
    # a week later is a row of its own; below the bandwidth is flagged too
    checks = delivery.weekly_deployment_record(
        traject=traject,
        actor=user("kade.begeleider"),
        week=monday + timedelta(weeks=1),
        amounts={ib: Decimal("0.5")},
    )
    assert checks["IB"].message == "Onder de bandbreedte (1.50–4.50 per week)."
    assert WeeklyDeployment.objects.filter(traject=traject).count() == 3


def test_weekly_deployment_only_while_support_runs():
    traject = almere(S.DECIDED)
    with pytest.raises(TrajectError, match="zodra de ondersteuning loopt"):
        delivery.weekly_deployment_record(
            traject=traject,
            actor=user("kade.begeleider"),
            week=today(),
            amounts={forms("IB")[0]: Decimal(2)},
        )
    assert not WeeklyDeployment.objects.exists()


def test_weekly_deployment_outside_the_period_or_the_arrangement_is_refused():
    traject = almere(S.ACTIVE)
    ib = forms("IB")[0]
    actor = user("kade.begeleider")
    before_start = week_of(traject.started_on) - timedelta(weeks=1)
    after_end = traject.part_one.end_on + timedelta(weeks=1)
    for week in (before_start, after_end):
        with pytest.raises(TrajectError, match="buiten de looptijd"):
            delivery.weekly_deployment_record(
                traject=traject, actor=actor, week=week, amounts={ib: Decimal(2)}
            )
    with pytest.raises(TrajectError, match="hooguit vier weken vooruit"):
        delivery.weekly_deployment_record(
            traject=traject,
            actor=actor,
            week=today() + timedelta(weeks=6),
            amounts={ib: Decimal(2)},
        )
    with pytest.raises(TrajectError, match="hoort niet bij dit arrangement"):
        delivery.weekly_deployment_record(
            traject=traject, actor=actor, week=today(), amounts={forms("BG")[0]: Decimal(2)}
        )
    with pytest.raises(TrajectError, match="niet negatief"):
        delivery.weekly_deployment_record(
            traject=traject, actor=actor, week=today(), amounts={ib: Decimal(-1)}
        )
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen"):
        delivery.weekly_deployment_record(
            traject=traject, actor=user("kade.begeleider2"), week=today(), amounts={ib: 2}
        )
    assert not WeeklyDeployment.objects.exists()


# --- Signals --------------------------------------------------------------------------------


def test_signal_notifies_the_pa_who_reads_and_answers_it(django_capture_on_commit_callbacks):
    traject = almere(S.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        signal = delivery.signal_send(
            traject=traject,
            actor=user("kade.begeleider"),
            kind=SignalKind.HEAVIER,
            description="  Mw. redt het niet met twee bezoeken per week.  ",
        )
    assert signal.description == "Mw. redt het niet met twee bezoeken per week."
    row = traject.history.get(action=Action.SIGNAL.value)
    assert row.from_status == row.to_status == S.ACTIVE.value
    note = Notification.objects.get(recipient__username="almere.pa", subject__startswith="Signaal")
    assert note.url == reverse("portal:traject-detail", args=[traject.pk])
    assert traject.number in note.subject
    assert [m.to for m in mail.outbox if "Signaal" in m.subject] == [["almere.pa@demo.invalid"]]
    read = delivery.signal_read(
        signal=signal, actor=user("almere.pa"), response="  We plannen een herindicatie.  "
    )
    read.refresh_from_db()
    assert read.read_by.username == "almere.pa"
    assert read.read_at is not None
    assert read.response == "We plannen een herindicatie."
    assert Notification.objects.filter(
        recipient__username="kade.begeleider", subject__startswith="Reactie op signaal"
    ).exists()
    with pytest.raises(TrajectError, match="al gelezen"):
        delivery.signal_read(signal=signal, actor=user("almere.pa"))


def test_signal_refusals():
    traject = almere(S.ACTIVE)
    send = delivery.signal_send
    with pytest.raises(TrajectError, match="Beschrijf wat er is veranderd"):
        send(traject=traject, actor=user("kade.begeleider"), kind=SignalKind.HEALTH, description="")
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen"):
        send(
            traject=traject,
            actor=user("kade.begeleider2"),
            kind=SignalKind.HEALTH,
            description="x",
        )
    with pytest.raises(TrajectError, match="Uw rol mag de stap"):
        send(
            traject=traject,
            actor=user("kade.administratie"),
            kind=SignalKind.HEALTH,
            description="x",
        )
    before_decision = almere(S.WITH_PROVIDER, client=thao())
    with pytest.raises(TrajectError, match="kan niet bij een traject met status"):
        send(
            traject=before_decision,
            actor=user("kade.werkverdeler"),
            kind=SignalKind.HOME,
            description="x",
        )
    assert not Signal.objects.exists()
    signal = send(
        traject=traject, actor=user("kade.begeleider"), kind=SignalKind.LIVING, description="y"
    )
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        delivery.signal_read(signal=signal, actor=user("kade.werkverdeler"), response="z")
    signal.refresh_from_db()
    assert signal.read_at is None


# --- Stop -----------------------------------------------------------------------------------


def test_stop_reasons_are_the_wmo588_codes_a_provider_may_use():
    codes = [c.code for c in delivery.stop_reasons()]
    assert {"02", "19", "23", "38"} <= set(codes)
    assert "36" not in codes  # geïnitieerd door de gemeente
    assert "37" not in codes  # in verband met wijzigingsverzoek: not on the provider's own


def test_stop_ends_the_traject_and_plans_a_stop_evaluation(django_capture_on_commit_callbacks):
    traject = almere(S.ACTIVE)
    assert [e.kind for e in traject.evaluations.all()] == [EvaluationKind.FINAL.value]
    with django_capture_on_commit_callbacks(execute=True):
        stop = delivery.support_stop(
            traject=traject,
            actor=user("kade.begeleider"),
            stopped_on=today(),
            reason_code="23",
            explanation="Samen besloten: andere hulp nodig.",
        )
    assert stop.reason_label == "Levering is in overeenstemming voortijdig beeindigd"
    traject.refresh_from_db()
    assert traject.status_enum is S.ENDED
    assert traject.ended_on == today()
    row = traject.history.get(action=Action.END.value)
    assert (row.from_status, row.to_status) == (S.ACTIVE.value, S.ENDED.value)
    assert "23" in row.reason
    evaluation = traject.evaluations.get()  # the final one is replaced by the stop evaluation
    assert evaluation.kind == EvaluationKind.STOP.value
    assert today() < evaluation.due_on <= today() + timedelta(weeks=3)
    assert Notification.objects.filter(
        recipient__username="almere.pa", subject__contains="gestopt"
    ).exists()
    with pytest.raises(TrajectError, match="kan niet bij een traject met status"):
        delivery.support_stop(
            traject=traject,
            actor=user("kade.begeleider"),
            stopped_on=today(),
            reason_code="21",
            explanation="Nog eens.",
        )
    assert SupportStop.objects.filter(traject=traject).count() == 1
    # the stop evaluation is made with the client on the ended traject
    done = evaluate(evaluation, advice=Advice.NO_FURTHER_SUPPORT)
    assert done.is_submitted
    assert done.kind == EvaluationKind.STOP.value


@pytest.mark.parametrize(
    ("code", "explanation", "stopped_in", "message"),
    [
        ("36", "Door de gemeente.", 0, "Kies een reden van beëindiging"),
        ("37", "Wijzigingsverzoek.", 0, "Kies een reden van beëindiging"),
        ("99", "Onbekend.", 0, "Kies een reden van beëindiging"),
        ("", "Geen reden.", 0, "Kies een reden van beëindiging"),
        ("23", "  ", 0, "Licht toe waarom"),
        ("23", "Later.", 1, "Leg de stop vast op of na"),
        ("23", "Vóór de start.", -1, "niet stoppen vóór de start"),
    ],
)
def test_stop_is_refused(code, explanation, stopped_in, message):
    traject = almere(S.ACTIVE)
    before = unchanged(traject)
    with pytest.raises(TrajectError, match=message):
        delivery.support_stop(
            traject=traject,
            actor=user("kade.begeleider"),
            stopped_on=today() + timedelta(days=stopped_in),
            reason_code=code,
            explanation=explanation,
        )
    assert unchanged(traject) == before
    assert not SupportStop.objects.exists()
    assert [e.kind for e in traject.evaluations.all()] == [EvaluationKind.FINAL.value]


# --- Warm handover --------------------------------------------------------------------------


def kade_traject_in_lot_3() -> Traject:
    """Arrangement 3 (lot 3): both De Kade and Het Anker are contracted for it."""
    traject = almere(S.ASSESSMENT)
    pa = user("almere.pa")
    plans.part_one_save(
        traject=traject,
        actor=pa,
        data=flow.part_one_input(traject, level=flow.level("N2", arrangement="3")),
    )
    plans.part_one_complete(traject=traject, actor=pa)
    return flow.advance(traject, S.ACTIVE)


def hand_to(traject: Traject, provider: Provider) -> Traject:
    pa = user("almere.pa")
    plans.provider_choice_record(traject=traject, actor=pa, provider=provider, chosen_on=today())
    plans.consent_record(
        traject=traject,
        actor=pa,
        is_given=True,
        shared_fields=list(SHAREABLE_FIELDS),
        given_on=today(),
    )
    plans.signature_record(
        traject=traject,
        actor=pa,
        document=SignedDocument.PART_ONE,
        kind=SignatureKind.AGREED,
        signer_name="L. Verbeek",
        signed_on=today(),
        method="persoonlijk",
    )
    return plans.traject_hand_to_provider(traject=traject, actor=pa)


def test_warm_handover_only_on_a_change_of_provider_and_the_new_provider_reads_it():
    old = kade_traject_in_lot_3()
    begeleider = user("kade.begeleider")
    with pytest.raises(TrajectError, match="geen wisseling van aanbieder"):
        delivery.handover_write(traject=old, actor=begeleider, text="Overdracht")
    new = decisions.traject_change_open(
        traject=old,
        actor=user("almere.pa"),
        kind=LinkKind.CHANGE_PROVIDER,
        reason="Mw. wil een begeleider dichter bij huis.",
    )
    assert delivery.handover_target(old) == new
    with pytest.raises(TrajectError, match="Schrijf de overdracht"):
        delivery.handover_write(traject=old, actor=begeleider, text="  ")
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen"):
        delivery.handover_write(traject=old, actor=user("kade.begeleider2"), text="x")
    handover = delivery.handover_write(
        traject=old, actor=begeleider, text="Weekplanning werkt; maandag is een goede dag."
    )
    assert (handover.traject, handover.to_traject) == (old, new)
    assert old.history.filter(action=Action.HANDOVER.value).exists()
    with pytest.raises(TrajectError, match="al geschreven"):
        delivery.handover_write(traject=old, actor=begeleider, text="Nog eens")
    anker = Provider.objects.get(name="Thuishulp Het Anker")
    assert not visible("anker.werkverdeler", new)  # not handed to them yet
    hand_to(new, anker)
    assert visible("anker.werkverdeler", new)
    assert not visible("anker.werkverdeler", old)  # the old traject stays De Kade's
    received = Handover.objects.get(
        to_traject__in=traject_list_visible_to(actor=user("anker.werkverdeler"))
    )
    assert received.text == "Weekplanning werkt; maandag is een goede dag."


def test_a_handover_written_after_the_hand_over_notifies_the_new_provider():
    old = kade_traject_in_lot_3()
    new = decisions.traject_change_open(
        traject=old, actor=user("almere.pa"), kind=LinkKind.CHANGE_PROVIDER, reason="Wisseling."
    )
    hand_to(new, Provider.objects.get(name="Thuishulp Het Anker"))
    delivery.handover_write(traject=old, actor=user("kade.werkverdeler"), text="Tips.")
    assert Notification.objects.filter(
        recipient__username="anker.werkverdeler", subject__startswith="Warme overdracht"
    ).exists()


def test_a_change_of_arrangement_is_no_handover():
    old = almere(S.ACTIVE)
    decisions.traject_change_open(
        traject=old,
        actor=user("almere.pa"),
        kind=LinkKind.CHANGE_ARRANGEMENT,
        reason="Zwaarder niveau nodig.",
    )
    with pytest.raises(TrajectError, match="geen wisseling van aanbieder"):
        delivery.handover_write(traject=old, actor=user("kade.begeleider"), text="Overdracht")
    assert not Handover.objects.exists()


# --- Evaluation -----------------------------------------------------------------------------


def results_ok(n: int = 2) -> list[dict]:
    return [
        {"result": f"Resultaat {i}", "achieved": i % 2 == 0, "why_how": "Weekplanning lukt."}
        for i in range(n)
    ]


def evaluate(evaluation, *, actor="kade.begeleider", advice=Advice.EXTENSION, **overrides):
    values = {
        "evaluation": evaluation,
        "actor": user(actor),
        "held_on": today(),
        "results": results_ok(),
        "advice": advice,
        "explanation": "Mw. heeft meer nodig dan het huidige niveau.",
        "signature_kind": SignatureKind.AGREED,
        "signer_name": "L. Verbeek",
        "signed_on": today(),
        "signature_method": SignatureMethod.IN_PERSON,
    }
    values.update(overrides)
    return delivery.evaluation_submit(**values)


def test_evaluation_needs_every_result_a_date_and_a_signature():
    traject = almere(S.ACTIVE)
    evaluation = traject.evaluations.get()
    cases = [
        ({"results": results_ok(1)}, "Evalueer elk van de 2 resultaten"),
        (
            {"results": [{"achieved": None, "why_how": "x"}, *results_ok(1)]},
            "Resultaat 1: geef aan of het resultaat is behaald",
        ),
        ({"held_on": today() + timedelta(days=1)}, "in de toekomst of vóór de start"),
        ({"held_on": today() - timedelta(days=1)}, "in de toekomst of vóór de start"),
        ({"signer_name": " "}, "Leg de ondertekening vast"),
        ({"signed_on": today() + timedelta(days=1)}, "Leg de ondertekening vast"),
        ({"explanation": ""}, "Licht het vervolgadvies toe"),
        ({"actor": "kade.begeleider2"}, "Alleen de werkverdeler of de toegewezen"),
    ]
    for overrides, message in cases:
        with pytest.raises(TrajectError, match=message):
            evaluate(evaluation, **overrides)
    evaluation.refresh_from_db()
    assert not evaluation.is_submitted
    assert not traject.history.filter(action=Action.EVALUATE.value).exists()


def test_evaluation_advising_heavier_makes_the_reindication_melding_once():
    traject = almere(S.ACTIVE)
    evaluation = traject.evaluations.get()
    count = Traject.objects.count()
    done = evaluate(evaluation, advice=Advice.HEAVIER)
    done.refresh_from_db()
    assert done.is_submitted
    assert done.advice == "zwaarder"
    assert done.submitted_by.username == "kade.begeleider"
    assert [r["achieved"] for r in done.results] == [True, False]
    melding = done.reindication
    assert melding is not None
    assert Traject.objects.count() == count + 1
    assert melding.previous == traject
    assert melding.link_kind == LinkKind.FOLLOW_UP
    assert melding.status_enum is S.MELDING
    assert melding.client == traject.client
    assert melding.procesregisseur == traject.procesregisseur
    assert "zwaarder" in melding.question
    traject.refresh_from_db()
    assert traject.status_enum is S.ACTIVE
    assert traject.history.filter(action=Action.EVALUATE.value).count() == 1
    assert Notification.objects.filter(
        recipient__username="almere.pa", subject__startswith="Evaluatie"
    ).exists()
    with pytest.raises(TrajectError, match="al ingediend"):
        evaluate(evaluation, advice=Advice.HEAVIER)
    assert Traject.objects.count() == count + 1
    # the PA's follow-up decision reuses the melding the evaluation made
    follow_up = decisions.follow_up_decide(
        traject=traject,
        actor=user("almere.pa"),
        kind=FollowUpKind.HEAVIER,
        evaluation_summary="Resultaat 2 niet behaald.",
        explanation="Herindicatie naar een zwaarder niveau.",
    )
    assert follow_up.new_traject == melding
    assert Traject.objects.count() == count + 1
    assert FollowUp.objects.filter(traject=traject).count() == 1


@pytest.mark.parametrize("advice", [Advice.NO_FURTHER_SUPPORT, Advice.EXTENSION])
def test_evaluation_without_reindication_makes_no_melding(advice):
    traject = almere(S.ACTIVE)
    count = Traject.objects.count()
    done = evaluate(traject.evaluations.get(), advice=advice)
    assert done.reindication is None
    assert Traject.objects.count() == count


def test_evaluation_reminders_are_sent_once():
    traject = almere(S.ACTIVE)
    evaluation = traject.evaluations.get()
    assert delivery.evaluation_reminders_send(today=evaluation.remind_on - timedelta(days=1)) == 0
    assert delivery.evaluation_reminders_send(today=evaluation.remind_on) == 1
    evaluation.refresh_from_db()
    assert evaluation.reminded_at is not None
    note = Notification.objects.get(
        recipient__username="kade.begeleider", subject__startswith="Evaluatie"
    )
    assert traject.number in note.subject
    assert f"{evaluation.due_on:%d-%m-%Y}" in note.subject
    assert delivery.evaluation_reminders_send(today=evaluation.remind_on) == 0
    assert delivery.evaluation_reminders_send(today=evaluation.due_on + timedelta(days=30)) == 0
    assert (
        Notification.objects.filter(
            recipient__username="kade.begeleider", subject__startswith="Evaluatie"
        ).count()
        == 1
    )


def test_submitted_evaluations_get_no_reminder():
    traject = almere(S.ACTIVE)
    evaluation = evaluate(traject.evaluations.get())
    assert delivery.evaluation_reminders_send(today=evaluation.remind_on) == 0


# --- Subcontractor delegation ---------------------------------------------------------------


def test_delegation_is_refused_where_the_region_does_not_allow_it():
    traject = almere(S.ACTIVE)
    with pytest.raises(TrajectError, match="geen inzage in trajecten"):
        delivery.delegation_grant(
            traject=traject,
            actor=user("kade.werkverdeler"),
            delegate=user("werkplaats.medewerker"),
            reason="Levert de dagbesteding.",
        )
    assert not Delegation.objects.exists()
    assert not visible("werkplaats.medewerker", traject)


def test_delegation_in_midden_limburg_is_read_only_logged_and_revocable():
    traject = mlw(S.WITH_PROVIDER)
    peel = user("peel.medewerker")
    assert not visible("peel.medewerker", traject)
    assert list(delivery.delegates_for(traject)) == [peel]
    delegation = delivery.delegation_grant(
        traject=traject,
        actor=user("maaskempen.werkverdeler"),
        delegate=peel,
        reason="Levert de begeleiding groep op de boerderij.",
    )
    assert delegation.subcontractor.name == "Zorgboerderij De Peel"
    assert traject.history.filter(action=Action.DELEGATE.value).count() == 1
    assert Notification.objects.filter(recipient=peel, subject__contains=traject.number).exists()
    assert visible("peel.medewerker", traject)
    read = traject_get_visible_to(actor=peel, pk=traject.pk, purpose="inzage onderaannemer")
    assert read == traject
    log = AccessLog.objects.get(actor=peel)
    assert (log.action, log.object_type, log.object_id) == (
        "view",
        "cases.Traject",
        str(traject.pk),
    )
    # the region's policy is checked on every read
    DeliveryPolicy.objects.filter(region=traject.municipality.region).update(
        delegation_allowed=False
    )
    assert not visible("peel.medewerker", traject)
    DeliveryPolicy.objects.filter(region=traject.municipality.region).update(
        delegation_allowed=True
    )
    with pytest.raises(TrajectError, match="heeft al inzage"):
        delivery.delegation_grant(
            traject=traject, actor=user("maaskempen.werkverdeler"), delegate=peel, reason="x"
        )
    with pytest.raises(TrajectError, match="Alleen een werkverdeler"):
        delivery.delegation_revoke(delegation=delegation, actor=user("maaskempen.begeleider"))
    delivery.delegation_revoke(delegation=delegation, actor=user("maaskempen.werkverdeler"))
    delegation.refresh_from_db()
    assert delegation.revoked_by.username == "maaskempen.werkverdeler"
    assert not visible("peel.medewerker", traject)
    with pytest.raises(Http404):
        traject_get_visible_to(actor=peel, pk=traject.pk, purpose="inzage onderaannemer")
    # one read; the refused attempt after revoking is logged as a refusal (issue #13)
    assert list(
        AccessLog.objects.filter(actor=peel).order_by("pk").values_list("action", flat=True)
    ) == [
        "view",
        "refused",
    ]
    revoked = traject.history.filter(action=Action.DELEGATE.value).order_by("-pk").first()
    assert "ingetrokken" in revoked.reason
    with pytest.raises(TrajectError, match="al ingetrokken"):
        delivery.delegation_revoke(delegation=delegation, actor=user("maaskempen.werkverdeler"))


@pytest.mark.parametrize(
    ("actor", "delegate", "message"),
    [
        ("maaskempen.werkverdeler", "werkplaats.medewerker", "niet bij een partner"),
        ("maaskempen.werkverdeler", "brug.begeleider", "niet bij een partner"),
        ("maaskempen.werkverdeler", "maaskempen.begeleider", "niet bij een partner"),
        ("maaskempen.begeleider", "peel.medewerker", "Uw rol mag de stap"),
        ("brug.werkverdeler", "peel.medewerker", "Alleen een werkverdeler van de hoofdaanbieder"),
    ],
)
def test_delegation_only_by_the_lead_to_a_partners_employee(actor, delegate, message):
    traject = mlw(S.WITH_PROVIDER)
    with pytest.raises(TrajectError, match=message):
        delivery.delegation_grant(
            traject=traject, actor=user(actor), delegate=user(delegate), reason="Nodig."
        )
    assert not Delegation.objects.exists()
    assert not traject.history.filter(action=Action.DELEGATE.value).exists()


def test_delegation_needs_a_reason():
    traject = mlw(S.WITH_PROVIDER)
    with pytest.raises(TrajectError, match="Geef aan waarom"):
        delivery.delegation_grant(
            traject=traject,
            actor=user("maaskempen.werkverdeler"),
            delegate=user("peel.medewerker"),
            reason=" ",
        )
    assert not Delegation.objects.exists()


# --- Practice environment -------------------------------------------------------------------


def kade() -> Provider:
    return flow.kade()


def test_practice_cases_are_only_visible_in_practice_mode_to_their_provider():
    werkverdeler = user("kade.werkverdeler")
    trajects = practice.practice_ensure(provider=kade(), actor=werkverdeler)
    pks = {t.pk for t in trajects}
    assert len(pks) == 3
    assert all(t.is_practice and t.client.practice_provider == kade() for t in trajects)
    assert all(t.client.family_name.startswith("Oefen-") for t in trajects)
    assert {t.pk for t in practice.practice_ensure(provider=kade(), actor=werkverdeler)} == pks
    in_practice = traject_list_visible_to(actor=werkverdeler, practice=True)
    assert set(in_practice.values_list("pk", flat=True)) == pks
    assert not traject_list_visible_to(actor=werkverdeler).filter(pk__in=pks).exists()
    for username in ("anker.werkverdeler", "kade.contactpersoon", "almere.pa", "almere.wijkwerker"):
        for mode in (False, True):
            assert (
                not traject_list_visible_to(actor=user(username), practice=mode)
                .filter(pk__in=pks)
                .exists()
            ), (username, mode)
    clients = Client.objects.filter(practice_provider=kade())
    assert clients.count() == 3
    for username in ("almere.pa", "almere.wijkwerker", "almere.collega-pa"):
        assert not client_list_visible_to(actor=user(username)).filter(pk__in=clients).exists()
    # real work is not mixed into practice
    real = almere(S.WITH_PROVIDER)
    assert real.pk not in set(
        traject_list_visible_to(actor=werkverdeler, practice=True).values_list("pk", flat=True)
    )


def test_practice_reset_starts_over():
    werkverdeler = user("kade.werkverdeler")
    first = practice.practice_ensure(provider=kade(), actor=werkverdeler)
    waiting = next(t for t in first if t.status_enum is S.WITH_PROVIDER)
    assign(waiting)  # some practice work that must go with the reset
    running = next(t for t in first if t.status_enum is S.ACTIVE)
    delivery.log_entry_add(
        traject=running, actor=werkverdeler, on=today(), kind=LogKind.CONTACT, note="Oefening"
    )
    again = practice.practice_reset(provider=kade(), actor=werkverdeler)
    assert len(again) == 3
    assert not Traject.objects.filter(pk__in=[t.pk for t in first]).exists()
    assert Traject.objects.filter(is_practice=True, provider=kade()).count() == 3
    assert Client.objects.filter(practice_provider=kade()).count() == 3
    assert all(t.professional_id is None for t in again)
    assert not LogEntry.objects.exists()


def test_municipality_step_plays_the_municipality_in_practice_only():
    werkverdeler = user("kade.werkverdeler")
    trajects = practice.practice_ensure(provider=kade(), actor=werkverdeler)
    waiting = next(t for t in trajects if t.status_enum is S.WITH_PROVIDER)
    with pytest.raises(TrajectError, match="geen stap van de gemeente"):
        practice.municipality_step(traject=waiting, actor=werkverdeler)
    assign(waiting)
    plans.part_two_submit(
        traject=waiting,
        actor=user("kade.begeleider"),
        results=[
            plans.ResultInput(
                goal=g, result="R", by_client="", by_general_facility="", by_support=""
            )
            for g in practice.PRACTICE_GOALS.splitlines()
        ],
        deployments=[
            plans.DeploymentInput(support_form=SupportForm.objects.get(code="IB"), per_week=1)
        ],
        signature_kind=SignatureKind.AGREED,
        signer_name="O. Oefen",
        signed_on=today(),
        signature_method="persoonlijk",
    )
    waiting.refresh_from_db()
    assert waiting.status_enum is S.PLAN_REVIEW
    decided = practice.municipality_step(traject=waiting, actor=werkverdeler)
    decided.refresh_from_db()
    assert decided.status_enum is S.DECIDED
    assert decided.decided_on == today()
    assert decided.part_twos.get().review == PartTwo.Review.ACCEPTED
    row = decided.history.order_by("-pk").first()
    assert (row.action, row.from_status, row.to_status) == (
        Action.APPROVE_DECISION.value,
        S.PLAN_REVIEW.value,
        S.DECIDED.value,
    )
    real = almere(S.PLAN_REVIEW)
    before = unchanged(real)
    with pytest.raises(TrajectError, match="alleen in de oefenomgeving"):
        practice.municipality_step(traject=real, actor=werkverdeler)
    assert unchanged(real) == before


def test_practice_work_sends_nothing_to_the_municipality():
    """Practice cases are never shown to the municipality: not in lists and not in its
    notifications either (a PA's inbox is no place for fictitious clients)."""
    werkverdeler = user("kade.werkverdeler")
    trajects = practice.practice_ensure(provider=kade(), actor=werkverdeler)
    running = next(t for t in trajects if t.status_enum is S.ACTIVE)
    delivery.signal_send(
        traject=running, actor=werkverdeler, kind=SignalKind.HEALTH, description="Oefensignaal"
    )
    waiting = next(t for t in trajects if t.status_enum is S.WITH_PROVIDER)
    plans.part_two_submit(
        traject=waiting,
        actor=werkverdeler,
        results=[
            plans.ResultInput(
                goal=g, result="R", by_client="", by_general_facility="", by_support=""
            )
            for g in practice.PRACTICE_GOALS.splitlines()
        ],
        deployments=[
            plans.DeploymentInput(support_form=SupportForm.objects.get(code="IB"), per_week=1)
        ],
        signature_kind=SignatureKind.AGREED,
        signer_name="O. Oefen",
        signed_on=today(),
        signature_method="persoonlijk",
    )
    municipality = Notification.objects.filter(
        recipient__role_assignments__municipality__region__slug="almere"
    ) | Notification.objects.filter(recipient__role_assignments__region__slug="almere")
    assert not municipality.exists(), [(n.recipient.username, n.subject) for n in municipality]
