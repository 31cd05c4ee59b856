"""The monthly billing run in the benchmark (issue #14).

Steady state first, untimed: for the chosen providers every owed period up to the month
before last stands as declared and approved on both sides, written in bulk from the
product's own computation (`billing.selectors.provider_billing`). Then, timed, the real
`billing.services.billing_run` for last month for each provider and municipality: compute
what is owed, write the lines, build and XSD-validate the WMO323s, the municipality's
receipt (XSD, the standard's rules, the check per line, its lines, the WMO325) and applying
the answer on the provider's side, in process as for a portal provider.
"""

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from django.db import connections, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from openarrangementen.accounts.models import Municipality, Provider, User
from openarrangementen.billing import services
from openarrangementen.billing.models import Line, Payment
from openarrangementen.billing.selectors import provider_billing, settings_for
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side


def _pairs(limit: int) -> list[tuple[Provider, Municipality, int]]:
    """The (provider, municipality) pairs with the most started toewijzingen, until `limit`
    toewijzingen are covered."""
    rows = (
        Assignment.objects.filter(
            last_message__isnull=False,
            number__in=DeliveryReport.objects.filter(kind=DeliveryReport.Kind.START).values(
                "assignment_number"
            ),
        )
        .values("provider", "municipality")
        .annotate(n=Count("pk"))
        .order_by("-n", "provider", "municipality")
    )
    chosen, total = [], 0
    for row in rows:
        if total >= limit:
            break
        chosen.append(
            (
                Provider.objects.get(pk=row["provider"]),
                Municipality.objects.get(pk=row["municipality"]),
                row["n"],
            )
        )
        total += row["n"]
    return chosen


def _declared_before(provider, municipality, month) -> int:
    """Everything owed up to `month` as declared and approved on both sides (bulk), and
    paid but for the last month."""
    payable = settings_for(municipality.region).payment_term_days
    count = 0
    with transaction.atomic():
        plans = provider_billing(provider=provider, municipality=municipality, month=month)
        fields = [
            services._debit_fields(billing, claim, provider=provider, municipality=municipality)
            for billing in plans
            for claim in billing.plan_debits
        ]
        for chunk in services._chunks(fields, 5_000):
            for row in chunk:
                row["status"] = Line.Status.APPROVED
            lines = services._new_lines(chunk)
            Line.objects.bulk_create(
                Line(
                    side=Side.MUNICIPALITY,
                    status=Line.Status.APPROVED,
                    municipality=municipality,
                    provider=provider,
                    client_id=line.client_id,
                    assignment_id=line.assignment_id,
                    assignment_number=line.assignment_number,
                    reference=line.reference,
                    product_category=line.product_category,
                    product_code=line.product_code,
                    period_begin=line.period_begin,
                    period_end=line.period_end,
                    periods=line.periods,
                    volume=line.volume,
                    unit=line.unit,
                    tariff=line.tariff,
                    amount=line.amount,
                    explanation=line.explanation,
                    decided_on=line.period_end + timedelta(days=10),
                    payable_by=line.period_end + timedelta(days=10 + payable),
                )
                for line in lines
            )
            count += len(lines)
        # Paid, as a municipality does within its term: all but the last month's lines.
        unpaid = Line.objects.filter(
            side=Side.MUNICIPALITY,
            provider=provider,
            municipality=municipality,
            payment__isnull=True,
            period_end__lt=month.replace(day=1),
        )
        amount = unpaid.aggregate(total=Sum("amount"))["total"]
        if amount is not None:
            payment = Payment.objects.create(
                municipality=municipality,
                provider=provider,
                paid_on=month.replace(day=1),
                reference=f"BENCH-{provider.pk}-{municipality.pk}",
                amount=amount,
                recorded_by=User.objects.filter(is_superuser=True).first(),
            )
            unpaid.update(payment=payment)
    return count


def _groups(pairs: list, count: int) -> list[list]:
    """The pairs over `count` groups of about equal size, largest first."""
    groups: list[list] = [[] for _ in range(max(1, count))]
    sizes = [0] * len(groups)
    for pair in sorted(pairs, key=lambda p: -p[2]):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(pair)
        sizes[smallest] += pair[2]
    return [group for group in groups if group]


def _run_group(pks: list[tuple[int, int]], month_iso: str) -> tuple[int, int, float]:
    """One process's share of the runs, one after the other (in a forked child: it opens
    its own database connection). Returns debits, credits and its memory growth."""
    from datetime import date

    month = date.fromisoformat(month_iso)
    user = User.objects.filter(is_superuser=True).first()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    debits = credits = 0
    for provider_pk, municipality_pk in pks:
        result = services.billing_run(
            user=user,
            provider=Provider.objects.get(pk=provider_pk),
            municipality=Municipality.objects.get(pk=municipality_pk),
            month=month,
        )
        debits += result.debits
        credits += result.credits
    connections.close_all()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return debits, credits, max(0.0, rss_after - rss_before)


def billing_bench(limit: int, *, out, at_once: int = 2) -> dict:
    """Run the monthly billing for at least `limit` toewijzingen (or all there are); returns
    the figures for the benchmark's table. The runs of different provider-municipality
    pairs are independent (each provider starts its own); `at_once` processes each take a
    share of the pairs, one run after the other, as a worker per core would."""
    this_month = timezone.localdate().replace(day=1)
    month = (this_month - timedelta(days=1)).replace(day=1)
    before = (month - timedelta(days=1)).replace(day=1)
    pairs = _pairs(limit)
    started = time.perf_counter()
    history = sum(_declared_before(p, m, before) for p, m, _n in pairs)
    out.write(
        f"  billing: {len(pairs)} aanbieder-gemeenteparen, {history:,} regels tot en met "
        f"{before:%m-%Y} als gedeclareerd vastgelegd ({time.perf_counter() - started:.0f} s)\n"
    )
    out.flush()
    first_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    groups = [[(p.pk, m.pk) for p, m, _n in group] for group in _groups(pairs, at_once)]
    connections.close_all()  # each process opens its own
    started = time.perf_counter()
    if len(groups) <= 1:
        results = [_run_group(group, month.isoformat()) for group in groups]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(groups), mp_context=context) as pool:
            results = list(pool.map(_run_group, groups, [month.isoformat()] * len(groups)))
    seconds = time.perf_counter() - started
    debits = sum(r[0] for r in results)
    credits = sum(r[1] for r in results)
    new_messages = Message.objects.filter(pk__gt=first_message, side=Side.PROVIDER)
    approved = Line.objects.filter(
        side=Side.MUNICIPALITY, status=Line.Status.APPROVED, period_begin=month
    ).count()
    return {
        "pairs": len(pairs),
        "assignments": sum(n for _p, _m, n in pairs),
        "debits": debits,
        "credits": credits,
        "approved": approved,
        "declarations": new_messages.filter(code="323").count(),
        "seconds": seconds,
        "at_once": len(groups),
        "rss_growth_mb": max((r[2] for r in results), default=0.0),
    }
