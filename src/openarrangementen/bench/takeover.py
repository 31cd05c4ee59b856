"""Taking over running beschikkingen at volume (issue #23, ADR 0014): a generated file of
`rows` running beschikkingen for Almere at De Kade, half of them started, read, checked and
written in one run as `manage.py importeer_beschikkingen` does."""

import time

from openarrangementen.bench.generate import valid_bsns

HEADER = (
    "gemeente;bsn;voorletters;achternaam;geboortedatum;postcode;woonplaats;beschikkingnummer;"
    "besluitdatum;arrangement;niveau;ingangsdatum;einddatum;aanbieder;toewijzingnummer;"
    "startdatum"
)


def takeover_file(rows: int) -> bytes:
    from django.utils import timezone

    today = timezone.localdate()
    decided = today.replace(day=1)
    ends = decided.replace(year=decided.year + 1)
    bsns = valid_bsns(60_000_000)
    lines = [HEADER]
    for i in range(rows):
        started = f"{decided:%d-%m-%Y}" if i % 2 == 0 else ""
        lines.append(
            f"0034;{next(bsns)};A.;Overname{i};01-01-1960;1315 HR;Almere;OVN-{i:07d};"
            f"{decided:%d-%m-%Y};2;N2;{decided:%d-%m-%Y};{ends:%d-%m-%Y};75000101;"
            f"{7_000_000 + i};{started}"
        )
    return ("\n".join(lines) + "\n").encode()


def takeover_bench(rows: int) -> dict:
    from openarrangementen.accounts.models import User
    from openarrangementen.decisions import takeover

    data = takeover_file(rows)
    user = User.objects.get(username="almere.beheerder")
    started = time.perf_counter()
    result = takeover.run("bench.csv", data, user=user)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    repeat = takeover.run("bench.csv", data, user=user)
    return {
        "rows": rows,
        "imported": result.imported,
        "seconds": seconds,
        "rate": rows / seconds if seconds else 0.0,
        "repeat_skipped": repeat.skipped,
        "repeat_seconds": time.perf_counter() - again,
    }
