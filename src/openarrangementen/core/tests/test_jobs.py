"""The worker (issue #23): real `manage.py qcluster` processes on PostgreSQL. A final
beschikking's WMO301 over HTTP is queued, not sent inside the request; two workers racing
over the same due messages (their schedulers and the queued tasks) deliver each exactly
once to a provider whose software answers slowly.

PostgreSQL only: the worker processes must reach the test database, and SQLite's test
database lives in the test process's memory. The PostgreSQL run of scripts/test.sh runs it."""

import http.server
import subprocess
import sys
import threading
import time

from django.conf import settings as django_settings
from django.utils import timezone

import pytest
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.tasks import async_task

from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.core.demo import demo_bsn
from openarrangementen.core.jobs import install_schedules
from openarrangementen.iwmo import codec
from openarrangementen.iwmo.links import issue_outgoing_token
from openarrangementen.iwmo.models import Endpoint, Message, Side

from .processes import database_env, postgresql_only

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]
MESSAGES = 4


class _SlowProvider(http.server.BaseHTTPRequestHandler):
    """The provider's software: accepts after two seconds, and counts what it got."""

    received: list[str] = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(2)
        with self.lock:
            type(self).received.append(codec.parse(body).header.bericht_identificatie.identificatie)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_provider():
    _SlowProvider.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowProvider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/iwmo"
    server.shutdown()


def _worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=django_settings.REPO_DIR,
        env=database_env(WORKER_SYNC="false", WORKER_PROCESSES="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_deliver_each_queued_message_exactly_once(slow_provider, monkeypatch):
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    install_schedules()
    monkeypatch.setattr(Conf, "SYNC", False)  # the test settings run tasks at once
    link, _ = Endpoint.objects.update_or_create(
        provider=Provider.objects.get(agb_code="75000101"),
        region=Region.objects.get(slug="almere"),
        defaults={
            "service_user": flow.user("kade.werkverdeler"),
            "transport": Endpoint.Transport.HTTP,
            "url": slow_provider,
        },
    )
    issue_outgoing_token(link)

    almere = Municipality.objects.get(cbs_code="0034")
    for n in range(MESSAGES):
        inwoner = ClientFactory(
            municipality=almere,
            bsn=demo_bsn(700 + n),
            gender="2",
            street="Lindenlaan",
            house_number=20 + n,
            postcode="1324 AB",
            city="Almere",
        )
        flow.advance(
            flow.new_melding(client=inwoner, question="Hulp bij de administratie."),
            TrajectStatus.DECIDED,
        )

    # The approving requests only queued the sends: nothing went out yet.
    outgoing = Message.objects.filter(code="301", side=Side.MUNICIPALITY)
    assert outgoing.count() == MESSAGES
    assert set(outgoing.values_list("status", flat=True)) == {Message.Status.VALIDATED}
    assert OrmQ.objects.count() == MESSAGES
    assert _SlowProvider.received == []
    # ... the scheduled sender is due as well, and three more sweeps over everything due
    # are queued: four worker processes will reach for the same messages at once.
    Schedule.objects.filter(name="iwmo-versturen").update(next_run=timezone.now())
    for _ in range(3):
        async_task("openarrangementen.iwmo.exchange.dispatch_pending")

    workers = [_worker(), _worker()]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not outgoing.exclude(status=Message.Status.SENT).exists():
                break
            assert all(w.poll() is None for w in workers), workers[0].stderr.read()[-3000:]
            time.sleep(0.5)
        time.sleep(2)  # let any second delivery that was under way arrive
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    assert set(outgoing.values_list("status", flat=True)) == {Message.Status.SENT}
    identifications = sorted(outgoing.values_list("identification", flat=True))
    assert sorted(_SlowProvider.received) == identifications  # each once, none twice
    assert set(outgoing.values_list("attempts", flat=True)) == {1}
