"""The whole municipality route through the services, and the refusals along the way."""

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import StatusChange

from . import flow

pytestmark = pytest.mark.usefixtures("demo")


def test_verbeek_from_melding_to_start():
    traject = flow.advance(flow.new_melding(), TrajectStatus.ACTIVE)
    assert traject.status == TrajectStatus.ACTIVE
    beschikking = traject.beschikkingen.get()
    assert beschikking.is_final
    assert beschikking.content["deployments"][0]["per_week"] == "3.00"
    assert beschikking.reviewed_by.username == "almere.collega-pa"
    statuses = list(
        StatusChange.objects.filter(traject=traject).values_list("to_status", flat=True)
    )
    assert statuses == [
        "melding",
        "gesprek",
        "indicatie",
        "aanbiederskeuze",
        "bij_aanbieder",
        "bij_aanbieder",  # the werkverdeler assigns a begeleider: the status stays
        "toetsing",
        "concept",
        "vierogen",
        "beschikt",
        "lopend",
    ]
    assert traject.start_check.due_on > traject.started_on
