"""The retention job with two processes at once on PostgreSQL (issue #23): each traject is
anonymised by exactly one of them, and together they report each once; an inwoner whose
trajects the two share out is anonymised once, by whichever finishes last."""

import re
import subprocess
import sys

from django.conf import settings as django_settings

import pytest

from openarrangementen.cases.models import Traject
from openarrangementen.core.tests.processes import database_env, postgresql_only

from .test_retention import inwoner, withdrawn

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]
TRAJECTS = 30


def _two_runs(*extra: str) -> list[str]:
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "bewaartermijnen", *extra],
            cwd=django_settings.REPO_DIR,
            env=database_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    return [out for out, _ in outputs]


def _counted(outputs: list[str], pattern: str) -> int:
    total = 0
    for out in outputs:
        found = re.search(pattern, out)
        total += int(found.group(1)) if found else 0
    return total


def test_two_processes_share_the_trajects_of_the_same_inwoners():
    from openarrangementen.clients.models import Client
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    people = [inwoner(40 + n) for n in range(8)]
    for person in people:
        for n in range(3):
            withdrawn(person, question=f"Hulpvraag {n + 1} van {person.family_name}.")
    # One traject per transaction: the two processes interleave over each inwoner's three.
    outputs = _two_runs("--per-keer", "1")
    assert _counted(outputs, r"Ingetrokken: (\d+) trajecten geanonimiseerd") == 24
    assert _counted(outputs, r"Inwoners geanonimiseerd: (\d+)") == 8
    anonymous = Client.objects.filter(pk__in=[p.pk for p in people], anonymised_at__isnull=False)
    assert anonymous.count() == 8


def test_two_processes_anonymise_each_traject_once():
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    ids = [withdrawn(inwoner(n)).pk for n in range(TRAJECTS)]  # closed 2 March 2026
    outputs = _two_runs()
    assert _counted(outputs, r"Ingetrokken: (\d+) trajecten geanonimiseerd") == TRAJECTS
    rows = Traject.objects.filter(pk__in=ids)
    assert rows.filter(anonymised_at__isnull=False, question="").count() == TRAJECTS
