"""The nightly retention job at volume (issue #23, ADR 0013): run 16 years ahead, so every
closed traject of the generated data has passed its period. Runs last: it changes the
data the pages were measured on."""

import time

from django.utils import timezone

from dateutil.relativedelta import relativedelta


def retention_bench() -> dict:
    from openarrangementen.cases import retention

    today = timezone.localdate() + relativedelta(years=16)
    started = time.perf_counter()
    report = retention.run(today=today)
    seconds = time.perf_counter() - started
    trajects = sum(report.trajects.values())
    return {
        "trajects": trajects,
        "clients": report.clients,
        "rows": report.rows,
        "kept": sum(report.kept.values()),
        "seconds": seconds,
        "rate": trajects / seconds if seconds else 0.0,
    }
