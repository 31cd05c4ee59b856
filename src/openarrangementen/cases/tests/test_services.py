"""Services refuse what the rules forbid, say why in Dutch, and leave the data as it was."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest
import time_machine
from auditlog.models import LogEntry

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.domain import Action, DeadlineKind, DeadlineState, TrajectStatus
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.cases.selectors import (
    deadlines_of,
    household_trajects_visible_to,
    traject_get_visible_to,
    traject_list_visible_to,
    work_list,
)
from openarrangementen.cases.services import (
    TrajectError,
    traject_step,
    traject_suspend,
)
from openarrangementen.catalog.models import SupportForm
from openarrangementen.clients.models import Client
from openarrangementen.core.models import AccessLog
from openarrangementen.decisions import services as decisions
from openarrangementen.decisions.domain import FollowUpKind
from openarrangementen.plans import services as plans
from openarrangementen.plans.domain import SHAREABLE_FIELDS, SignatureKind, SignedDocument

from . import flow

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus


def unchanged(traject: Traject) -> tuple:
    traject.refresh_from_db()
    return traject.status, traject.history.count()


# --- Melding -------------------------------------------------------------------------------


def test_melding_gets_a_number_per_municipality_and_a_first_history_row():
    first = flow.new_melding()
    second = flow.new_melding(client=Client.objects.get(given_names="Samira"))
    year = timezone.localdate().year
    assert first.number == f"0034-{year}-00001"
    assert second.number == f"0034-{year}-00002"
    row = first.history.get()
    assert (row.from_status, row.to_status, row.actor.username) == (
        "",
        "melding",
        "almere.wijkwerker",
    )


def test_melding_refused_for_a_client_of_another_municipality():
    with pytest.raises(TrajectError, match="geen melding registreren"):
        flow.new_melding(by="mlw.wijkwerker")
    assert not Traject.objects.exists()


def test_melding_in_the_future_is_refused():
    from openarrangementen.cases.services import melding_register

    with pytest.raises(TrajectError, match="toekomst"):
        melding_register(
            actor=flow.user("almere.wijkwerker"),
            client=flow.verbeek(),
            channel="telefoon",
            received_on=timezone.localdate() + timedelta(days=1),
            question="Hulp",
            reported_by="inwoner",
        )


def test_screening_closes_with_advice():
    traject = flow.new_melding()
    traject_step(
        traject=traject,
        action=Action.CLOSE_WITH_ADVICE,
        actor=flow.user("almere.wijkwerker"),
        reason="Verwezen naar de inloop van het buurthuis.",
    )
    traject.refresh_from_db()
    assert traject.status == S.CLOSED_WITH_ADVICE
    assert traject.advice == "Verwezen naar de inloop van het buurthuis."


def test_close_with_advice_needs_the_advice():
    traject = flow.new_melding()
    before = unchanged(traject)
    with pytest.raises(TrajectError, match="toelichting"):
        traject_step(
            traject=traject,
            action=Action.CLOSE_WITH_ADVICE,
            actor=flow.user("almere.wijkwerker"),
            reason=" ",
        )
    assert unchanged(traject) == before


def test_hand_to_pa_needs_a_plan_of_approach():
    traject = flow.advance(flow.new_melding(), S.INTAKE)
    with pytest.raises(TrajectError, match="keukentafelgesprek"):
        traject_step(traject=traject, action=Action.HAND_TO_PA, actor=flow.user("almere.pa"))
    assert traject.status == S.INTAKE


# --- The transition table in the services -----------------------------------------------


def test_service_refuses_a_step_the_role_may_not_take():
    traject = flow.advance(flow.new_melding(), S.ASSESSMENT)
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        plans.part_one_save(
            traject=traject,
            actor=flow.user("almere.wijkwerker"),
            data=flow.part_one_input(traject),
        )


def test_service_refuses_a_step_from_the_wrong_phase():
    traject = flow.new_melding()
    with pytest.raises(TrajectError, match="kan niet bij een traject met status"):
        traject_step(traject=traject, action=Action.END, actor=flow.user("almere.pa"), reason="x")


# --- POP deel I ------------------------------------------------------------------------------


@pytest.fixture
def assessment():
    return flow.advance(flow.new_melding(), S.ASSESSMENT)


def save_part_one(traject, **overrides):
    return plans.part_one_save(
        traject=traject,
        actor=flow.user("almere.pa"),
        data=flow.part_one_input(traject, **overrides),
    )


def test_pgb_is_refused(assessment):
    with pytest.raises(TrajectError, match="persoonsgebonden budget"):
        save_part_one(assessment, delivery_form="pgb")
    assert not hasattr(Traject.objects.get(pk=assessment.pk), "part_one")


def test_term_longer_than_the_level_allows_is_refused(assessment):
    start = flow.part_one_input(assessment).start_on
    with pytest.raises(TrajectError, match="maximaal 12 maanden"):
        save_part_one(assessment, level=flow.level("N1"), end_on=start.replace(year=start.year + 2))


def test_a_level_from_another_region_is_refused(assessment):
    mlw = flow.level("C1B", arrangement="BEG", region="midden-limburg-west")
    with pytest.raises(TrajectError, match="catalogus van de regio"):
        save_part_one(assessment, level=mlw)


def test_no_stacking_of_arrangements():
    flow.advance(flow.new_melding(), S.ACTIVE)
    second = flow.advance(flow.new_melding(question="Ook hulp bij het huishouden."), S.ASSESSMENT)
    with pytest.raises(TrajectError, match="niet gestapeld"):
        save_part_one(second)


def test_no_stacking_between_two_trajects_in_assessment():
    first = flow.advance(flow.new_melding(), S.ASSESSMENT)
    second = flow.advance(flow.new_melding(question="Tweede melding."), S.ASSESSMENT)
    save_part_one(first)
    with pytest.raises(TrajectError, match="niet gestapeld"):
        save_part_one(second)


def test_the_same_melding_sent_twice_opens_one_traject():
    first = flow.new_melding()
    with pytest.raises(TrajectError, match=f"al geregistreerd als traject {first.number}"):
        flow.new_melding()
    assert Traject.objects.count() == 1


def test_disagreement_needs_a_second_wijkwerker(assessment):
    with pytest.raises(TrajectError, match="tweede wijkwerker"):
        save_part_one(assessment, client_agrees=False, disagreement="Wil niveau 3.")
    with pytest.raises(TrajectError, match="andere wijkwerker"):
        save_part_one(
            assessment,
            client_agrees=False,
            disagreement="Wil niveau 3.",
            second_opinion_by=flow.user("almere.wijkwerker"),
            second_opinion_agrees=False,
        )
    part_one = save_part_one(
        assessment,
        client_agrees=False,
        disagreement="Wil niveau 3.",
        second_opinion_by=flow.user("almere.wijkwerker2"),
        second_opinion_agrees=False,
        second_opinion_notes="Niveau 2 past; geen overeenstemming.",
    )
    assert part_one.second_opinion_by.username == "almere.wijkwerker2"


def mlw_assessment():
    client = Client.objects.get(family_name="Janssen")
    traject = flow.new_melding(client=client, by="mlw.wijkwerker")
    from openarrangementen.cases.models import ZrmDomain
    from openarrangementen.cases.services import intake_plan, plan_of_approach_save

    wijkwerker = flow.user("mlw.wijkwerker")
    intake = intake_plan(
        traject=traject, actor=wijkwerker, planned_for=timezone.localdate(), participants="x"
    )
    domain = ZrmDomain.objects.get(name="Financiën")
    plan_of_approach_save(
        intake=intake,
        actor=wijkwerker,
        held_on=timezone.localdate(),
        summary="",
        scores={domain.pk: (2, "n", "Doel")},
    )
    traject_step(traject=traject, action=Action.HAND_TO_PA, actor=wijkwerker)
    return traject


def mlw_input(traject, level_code: str, scores: dict, motivation: str = ""):
    level = flow.level(level_code, arrangement="BEG", region="midden-limburg-west")
    start = flow.part_one_input(traject).start_on
    return flow.part_one_input(
        traject,
        level=level,
        end_on=flow._months_later(start, 12),
        assessment_scores=scores,
        deviation_motivation=motivation,
    )


def test_assessment_instrument_outcome_stands_next_to_the_choice():
    traject = mlw_assessment()
    pa = flow.user("mlw.pa")
    scores = {1: "A", 2: "A", 3: "B", 4: "B", 5: "A"}
    with pytest.raises(TrajectError, match="Scoor alle criteria"):
        plans.part_one_save(traject=traject, actor=pa, data=mlw_input(traject, "C1B", {1: "A"}))
    outcome = plans.part_one_save(
        traject=traject, actor=pa, data=mlw_input(traject, "C1B", scores)
    ).instrument_level
    other = next(
        code for code in ("C1B", "C3I") if code != outcome.code
    )  # any level but the outcome
    with pytest.raises(TrajectError, match="Motiveer de afwijking"):
        plans.part_one_save(traject=traject, actor=pa, data=mlw_input(traject, other, scores))
    part_one = plans.part_one_save(
        traject=traject,
        actor=pa,
        data=mlw_input(traject, other, scores, "Zwaarder: thuis onveilig."),
    )
    assert part_one.instrument_level == outcome
    assert part_one.level.code == other


def test_midden_limburg_terms_are_fixed():
    traject = mlw_assessment()
    start = flow.part_one_input(traject).start_on
    data = mlw_input(traject, "C1B", {1: "A", 2: "A", 3: "A", 4: "A", 5: "A"})
    data.end_on = flow._months_later(start, 9)
    with pytest.raises(TrajectError, match="indicatietermijnen"):
        plans.part_one_save(traject=traject, actor=flow.user("mlw.pa"), data=data)


# --- Provider choice, consent, signature ---------------------------------------------------


@pytest.fixture
def choosing():
    return flow.advance(flow.new_melding(), S.PROVIDER_CHOICE)


def test_provider_must_be_contracted_for_the_lot(choosing):
    anker = Provider.objects.get(name="Thuishulp Het Anker")  # lots 3, 4A, 4B: not lot 2
    with pytest.raises(TrajectError, match="geen contract"):
        plans.provider_choice_record(
            traject=choosing,
            actor=flow.user("almere.pa"),
            provider=anker,
            chosen_on=timezone.localdate(),
        )


def test_client_who_cannot_choose_is_referred(choosing):
    pa = flow.user("almere.pa")
    with pytest.raises(TrajectError, match="verwezen"):
        plans.provider_choice_record(
            traject=choosing,
            actor=pa,
            provider=None,
            cannot_choose=True,
            chosen_on=timezone.localdate(),
        )
    choice = plans.provider_choice_record(
        traject=choosing,
        actor=pa,
        provider=None,
        cannot_choose=True,
        referred_to="MEE",
        chosen_on=timezone.localdate(),
    )
    assert choice.referred_to == "MEE"
    with pytest.raises(TrajectError, match="nog geen aanbieder gekozen"):
        plans.traject_hand_to_provider(traject=choosing, actor=pa)


def test_hand_over_needs_consent_and_signature(choosing):
    pa = flow.user("almere.pa")
    today = timezone.localdate()
    plans.provider_choice_record(traject=choosing, actor=pa, provider=flow.kade(), chosen_on=today)
    with pytest.raises(TrajectError, match="toestemming"):
        plans.traject_hand_to_provider(traject=choosing, actor=pa)
    with pytest.raises(TrajectError, match="ten minste"):
        plans.consent_record(
            traject=choosing, actor=pa, is_given=True, shared_fields=["contact"], given_on=today
        )
    plans.consent_record(
        traject=choosing, actor=pa, is_given=False, shared_fields=[], given_on=today
    )
    with pytest.raises(TrajectError, match="Zonder toestemming"):
        plans.traject_hand_to_provider(traject=choosing, actor=pa)
    plans.consent_record(
        traject=choosing,
        actor=pa,
        is_given=True,
        shared_fields=["arrangement", "goals"],
        given_on=today,
    )
    with pytest.raises(TrajectError, match="ondertekend"):
        plans.traject_hand_to_provider(traject=choosing, actor=pa)
    plans.signature_record(
        traject=choosing,
        actor=pa,
        document=SignedDocument.PART_ONE,
        kind=SignatureKind.SEEN,
        signer_name="L. Verbeek",
        signed_on=today,
        method="papier",
    )
    traject = plans.traject_hand_to_provider(traject=choosing, actor=pa)
    assert traject.status == S.WITH_PROVIDER
    assert traject.handed_to_provider_on == today


# --- Visibility --------------------------------------------------------------------------


def test_provider_sees_a_traject_only_after_hand_over_with_consent(choosing):
    kade_staff = flow.user("kade.werkverdeler")
    assert not traject_list_visible_to(actor=kade_staff).exists()
    traject = flow.advance(choosing, S.WITH_PROVIDER)
    assert list(traject_list_visible_to(actor=kade_staff)) == [traject]
    assert not traject_list_visible_to(actor=flow.user("anker.werkverdeler")).exists()
    assert not traject_list_visible_to(actor=flow.user("kade.contactpersoon")).exists()
    consent = traject.consents.get()
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    assert not traject_list_visible_to(actor=kade_staff).exists()


def test_other_municipality_and_managers_see_nothing():
    flow.new_melding()
    for username in ("mlw.pa", "almere.contractmanager", "almere.beheerder"):
        assert not traject_list_visible_to(actor=flow.user(username)).exists()
    assert traject_list_visible_to(actor=flow.user("almere.collega-pa")).count() == 1


def test_reading_a_traject_is_logged_and_changes_are_audited():
    traject = flow.new_melding()
    traject_get_visible_to(actor=flow.user("almere.pa"), pk=traject.pk, purpose="test")
    log = AccessLog.objects.get(object_type="cases.Traject")
    assert log.client_id == str(traject.client_id)
    assert LogEntry.objects.get_for_object(traject).exists()


def test_household_members_trajects_are_linked_both_ways():
    wife = Client.objects.get(given_names="Johanna Maria")
    husband = Client.objects.get(given_names="Hendrik")
    a = flow.new_melding(client=wife)
    b = flow.new_melding(client=husband)
    pa = flow.user("almere.pa")
    assert list(household_trajects_visible_to(actor=pa, traject=a)) == [b]
    assert list(household_trajects_visible_to(actor=pa, traject=b)) == [a]


# --- POP deel II and toetsing ------------------------------------------------------------


def test_only_the_chosen_provider_submits_part_two():
    traject = flow.advance(flow.new_melding(), S.WITH_PROVIDER)
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen begeleider"):
        flow.submit_part_two(traject, by="anker.werkverdeler")
    with pytest.raises(TrajectError, match="Alleen de werkverdeler of de toegewezen begeleider"):
        # a begeleider of the right provider to whom the traject is not assigned
        plans.part_two_submit(
            traject=traject,
            actor=flow.user("kade.begeleider"),
            results=[],
            deployments=[],
            signature_kind=SignatureKind.AGREED,
            signer_name="L. Verbeek",
            signed_on=timezone.localdate(),
            signature_method="persoonlijk",
        )


def test_part_two_needs_a_result_per_goal_and_forms_of_the_arrangement():
    traject = flow.advance(flow.new_melding(), S.WITH_PROVIDER)
    begeleider = flow.user("kade.werkverdeler")
    common = {
        "signature_kind": SignatureKind.AGREED,
        "signer_name": "L. Verbeek",
        "signed_on": timezone.localdate(),
        "signature_method": "persoonlijk",
    }
    with pytest.raises(TrajectError, match="resultaat bij elk doel"):
        plans.part_two_submit(
            traject=traject, actor=begeleider, results=[], deployments=[], **common
        )
    results = [plans.ResultInput(g, "r", "", "", "") for g in flow.GOALS]
    bg = SupportForm.objects.get(code="BG")  # group support: not an Almere form
    with pytest.raises(TrajectError, match="hoort niet bij dit arrangement"):
        plans.part_two_submit(
            traject=traject,
            actor=begeleider,
            results=results,
            deployments=[plans.DeploymentInput(bg, Decimal("1"))],
            **common,
        )
    assert not traject.part_twos.exists()


def test_returned_part_two_is_kept_and_a_revision_gets_a_new_version():
    traject = flow.advance(flow.new_melding(), S.PLAN_REVIEW)
    pa = flow.user("almere.pa")
    with pytest.raises(TrajectError, match="waarom"):
        plans.part_two_return(traject=traject, actor=pa, reasons="")
    plans.part_two_return(traject=traject, actor=pa, reasons="Inzet boven de bandbreedte.")
    traject.refresh_from_db()
    assert traject.status == S.WITH_PROVIDER
    flow.submit_part_two(traject, per_week="2.50")
    versions = list(traject.part_twos.values_list("version", "review"))
    assert versions == [(1, "teruggestuurd"), (2, "ingediend")]


# --- Beschikking and four-eyes -----------------------------------------------------------


def test_beschikking_without_expected_deployment_is_refused():
    traject = flow.advance(flow.new_melding(), S.PLAN_REVIEW)
    traject.part_twos.get().deployments.all().delete()
    with pytest.raises(TrajectError, match="terugvaloptie"):
        decisions.beschikking_draft(
            traject=traject,
            actor=flow.user("almere.pa"),
            considerations="x",
            application_received_on=timezone.localdate(),
        )
    assert unchanged(traject)[0] == S.PLAN_REVIEW


def test_nobody_approves_their_own_draft():
    traject = flow.advance(flow.new_melding(), S.DECISION_REVIEW)
    with pytest.raises(TrajectError, match="zelf opgesteld"):
        decisions.beschikking_approve(traject=traject, actor=flow.user("almere.pa"))
    with pytest.raises(TrajectError, match="zelf opgesteld"):
        decisions.beschikking_reject(traject=traject, actor=flow.user("almere.pa"), reasons="x")
    assert unchanged(traject)[0] == S.DECISION_REVIEW
    assert traject.beschikkingen.get().status == "controle"


def test_rejected_beschikking_goes_back_to_the_drafter_with_reasons():
    traject = flow.advance(flow.new_melding(), S.DECISION_REVIEW)
    colleague = flow.user("almere.collega-pa")
    with pytest.raises(TrajectError, match="waarom"):
        decisions.beschikking_reject(traject=traject, actor=colleague, reasons=" ")
    decisions.beschikking_reject(traject=traject, actor=colleague, reasons="Doel 2 is niet SMART.")
    traject.refresh_from_db()
    assert traject.status == S.DECISION_DRAFT
    assert traject.beschikkingen.get().review_note == "Doel 2 is niet SMART."
    assert traject.history.last().reason == "Doel 2 is niet SMART."


def test_final_beschikking_freezes_its_content():
    traject = flow.advance(flow.new_melding(), S.DECIDED)
    beschikking = traject.beschikkingen.get()
    assert beschikking.decided_on == traject.decided_on == timezone.localdate()
    assert beschikking.content["goals"] == flow.GOALS
    assert beschikking.content["cost_price"]["amount"] == "190.00"


def test_objection_on_time_and_late():
    traject = flow.advance(flow.new_melding(), S.DECIDED)
    beschikking = traject.beschikkingen.get()
    pa = flow.user("almere.pa")
    on_time = decisions.objection_register(
        beschikking=beschikking, actor=pa, received_on=timezone.localdate(), grounds="Te licht."
    )
    assert on_time.is_on_time
    with time_machine.travel(timezone.now() + timedelta(weeks=8)):
        late = decisions.objection_register(
            beschikking=beschikking,
            actor=pa,
            received_on=timezone.localdate(),
            grounds="Alsnog.",
        )
    assert not late.is_on_time


# --- Deadlines and suspension -------------------------------------------------------------


def deadline(traject, kind, today=None):
    traject.refresh_from_db()
    found = deadlines_of(traject, today=today or timezone.localdate())
    return next(d for d in found if d.kind is kind)


def test_suspension_moves_every_pending_deadline():
    traject = flow.advance(flow.new_melding(), S.WITH_PROVIDER)
    before = deadline(traject, DeadlineKind.LEGAL_INVESTIGATION).due_on
    part_two_before = deadline(traject, DeadlineKind.PLAN_PART_TWO).due_on
    traject_suspend(
        traject=traject,
        actor=flow.user("almere.pa"),
        starts_on=timezone.localdate(),
        days=14,
        reason="Inwoner twee weken in het ziekenhuis.",
    )
    assert deadline(traject, DeadlineKind.LEGAL_INVESTIGATION).due_on >= before + timedelta(14)
    assert deadline(traject, DeadlineKind.PLAN_PART_TWO).due_on == part_two_before + timedelta(14)
    assert deadline(traject, DeadlineKind.PLAN_PART_TWO).state is DeadlineState.SUSPENDED
    assert traject.history.filter(action=Action.SUSPEND.value).exists()


def test_suspension_needs_a_reason_and_an_open_traject():
    traject = flow.new_melding()
    with pytest.raises(TrajectError, match="reden"):
        traject_suspend(
            traject=traject,
            actor=flow.user("almere.pa"),
            starts_on=timezone.localdate(),
            days=7,
            reason="",
        )
    decided = flow.advance(
        flow.new_melding(client=Client.objects.get(given_names="Samira")), S.DECIDED
    )
    with pytest.raises(TrajectError, match="zonder besluit"):
        traject_suspend(
            traject=decided,
            actor=flow.user("almere.pa"),
            starts_on=timezone.localdate(),
            days=7,
            reason="x",
        )


def test_work_list_sorts_by_urgency_and_filters_overdue():
    old = flow.new_melding()
    old.melding_received_on = timezone.localdate() - timedelta(weeks=7)
    old.save()  # the stored next deadline follows (issue #14)
    new = flow.new_melding(client=Client.objects.get(given_names="Samira"))
    pa = flow.user("almere.pa")
    items = work_list(actor=pa, today=timezone.localdate())
    assert [i.traject.pk for i in items] == [old.pk, new.pk]
    assert items[0].next.state is DeadlineState.OVERDUE
    overdue = work_list(actor=pa, today=timezone.localdate(), state="verlopen")
    assert [i.traject.pk for i in overdue] == [old.pk]


def test_almere_deadlines_are_met_on_the_happy_path():
    traject = flow.advance(flow.new_melding(), S.DECIDED)
    found = {d.kind: d for d in deadlines_of(traject, today=timezone.localdate())}
    for kind in (
        DeadlineKind.PROVIDER_HANDOVER,
        DeadlineKind.PLAN_PART_TWO,
        DeadlineKind.DECISION,
        DeadlineKind.LEGAL_INVESTIGATION,
        DeadlineKind.LEGAL_DECISION,
    ):
        assert found[kind].state is DeadlineState.MET, kind
    assert DeadlineKind.APPOINTMENT not in found  # Almere has no appointment term


# --- After the decision ------------------------------------------------------------------


def test_start_plans_the_three_month_check_and_records_it():
    traject = flow.advance(flow.new_melding(), S.ACTIVE)
    answers = {
        "done_on": timezone.localdate(),
        "started_in_time": True,
        "within_arrangement": True,
    }
    with pytest.raises(TrajectError, match="1 tot en met 10"):
        decisions.start_check_record(
            traject=traject, actor=flow.user("almere.pa"), satisfaction=11, **answers
        )
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        decisions.start_check_record(
            traject=traject, actor=flow.user("almere.wijkwerker"), satisfaction=8, **answers
        )
    check = decisions.start_check_record(
        traject=traject, actor=flow.user("almere.pa"), satisfaction=8, **answers
    )
    assert check.satisfaction == 8
    with pytest.raises(TrajectError, match="al vastgelegd"):
        decisions.start_check_record(
            traject=traject, actor=flow.user("almere.pa"), satisfaction=2, **answers
        )


@pytest.mark.parametrize(
    ("kind", "opens"),
    [
        (FollowUpKind.NO_FURTHER_SUPPORT, False),
        (FollowUpKind.EXTENSION, True),
        (FollowUpKind.LIGHTER, True),
        (FollowUpKind.HEAVIER, True),
    ],
)
def test_follow_up_opens_a_linked_traject_when_needed(kind, opens):
    traject = flow.advance(flow.new_melding(), S.ACTIVE)
    follow_up = decisions.follow_up_decide(
        traject=traject,
        actor=flow.user("almere.pa"),
        kind=kind,
        evaluation_summary="Doelen deels gehaald.",
        explanation="Zie evaluatie.",
    )
    assert (follow_up.new_traject is not None) is opens
    if opens:
        assert follow_up.new_traject.previous == traject
        assert follow_up.new_traject.channel == "evaluatie"
        assert follow_up.new_traject.status == S.MELDING
    with pytest.raises(TrajectError, match="al een vervolgbesluit"):
        decisions.follow_up_decide(
            traject=traject,
            actor=flow.user("almere.pa"),
            kind=kind,
            evaluation_summary="x",
            explanation="y",
        )


def test_change_of_provider_gives_a_new_beschikking_that_replaces_the_old():
    old = flow.advance(flow.new_melding(), S.ACTIVE)
    pa = flow.user("almere.pa")
    new = decisions.traject_change_open(
        traject=old, actor=pa, kind="andere_aanbieder", reason="Klik niet met de begeleider."
    )
    assert new.status == S.PROVIDER_CHOICE
    assert new.part_one.level == old.part_one.level
    horizon = Provider.objects.get(name="Horizon Zorg Flevoland")
    plans.provider_choice_record(
        traject=new, actor=pa, provider=horizon, chosen_on=timezone.localdate()
    )
    new.refresh_from_db()
    assert new.provider_choice.provider == horizon
    with pytest.raises(TrajectError, match="al een vervolg"):
        decisions.traject_change_open(traject=old, actor=pa, kind="andere_aanbieder", reason="x")


def test_change_of_arrangement_replaces_the_old_beschikking():
    old = flow.advance(flow.new_melding(), S.ACTIVE)
    new = decisions.traject_change_open(
        traject=old,
        actor=flow.user("almere.pa"),
        kind="ander_arrangement",
        reason="Structureel zwaarder nodig.",
    )
    assert new.status == S.ASSESSMENT
    flow.advance(new, S.DECIDED)
    replacing = new.beschikkingen.get()
    assert replacing.replaces == old.beschikkingen.get()
    old.refresh_from_db()
    assert old.status == S.ENDED  # the old provider keeps no access after the change
    assert not traject_list_visible_to(actor=flow.user("kade.begeleider")).filter(pk=old.pk)
    assert StatusChange.objects.filter(traject=new, action="register").get().to_status == (
        S.ASSESSMENT
    )


def test_work_list_filters_at_risk_with_the_configured_window(settings):
    traject = flow.new_melding()
    # Legal investigation due in 6 weeks; move the melding back so it is due within days.
    traject.melding_received_on = timezone.localdate() - timedelta(weeks=6) + timedelta(days=1)
    traject.save()  # the stored next deadline follows (issue #14)
    pa = flow.user("almere.pa")
    settings.TRAJECT_AT_RISK_WORKING_DAYS = 0
    assert not work_list(actor=pa, today=timezone.localdate(), state="dreigt")
    settings.TRAJECT_AT_RISK_WORKING_DAYS = 10
    assert [
        i.traject.pk for i in work_list(actor=pa, today=timezone.localdate(), state="dreigt")
    ] == [traject.pk]


def test_provider_staff_see_handed_over_trajects_in_their_list(client):
    traject = flow.advance(flow.new_melding(), S.WITH_PROVIDER)
    from django.urls import reverse

    client.force_login(flow.user("kade.werkverdeler"))
    page = client.get(reverse("portal:traject-list"), follow=True).text  # to the inbox
    assert traject.number in page
    assert "Verbeek" not in page  # which client fields a provider sees is the provider portal's
    detail = client.get(reverse("portal:traject-detail", args=[traject.pk]))
    assert detail.status_code == 404  # municipality pages are not for provider staff


def test_revising_a_draft_makes_the_reviser_the_drafter():
    traject = flow.advance(flow.new_melding(), S.DECISION_DRAFT)
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        decisions.beschikking_revise(
            traject=traject, actor=flow.user("almere.collega-pa"), considerations="Mijn tekst."
        )
    decisions.beschikking_revise(
        traject=traject, actor=flow.user("almere.pa"), considerations="Betere overwegingen."
    )
    assert traject.beschikkingen.get().drafted_by.username == "almere.pa"


def test_letter_mentions_disagreement_only_when_the_second_look_did_not_resolve_it():
    traject = flow.advance(flow.new_melding(), S.ASSESSMENT)
    save_part_one(
        traject,
        client_agrees=False,
        disagreement="Wil niveau 3.",
        second_opinion_by=flow.user("almere.wijkwerker2"),
        second_opinion_agrees=True,
        second_opinion_notes="Na uitleg eens met niveau 2.",
    )
    flow.advance(traject, S.DECISION_DRAFT)
    assert not traject.beschikkingen.get().client_disagreed


# --- Every smaller input rule refuses with its own message and saves nothing -------------


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def _yesterday_of(traject):
    return traject.melding_received_on - timedelta(days=1)


def _consult(traject, **kw):
    values = {
        "traject": traject,
        "actor": flow.user("almere.pa"),
        "kind": "collega",
        "consulted": "Collega",
        "question": "Niveau 2 of 3?",
        "asked_on": timezone.localdate(),
    }
    return plans.consultation_add(**{**values, **kw})


def _sign(traject, **kw):
    values = {
        "traject": traject,
        "actor": flow.user("almere.pa"),
        "document": SignedDocument.PART_ONE,
        "kind": SignatureKind.AGREED,
        "signer_name": "L. Verbeek",
        "signed_on": timezone.localdate(),
        "method": "papier",
    }
    return plans.signature_record(**{**values, **kw})


def test_consultation_rules(assessment):
    with pytest.raises(TrajectError, match="vóór de vraag"):
        _consult(assessment, answer="Niveau 2", answered_on=timezone.localdate() - timedelta(1))
    with pytest.raises(TrajectError, match="wanneer het antwoord"):
        _consult(assessment, answer="Niveau 2")
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        _consult(assessment, actor=flow.user("almere.wijkwerker"))
    _consult(assessment)
    with pytest.raises(TrajectError, match="al vastgelegd"):
        _consult(assessment)
    assert assessment.consultations.count() == 1


def test_signature_rules(choosing):
    with pytest.raises(TrajectError, match="naam"):
        _sign(choosing, signer_name=" ")
    with pytest.raises(TrajectError, match="toekomst"):
        _sign(choosing, signed_on=_tomorrow())
    _sign(choosing)
    with pytest.raises(TrajectError, match="al vastgelegd"):
        _sign(choosing)
    assert choosing.signatures.count() == 1


def test_choice_and_consent_rules(choosing):
    pa = flow.user("almere.pa")
    with pytest.raises(TrajectError, match="Kies de aanbieder"):
        plans.provider_choice_record(
            traject=choosing, actor=pa, provider=None, chosen_on=timezone.localdate()
        )
    with pytest.raises(TrajectError, match="welke aanbieder"):
        plans.consent_record(
            traject=choosing,
            actor=pa,
            is_given=True,
            shared_fields=list(SHAREABLE_FIELDS),
            given_on=timezone.localdate(),
        )
    plans.provider_choice_record(
        traject=choosing, actor=pa, provider=flow.kade(), chosen_on=timezone.localdate()
    )
    with pytest.raises(TrajectError, match="toekomst"):
        plans.consent_record(
            traject=choosing,
            actor=pa,
            is_given=True,
            shared_fields=list(SHAREABLE_FIELDS),
            given_on=_tomorrow(),
        )
    assert not choosing.consents.exists()


def test_intake_and_plan_of_approach_rules():
    from openarrangementen.cases.models import ZrmDomain
    from openarrangementen.cases.services import intake_plan, plan_of_approach_save

    traject = flow.new_melding()
    wijkwerker = flow.user("almere.wijkwerker")
    with pytest.raises(TrajectError, match="vóór de melding"):
        intake_plan(
            traject=traject, actor=wijkwerker, planned_for=_yesterday_of(traject), participants="x"
        )
    assert unchanged(traject)[0] == S.MELDING  # the screening step was rolled back too
    intake = intake_plan(
        traject=traject, actor=wijkwerker, planned_for=timezone.localdate(), participants="x"
    )
    with pytest.raises(TrajectError, match="niet plannen"):
        intake_plan(
            traject=traject,
            actor=flow.user("almere.collega-pa"),
            planned_for=timezone.localdate(),
            participants="y",
        )
    domain = ZrmDomain.objects.get(name="Financiën")
    with pytest.raises(TrajectError, match="toekomst"):
        plan_of_approach_save(
            intake=intake, actor=wijkwerker, held_on=_tomorrow(), summary="", scores={}
        )
    with pytest.raises(TrajectError, match="1 tot en met 5"):
        plan_of_approach_save(
            intake=intake,
            actor=wijkwerker,
            held_on=timezone.localdate(),
            summary="",
            scores={domain.pk: (6, "", "")},
        )
    assert not intake.scores.exists()


def test_suspension_input_rules():
    traject = flow.new_melding()
    pa = flow.user("almere.pa")
    common = {"traject": traject, "reason": "Ziekenhuis."}
    with pytest.raises(TrajectError, match="1 tot en met 365"):
        traject_suspend(actor=pa, starts_on=timezone.localdate(), days=0, **common)
    with pytest.raises(TrajectError, match="vóór de melding"):
        traject_suspend(actor=pa, starts_on=_yesterday_of(traject), days=7, **common)
    with pytest.raises(TrajectError, match="niet opschorten"):
        traject_suspend(
            actor=flow.user("almere.collega-pa"), starts_on=timezone.localdate(), days=7, **common
        )
    assert not traject.suspensions.exists()


def test_draft_decision_input_rules():
    traject = flow.advance(flow.new_melding(), S.PLAN_REVIEW)
    pa = flow.user("almere.pa")
    with pytest.raises(TrajectError, match="overwegingen"):
        decisions.beschikking_draft(
            traject=traject,
            actor=pa,
            considerations=" ",
            application_received_on=timezone.localdate(),
        )
    with pytest.raises(TrajectError, match="aanvraag ligt in de toekomst"):
        decisions.beschikking_draft(
            traject=traject, actor=pa, considerations="x", application_received_on=_tomorrow()
        )
    assert not traject.beschikkingen.exists()
    assert unchanged(traject)[0] == S.PLAN_REVIEW


def test_objection_and_start_input_rules():
    draft = flow.advance(flow.new_melding(), S.DECISION_DRAFT)
    pa = flow.user("almere.pa")
    with pytest.raises(TrajectError, match="definitieve beschikking"):
        decisions.objection_register(
            beschikking=draft.beschikkingen.get(),
            actor=pa,
            received_on=timezone.localdate(),
            grounds="x",
        )
    traject = flow.advance(draft, S.DECIDED)
    beschikking = traject.beschikkingen.get()
    with pytest.raises(TrajectError, match="gronden"):
        decisions.objection_register(
            beschikking=beschikking, actor=pa, received_on=timezone.localdate(), grounds=""
        )
    decisions.objection_register(
        beschikking=beschikking, actor=pa, received_on=timezone.localdate(), grounds="Te licht."
    )
    with pytest.raises(TrajectError, match="al geregistreerd"):
        decisions.objection_register(
            beschikking=beschikking, actor=pa, received_on=timezone.localdate(), grounds="Te licht."
        )
    with pytest.raises(TrajectError, match="toekomst"):
        decisions.traject_start_record(traject=traject, actor=pa, started_on=_tomorrow())
    with pytest.raises(TrajectError, match="vóór het besluit"):
        decisions.traject_start_record(
            traject=traject, actor=pa, started_on=timezone.localdate() - timedelta(1)
        )
    assert unchanged(traject)[0] == S.DECIDED


@pytest.mark.parametrize("username", ["almere.wijkwerker", "almere.collega-pa"])
def test_follow_up_and_change_need_a_pa(username):
    traject = flow.advance(flow.new_melding(), S.ACTIVE)
    actor = flow.user(username)
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        decisions.follow_up_decide(
            traject=traject,
            actor=actor,
            kind=FollowUpKind.NO_FURTHER_SUPPORT,
            evaluation_summary="x",
            explanation="y",
        )
    with pytest.raises(TrajectError, match="Alleen een procesregisseur"):
        decisions.traject_change_open(
            traject=traject, actor=actor, kind="andere_aanbieder", reason="x"
        )
    with pytest.raises(TrajectError, match="Kies een wijziging"):
        decisions.traject_change_open(
            traject=traject, actor=flow.user("almere.pa"), kind="iets", reason="x"
        )
    assert not traject.follow_ups.exists()


def test_melding_needs_a_question():
    with pytest.raises(TrajectError, match="hulpvraag"):
        flow.new_melding(question="  ")
