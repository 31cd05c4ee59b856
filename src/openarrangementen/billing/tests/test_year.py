"""A year of 1,000 random trajects per rule set, billed month by month with corrections on
the way, reconciles to the cent: what was paid (debits minus credits) is exactly what is
owed, per provider and in total, and no period is paid twice."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from openarrangementen.billing.domain import (
    Calendar,
    Pause,
    RuleSet,
    Segment,
    claims,
    month_of,
    owed_periods,
    reconcile,
)

TARIFFS = {"N1": Decimal("620.00"), "N2": Decimal("1140.00"), "N3": Decimal("1980.00")}
YEAR = date(2025, 1, 1)


def tariff(calendar):
    def of(segment, day):
        amount = TARIFFS[segment.level]
        return (
            (amount * 13 / 12).quantize(Decimal("0.01")) if calendar == Calendar.MONTH else amount
        )

    return of


def traject(rng: random.Random, n: int) -> tuple[list[Segment], list[Pause], list[Segment]]:
    """A client's year: one to three toewijzingen (level change or switch of provider), a start
    reported on time, late or never, maybe an early stop and a pause; and the history as
    corrected later (a stop reported after the fact)."""
    segments = []
    day = YEAR + timedelta(days=rng.randrange(0, 300))
    for k in range(rng.choice([1, 1, 2, 3])):
        if day > date(2025, 12, 31):
            break
        provider = rng.choice("ABCD")
        level = rng.choice(list(TARIFFS))
        end = min(day + timedelta(days=rng.randrange(20, 250)), date(2025, 12, 31))
        if end < day:
            break
        started = rng.choice([day, day, day + timedelta(days=rng.randrange(0, 20)), None])
        stopped = rng.choice([None, None, day + timedelta(days=rng.randrange(0, 60))])
        segments.append(Segment(f"{n}-{k}", provider, level, day, end, started, stopped))
        day = end + timedelta(days=1)
    pauses = []
    if rng.random() < 0.2:
        begin = YEAR + timedelta(days=rng.randrange(0, 330))
        pauses.append(Pause(begin, begin + timedelta(days=rng.randrange(5, 40))))
    corrected = list(segments)
    if rng.random() < 0.3:
        i = rng.randrange(len(corrected))
        s = corrected[i]
        if s.started_on is not None:
            corrected[i] = Segment(
                s.assignment, s.provider, s.level, s.assigned_from, s.assigned_to,
                s.started_on, s.started_on + timedelta(days=rng.randrange(0, 40)),
            )  # fmt: skip
    return segments, pauses, corrected


@pytest.mark.parametrize(
    ("rule_set", "calendar"),
    [(RuleSet.EVERY_PERIOD, Calendar.MONTH), (RuleSet.MIDDEN_LIMBURG, Calendar.FOUR_WEEKS)],
)
def test_a_year_of_a_thousand_trajects_reconciles_to_the_cent(rule_set, calendar):
    rng = random.Random(f"{rule_set}-{calendar}")
    of = tariff(calendar)
    paid_total = Decimal(0)
    owed_total = Decimal(0)
    paid_by_provider: Counter = Counter()
    owed_by_provider: Counter = Counter()
    runs = [month_of(date(2025, m, 1)).end + timedelta(days=1) for m in range(1, 13)]
    final = date(2026, 3, 1)  # after every toewijzing ended
    for n in range(1000):
        segments, pauses, corrected = traject(rng, n)
        standing: dict = {}
        for index, on in enumerate([*runs, final]):
            history = segments if index < 6 else corrected  # corrections from July
            owed, _ = owed_periods(
                history, calendar=calendar, rule_set=rule_set, until=on - timedelta(days=1),
                pauses=pauses,
            )  # fmt: skip
            target, _ = claims(owed, on=on, tariff=of)
            plan = reconcile(target, standing)
            for key in plan.credits:
                line = standing.pop(key)
                paid_total -= line.amount
                paid_by_provider[line.segment.provider] -= line.amount
            for line in plan.debits:
                standing[line.key] = line
                paid_total += line.amount
                paid_by_provider[line.segment.provider] += line.amount
        owed, _ = owed_periods(
            corrected,
            calendar=calendar,
            rule_set=rule_set,
            until=final - timedelta(days=1),
            pauses=pauses,
        )
        labels = [o.period.label for o in owed]
        assert len(labels) == len(set(labels))  # no period twice
        paid_periods = sorted(p for line in standing.values() for p in line.periods)
        assert paid_periods == sorted(labels)  # every owed period paid, nothing else
        for item in owed:
            amount = of(
                item.segment, max(month_of(item.first_day).begin, item.segment.assigned_from)
            )
            owed_total += amount
            owed_by_provider[item.segment.provider] += amount
    assert paid_total == owed_total
    assert paid_by_provider == owed_by_provider
    assert paid_total > Decimal("1000000")  # a real year of money, not an empty run
