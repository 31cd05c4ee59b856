"""Work that runs without anyone clicking (issue #23, ADR 0012): django-q2 schedules,
defined here in code and written to the database after every `migrate`, so an installation
that follows the README has them and beheer shows them (*Taken*).

The worker is `manage.py qcluster` (the ORM broker: no extra service). Every job is
idempotent and safe with two workers at once: django-q2 claims a due schedule with a row
lock, the iWmo sender claims each message with `select_for_update(skip_locked=True)`, and
the other jobs record what they did, so a second run finds nothing new to do.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

PREFIX = "openarrangementen.core.jobs."
HEARTBEAT = "hartslag"


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # a function in this module
    minutes: int  # every so many minutes; 1440: daily at `at`
    description: str
    at: time | None = None


JOBS = [
    Job(
        "iwmo-versturen",
        "iwmo_send",
        1,
        "Verstuurt iWmo-berichten die klaarstaan en probeert mislukte opnieuw (1, 5, 25, 125 min).",
    ),
    Job("iwmo-mappen", "iwmo_folder_pickup", 1, "Verwerkt berichten in de mappen van aanbieders."),
    Job(
        "startbericht-ontbreekt",
        "missing_starts",
        1440,
        "Signaleert toewijzingen zonder startbericht na de starttermijn.",
        at=time(6, 0),
    ),
    Job(
        "evaluatie-herinneringen",
        "evaluation_reminders",
        1440,
        "Herinnert aanbieders aan evaluaties waarvan de datum is bereikt.",
        at=time(6, 15),
    ),
    Job(
        "termijn-waarschuwingen",
        "term_warnings",
        1440,
        "Vertelt PA's, wijkwerkers en werkverdelers hoeveel termijnen dreigen te verlopen.",
        at=time(7, 0),
    ),
    Job(
        "bewaartermijnen",
        "retention",
        1440,
        "Anonimiseert trajecten en inwoners waarvan de bewaartermijn voorbij is (ADR 0013).",
        at=time(2, 30),
    ),
    Job(HEARTBEAT, "heartbeat", 1, "Laat zien dat de worker draait (/gereed/)."),
]


def _first_run(job: Job) -> datetime:
    now = timezone.localtime()
    if job.at is None:
        return now
    first = now.replace(hour=job.at.hour, minute=job.at.minute, second=0, microsecond=0)
    return first if first > now else first + timedelta(days=1)


def install_schedules(**kwargs) -> int:
    """Create or update the schedules of `JOBS` (after every migrate); keep their next run
    when they exist, so a deploy does not make a daily job run again. Returns the count."""
    from django_q.models import Schedule

    for job in JOBS:
        defaults = {
            "func": PREFIX + job.func,
            "schedule_type": Schedule.DAILY if job.minutes == 1440 else Schedule.MINUTES,
            "minutes": None if job.minutes == 1440 else job.minutes,
            "repeats": -1,
        }
        schedule = Schedule.objects.filter(name=job.name).first()
        if schedule is None:
            Schedule.objects.create(name=job.name, next_run=_first_run(job), **defaults)
        else:
            Schedule.objects.filter(pk=schedule.pk).update(**defaults)
    return len(JOBS)


def enqueue(func: str, *args, **kwargs) -> None:
    """Hand work to the worker once the current transaction commits (never inside a web
    request: a provider that does not answer would hold the request for the whole timeout)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))


# --- The jobs --------------------------------------------------------------------------------


def iwmo_send() -> int:
    from openarrangementen.iwmo.exchange import dispatch_pending

    return dispatch_pending()


def iwmo_folder_pickup() -> None:
    from django.core.management import call_command

    call_command("iwmo_folder_pickup", verbosity=0)


def missing_starts() -> int:
    from openarrangementen.iwmo.services import missing_starts_signal

    return missing_starts_signal()


def evaluation_reminders() -> int:
    from openarrangementen.delivery.services import evaluation_reminders_send

    return evaluation_reminders_send()


def term_warnings() -> int:
    from openarrangementen.cases.services import term_warnings_send

    return term_warnings_send()


def retention() -> dict:
    from openarrangementen.cases.retention import run

    return run().as_dict()


def heartbeat() -> str:
    """Nothing but proof of life: the schedule's `next_run` moves on each time it runs."""
    return timezone.now().isoformat()


def worker_alive() -> bool:
    """The scheduler has run the heartbeat within WORKER_HEARTBEAT_MINUTES: its next run is
    not longer overdue than that."""
    from django.conf import settings

    from django_q.models import Schedule

    within = timedelta(minutes=settings.WORKER_HEARTBEAT_MINUTES)
    schedule = Schedule.objects.filter(name=HEARTBEAT).only("next_run").first()
    return bool(schedule and schedule.next_run and schedule.next_run > timezone.now() - within)
