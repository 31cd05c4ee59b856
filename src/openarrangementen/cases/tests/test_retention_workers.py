"""The retention job with two processes at once on PostgreSQL (issue #23): each traject is
anonymised by exactly one of them, and together they report each once."""

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


def test_two_processes_anonymise_each_traject_once():
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    ids = [withdrawn(inwoner(n)).pk for n in range(TRAJECTS)]  # closed 2 March 2026
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "bewaartermijnen"],
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
    counted = 0
    for out, _ in outputs:
        found = re.search(r"Ingetrokken: (\d+) trajecten geanonimiseerd", out)
        counted += int(found.group(1)) if found else 0
    assert counted == TRAJECTS
    rows = Traject.objects.filter(pk__in=ids)
    assert rows.filter(anonymised_at__isnull=False, question="").count() == TRAJECTS
