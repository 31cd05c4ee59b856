"""The daily term warning (issue #23): the people who act on deadlines hear, once a day,
how many of their trajects have a term about to lapse or lapsed, without any name; a second
run on the same day tells no one again. Expectations from the work list's own filters
(*dreigt*: at most TRAJECT_AT_RISK_WORKING_DAYS working days left; *verlopen*)."""

from datetime import timedelta

import pytest
import time_machine

from openarrangementen.cases.models import PendingDeadline
from openarrangementen.cases.services import TERM_WARNING_SUBJECT, term_warnings_send
from openarrangementen.cases.tests import flow
from openarrangementen.core.models import Notification

pytestmark = pytest.mark.usefixtures("demo")


def told(username: str):
    return Notification.objects.filter(recipient__username=username, subject=TERM_WARNING_SUBJECT)


def test_the_day_a_term_lapses_the_pa_is_told_once_and_without_names():
    traject = flow.new_melding()
    due = PendingDeadline.objects.filter(traject=traject).order_by("due_on").first().due_on
    Notification.objects.all().delete()

    with time_machine.travel(due, tick=False):  # the last day of the term: about to lapse
        first = term_warnings_send(today=due)
        again = term_warnings_send(today=due)

    assert first >= 1
    assert again == 0  # once a day
    (note,) = told("almere.pa")
    assert note.text.startswith("1 traject(en) met een termijn die binnenkort verloopt")
    assert note.url == "/trajecten/?state=dreigt"
    for personal in (traject.client.family_name, traject.client.bsn, traject.client.initials):
        assert personal not in note.text
    # Another region's PA sees none of Almere's trajects and hears nothing.
    assert not told("mlw.pa").exists()


def test_a_lapsed_term_is_told_the_next_day_again():
    traject = flow.new_melding()
    due = PendingDeadline.objects.filter(traject=traject).order_by("due_on").first().due_on
    later = due + timedelta(days=7)
    with time_machine.travel(due, tick=False):
        term_warnings_send(today=due)
    with time_machine.travel(later, tick=False):
        term_warnings_send(today=later)
    latest = told("almere.pa").order_by("-created_at").first()
    assert latest.text.startswith(
        "0 traject(en) met een termijn die binnenkort verloopt en 1 met een verlopen termijn."
    )
    assert latest.url == "/trajecten/?state=verlopen"
    assert told("almere.pa").count() == 2
