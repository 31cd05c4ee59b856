"""The iWmo intake in the benchmark: WMO305 start messages received one by one through
`exchange.receive` (what the HTTP endpoint does per request) and as a batch through
`exchange.receive_batch` (what the folder pickup does), issue #14.

The messages are built by the real builder for toewijzingen of decided trajects that have
not started yet, so every rule is checked and every retour is produced, as in production.
The providers get a folder link with a service user (`provider_links`): each start is
recorded on its traject and each retour written to the provider's folder. The two
measurements use different toewijzingen: a start received twice would be a
duplicate, which is cheaper.
"""

import time

from django.db import connection
from django.utils import timezone

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.iwmo import codec, messages
from openarrangementen.iwmo.exchange import receive, receive_batch
from openarrangementen.iwmo.models import Assignment, Endpoint


def provider_links(bodies) -> int:
    """A folder link, with a service user, for each provider and region the messages come
    from, as a provider whose own software sends starts has: the start is then recorded on
    the traject (`handlers._start_received`) and the retour written to its folder."""
    from openarrangementen.accounts.domain import Role
    from openarrangementen.accounts.models import Municipality, User

    regions = dict(Municipality.objects.values_list("pk", "region_id"))
    pairs = {(provider, regions[municipality_id]) for _, provider, municipality_id in bodies}
    for provider, region_id in pairs:
        Endpoint.objects.update_or_create(
            provider=provider,
            region_id=region_id,
            defaults={
                "transport": Endpoint.Transport.FOLDER,
                "folder": f"{provider.agb_code}-{region_id}",
                "service_user": User.objects.filter(
                    role_assignments__provider=provider,
                    role_assignments__role__in=[Role.WERKVERDELER.value, Role.BEGELEIDER.value],
                )
                .order_by("pk")
                .first(),
            },
        )
    return len(pairs)


def _bodies(limit: int, *, offset: int, prefix: str) -> list[tuple[str, object, int]]:
    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(
            traject__status=TrajectStatus.DECIDED.value, traject__started_on__isnull=True
        )
        .select_related("municipality", "provider", "client")
        .order_by("pk")[offset : offset + limit]
    )
    return [
        (
            codec.build(
                messages.start(
                    assignment=a,
                    begin_on=max(a.start_on, today),
                    identification=f"{prefix}{a.number:011d}"[-12:],
                    dated_on=today,
                )
            ),
            a.provider,
            a.municipality_id,
        )
        for a in assignments
    ]


def _measured(run) -> tuple[float, int]:
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        run()
    return time.perf_counter() - started, queries


def _check(results) -> None:
    for result in results:
        if result.retour is None:
            raise SystemExit("; ".join(result.errors))


def intake_rate(limit: int) -> dict:
    """One by one and as a batch: messages, messages per second, queries per message."""
    single = _bodies(limit, offset=0, prefix="B")
    batch = _bodies(limit * 5, offset=limit, prefix="C")
    provider_links(single + batch)

    def one_by_one():
        _check(
            [
                receive(body, transport=Endpoint.Transport.HTTP, provider=provider)
                for body, provider, _ in single
            ]
        )

    def batched():
        # Per provider, as a folder link delivers them.
        by_provider: dict = {}
        for body, provider, _ in batch:
            by_provider.setdefault(provider, []).append(body)
        for provider, bodies in by_provider.items():
            _check(receive_batch(bodies, transport=Endpoint.Transport.FOLDER, provider=provider))

    figures = {}
    for name, bodies, run in (("single", single, one_by_one), ("batch", batch, batched)):
        seconds, queries = _measured(run)
        count = len(bodies)
        figures[name] = (
            count,
            count / seconds if seconds else 0.0,
            queries / count if count else 0.0,
        )
    return figures
