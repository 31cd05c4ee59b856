"""The iWmo intake in the benchmark: WMO305 start messages received one by one through the
same `exchange.receive` the HTTP endpoint and the folder pickup use (issue #14).

The messages are built by the real builder for toewijzingen of decided trajects that have
not started yet, so every rule is checked and every retour is produced, as in production.
"""

import time

from django.db import connection
from django.utils import timezone

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.iwmo import codec, messages
from openarrangementen.iwmo.exchange import receive
from openarrangementen.iwmo.models import Assignment, Endpoint


def intake_rate(limit: int) -> tuple[int, float, float]:
    """(messages received, messages per second, queries per message)."""
    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(
            traject__status=TrajectStatus.DECIDED.value, traject__started_on__isnull=True
        ).select_related("municipality", "provider", "client")[:limit]
    )
    bodies = [
        (
            codec.build(
                messages.start(
                    assignment=a,
                    begin_on=max(a.start_on, today),
                    identification=f"B{a.number:011d}"[-12:],
                    dated_on=today,
                )
            ),
            a.provider,
        )
        for a in assignments
    ]
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        for body, provider in bodies:
            result = receive(body, transport=Endpoint.Transport.HTTP, provider=provider)
            if result.retour is None:
                raise SystemExit("; ".join(result.errors))
    seconds = time.perf_counter() - started
    count = len(bodies)
    return count, (count / seconds if seconds else 0.0), (queries / count if count else 0.0)
