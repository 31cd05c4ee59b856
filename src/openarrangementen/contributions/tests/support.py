"""Trajects with support on fixed dates, built through the real services (cases flow)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow
from openarrangementen.decisions import services as decisions
from openarrangementen.decisions.models import Beschikking


def set_support(
    traject: Traject,
    *,
    started_on: date,
    start_on: date,
    end_on: date,
    ended_on: date | None = None,
    level: str = "",
) -> Traject:
    """Move the traject's support and its final beschikking to fixed dates (the services
    only accept dates around today)."""
    beschikking = Beschikking.objects.filter(traject=traject, status=Beschikking.Status.FINAL)
    beschikking.update(start_on=start_on, end_on=end_on)
    if level:
        beschikking.update(level=flow.level(level))
    Traject.objects.filter(pk=traject.pk).update(started_on=started_on, ended_on=ended_on)
    traject.refresh_from_db()
    return traject


def supported_from(started_on: date, *, ended_on: date | None = None) -> Traject:
    """Mw. Verbeek (Almere, level N2) with support from `started_on`; the beschikking runs
    from the first of that month for a year."""
    traject = flow.advance(flow.new_melding(), TrajectStatus.ACTIVE)
    return set_support(
        traject,
        started_on=started_on,
        start_on=started_on.replace(day=1),
        end_on=started_on.replace(day=1) + relativedelta(years=1) - timedelta(days=1),
        ended_on=ended_on,
    )


def level_change(old: Traject, *, on: date, level: str) -> Traject:
    """A change of arrangement: a new traject whose beschikking replaces the old one, with
    support at `level` from `on`; the old support ends that day."""
    new = decisions.traject_change_open(
        traject=old, actor=flow.user("almere.pa"), kind="ander_arrangement", reason="Zwaarder."
    )
    flow.advance(new, TrajectStatus.ACTIVE)
    Traject.objects.filter(pk=old.pk).update(ended_on=on)
    return set_support(
        new,
        started_on=on,
        start_on=on,
        end_on=on + relativedelta(years=1) - timedelta(days=1),
        level=level,
    )
