"""Transports, the HTTP endpoint, retries and the commands, with real folders, a real HTTP
server on 127.0.0.1 and the demo data."""

import http.server
import io
import threading
import zipfile
from datetime import timedelta

from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

import pytest
import time_machine

from openarrangementen.accounts.models import Provider, Region
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.core.models import Notification
from openarrangementen.iwmo import codec, exchange, messages, schemas
from openarrangementen.iwmo.links import issue_outgoing_token, token_digest
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Endpoint, Message, Side
from openarrangementen.iwmo.services import send_assignments

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus
user = flow.user
KADE = "75000101"


def decided():
    return flow.advance(
        flow.new_melding(question="Hulp bij structuur en administratie."), S.DECIDED
    )


def endpoint(**fields) -> Endpoint:
    kade = Provider.objects.get(agb_code=KADE)
    row, _ = Endpoint.objects.update_or_create(
        provider=kade,
        region=Region.objects.get(slug="almere"),
        defaults={"service_user": user("kade.werkverdeler"), **fields},
    )
    return row


def start_xml(assignment: Assignment, identification="900000000001") -> bytes:
    obj = messages.start(
        assignment=assignment,
        begin_on=timezone.localdate(),
        identification=identification,
        dated_on=timezone.localdate(),
    )
    return codec.build(obj)


# --- folder ------------------------------------------------------------------------------


def test_folder_link_writes_the_301_and_reads_the_providers_305(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    endpoint(transport=Endpoint.Transport.FOLDER, folder="almere")
    tmp_path = tmp_path / "almere"  # the link's folder inside the base folder
    with django_capture_on_commit_callbacks(execute=True):
        traject = decided()
    written = list((tmp_path / "naar-aanbieder").glob("WMO301_*.xml"))
    assert len(written) == 1
    assert schemas.validate("301", codec.parse_xml(written[0].read_bytes())) == []
    sent = Message.objects.get(code="301", side=Side.MUNICIPALITY)
    assert sent.status == Message.Status.SENT
    assert sent.transport == "map"
    # The provider's software answers with a start.
    assignment = Assignment.objects.get(traject=traject)
    inbox = tmp_path / "van-aanbieder"
    inbox.mkdir()
    (inbox / "start.xml").write_bytes(start_xml(assignment))
    (inbox / "kapot.xml").write_bytes(b"<wmo305:Bericht")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("iwmo_folder_pickup", stdout=io.StringIO())
    assert (tmp_path / "verwerkt" / "start.xml").exists()
    assert "geen geldige XML" in (tmp_path / "geweigerd" / "kapot.xml.fout.txt").read_text()
    traject.refresh_from_db()
    assert traject.status_enum is S.ACTIVE
    assert traject.started_on == timezone.localdate()
    assert DeliveryReport.objects.get().assignment == assignment
    assert list((tmp_path / "naar-aanbieder").glob("WMO306_*.xml"))


def _folder_with_starts(tmp_path, settings, capture, count: int):
    """A folder link and `count` decided trajects whose starts the provider put in its
    folder, one file each."""
    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    endpoint(transport=Endpoint.Transport.FOLDER, folder="almere")
    folder = tmp_path / "almere"
    from openarrangementen.clients.tests.factories import ClientFactory

    clients = [flow.verbeek()] + [
        ClientFactory(
            municipality=flow.verbeek().municipality,
            family_name=f"Aydin{n}",
            street="Stationsstraat",
            house_number=n,
            postcode="1315 AB",
            city="Almere",
        )
        for n in range(1, count)
    ]
    with capture(execute=True):
        trajects = [
            flow.advance(flow.new_melding(client=c, question="Hulp bij het huishouden."), S.DECIDED)
            for c in clients
        ]
    inbox = folder / "van-aanbieder"
    inbox.mkdir()
    for n, traject in enumerate(trajects):
        assignment = Assignment.objects.get(traject=traject)
        (inbox / f"start-{n}.xml").write_bytes(start_xml(assignment, f"90000000000{n}"))
    return folder, trajects


def test_folder_pickup_receives_in_batches_and_a_duplicate_changes_nothing(
    tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue #14: files are received in batches (two here, 500 in the product); every
    file is checked and answered as one by one, and the same start twice is one start."""
    from openarrangementen.iwmo.management.commands import iwmo_folder_pickup

    monkeypatch.setattr(iwmo_folder_pickup, "BATCH_SIZE", 2)
    monkeypatch.setattr(exchange, "BATCH_SIZE", 2)
    folder, trajects = _folder_with_starts(
        tmp_path, settings, django_capture_on_commit_callbacks, 2
    )
    inbox = folder / "van-aanbieder"
    (inbox / "start-0-again.xml").write_bytes((inbox / "start-0.xml").read_bytes())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("iwmo_folder_pickup", stdout=out)
    assert out.getvalue().strip() == "3 verwerkt, 0 geweigerd."
    assert sorted(p.name for p in (folder / "verwerkt").iterdir()) == [
        "start-0-again.xml", "start-0.xml", "start-1.xml"
    ]  # fmt: skip
    assert not list(inbox.iterdir())
    assert DeliveryReport.objects.count() == 2  # the duplicate added nothing
    incoming = Message.objects.filter(side=Side.MUNICIPALITY, code="305", direction="in")
    assert incoming.count() == 2
    assert len(list((folder / "naar-aanbieder").glob("WMO306_*.xml"))) == 2
    for traject in trajects:
        traject.refresh_from_db()
        assert traject.status_enum is S.ACTIVE


def _failing_for(identification: str, monkeypatch):
    """The municipality's handling of a 305 fails (a stand-in for a bug or an outage) for
    the message with this identification."""
    from openarrangementen.iwmo import intake

    real = intake._record

    def record(row, obj, *args):
        if row.identification == identification:
            raise RuntimeError("stroomstoring")
        return real(row, obj, *args)

    monkeypatch.setattr(intake, "_record", record)


def test_a_batch_that_fails_halfway_leaves_the_data_as_it_was(
    tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    folder, trajects = _folder_with_starts(
        tmp_path, settings, django_capture_on_commit_callbacks, 2
    )
    _failing_for("900000000001", monkeypatch)  # the second file
    inbox = folder / "van-aanbieder"
    bodies = [(inbox / name).read_bytes() for name in ("start-0.xml", "start-1.xml")]
    with pytest.raises(RuntimeError):
        exchange.receive_batch(bodies, transport=Endpoint.Transport.FOLDER)
    assert not DeliveryReport.objects.exists()  # the first one's report is gone too
    assert not Message.objects.filter(code__in=["305", "306"]).exists()
    trajects[0].refresh_from_db()
    assert trajects[0].started_on is None


def test_the_pickup_sets_a_failing_file_aside_and_receives_the_others(
    tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """A file that fails on an unexpected error cannot block the files in its batch, nor
    itself be half processed: it goes to fout/ with the error; the next pickup skips it."""
    from openarrangementen.iwmo.management.commands import iwmo_folder_pickup

    monkeypatch.setattr(iwmo_folder_pickup, "BATCH_SIZE", 2)
    folder, trajects = _folder_with_starts(
        tmp_path, settings, django_capture_on_commit_callbacks, 2
    )
    _failing_for("900000000001", monkeypatch)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("iwmo_folder_pickup", stdout=out)
    assert out.getvalue().strip() == (
        "1 verwerkt, 0 geweigerd, 1 niet verwerkt door een fout (zie fout/)."
    )
    assert (folder / "verwerkt" / "start-0.xml").exists()
    assert (folder / "fout" / "start-1.xml").exists()
    assert "stroomstoring" in (folder / "fout" / "start-1.xml.fout.txt").read_text()
    assert DeliveryReport.objects.get().assignment.traject == trajects[0]
    assert not Message.objects.filter(identification="900000000001").exists()
    trajects[1].refresh_from_db()
    assert trajects[1].started_on is None
    out = io.StringIO()
    call_command("iwmo_folder_pickup", stdout=out)
    assert out.getvalue().strip() == "0 verwerkt, 0 geweigerd."


# --- HTTP --------------------------------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    status = 200
    bodies: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).bodies.append((self.headers["Authorization"], self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def provider_server():
    _Receiver.bodies = []
    _Receiver.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/iwmo", _Receiver
    server.shutdown()


def test_http_link_posts_with_the_token_and_retries_with_backoff_then_flags(provider_server):
    url, receiver = provider_server
    ours = issue_outgoing_token(endpoint(transport=Endpoint.Transport.HTTP, url=url))
    receiver.status = 503
    decided()  # on_commit does not run inside the test transaction: dispatch by hand
    assert exchange.dispatch_pending() == 1
    sent = Message.objects.get(code="301", side=Side.MUNICIPALITY)
    assert sent.status == Message.Status.VALIDATED
    assert sent.attempts == 1
    assert "HTTP 503" in sent.last_error
    assert exchange.dispatch_pending() == 0  # not due yet: 1 minute backoff
    for attempt in range(2, exchange.MAX_ATTEMPTS + 1):
        with time_machine.travel(timezone.now() + timedelta(hours=attempt * 3), tick=False):
            assert exchange.dispatch_pending() == 1
    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED
    assert sent.needs_attention
    assert Notification.objects.filter(subject__contains="niet verzonden").exists()
    # fixed: resend by hand
    receiver.status = 200
    sent = exchange.resend(sent)
    assert sent.status == Message.Status.SENT
    assert not sent.needs_attention
    token, body = receiver.bodies[-1]
    assert token == f"Bearer {ours}"
    assert codec.parse(body).header.bericht_code == "414"


def test_http_endpoint_receives_with_a_token_and_answers_with_the_retour():
    token = "provider-token-123"
    endpoint(transport=Endpoint.Transport.HTTP, url="", token_digest=token_digest(token))
    traject = decided()
    assignment = Assignment.objects.get(traject=traject)
    web = HttpClient()
    url = "/api/iwmo/berichten/"
    body = start_xml(assignment)
    assert web.post(url, body, content_type="application/xml").status_code == 401
    wrong = web.post(url, body, content_type="application/xml", HTTP_AUTHORIZATION="Bearer x")
    assert wrong.status_code == 401
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    bad = web.post(url, b"<niet-af", content_type="application/xml", **auth)
    assert bad.status_code == 400
    assert "geen geldige XML" in bad.content.decode()
    ok = web.post(url, body, content_type="application/xml", **auth)
    assert ok.status_code == 200
    assert ok["X-Iwmo-Duplicate"] == "0"
    retour = codec.parse(ok.content)
    assert codec.code_of(retour) == "306"
    assert retour.header.retour_codes == []
    again = web.post(url, body, content_type="application/xml", **auth)
    assert again.status_code == 200
    assert again["X-Iwmo-Duplicate"] == "1"
    assert again.content == ok.content
    assert DeliveryReport.objects.count() == 1


def test_http_endpoint_reads_a_body_up_to_its_own_limit(settings):
    """A body above Django's 2.5 MB default but within IWMO_MAX_MESSAGE_BYTES is read and
    checked (here: not XML); one above the limit gets 413."""
    token = "provider-token-456"
    endpoint(transport=Endpoint.Transport.HTTP, url="", token_digest=token_digest(token))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    web = HttpClient()
    url = "/api/iwmo/berichten/"
    three_mb = b"x" * (3 * 1024 * 1024)
    read = web.post(url, three_mb, content_type="application/xml", **auth)
    assert read.status_code == 400
    assert "geen geldige XML" in read.content.decode()
    settings.IWMO_MAX_MESSAGE_BYTES = 1024 * 1024
    too_big = web.post(url, three_mb, content_type="application/xml", **auth)
    assert too_big.status_code == 413
    assert "te groot" in too_big.content.decode()


def test_http_endpoint_refuses_a_message_for_another_provider():
    token = "provider-token-123"
    endpoint(transport=Endpoint.Transport.HTTP, token_digest=token_digest(token))
    traject = decided()
    assignment = Assignment.objects.get(traject=traject)
    assignment.provider = Provider.objects.exclude(agb_code=KADE).first()
    body = start_xml(assignment)
    response = HttpClient().post(
        "/api/iwmo/berichten/", body, content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 400
    assert not DeliveryReport.objects.exists()


# --- commands ----------------------------------------------------------------------------


def test_install_schemas_from_a_folder_and_from_the_zip(settings, tmp_path):
    source = settings.IWMO_SCHEMA_DIR
    target = tmp_path / "geinstalleerd"
    out = io.StringIO()
    call_command("install_iwmo_schemas", str(source), "--target", str(target), stdout=out)
    assert "15 schema's geïnstalleerd" in out.getvalue()
    assert (target / "WMO301.xsd").is_file()
    assert (target / "reference" / "regels").is_dir()
    archive = tmp_path / "iwmo-3.2.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in source.glob("*.xsd"):
            zipped.write(path, f"iWmo 3.2/XSD/{path.name}")
    target_zip = tmp_path / "uit-zip"
    call_command("install_iwmo_schemas", str(archive), "--target", str(target_zip), stdout=out)
    assert len(list(target_zip.glob("*.xsd"))) == 15
    settings.IWMO_SCHEMA_DIR = target_zip
    schemas.reset()
    assert schemas.schemas().bericht_codes["301"] == "414"
    schemas.reset()


def test_install_schemas_refuses_an_incomplete_set_and_an_unsafe_zip(settings, tmp_path):
    partial = tmp_path / "half"
    partial.mkdir()
    (partial / "basisschema.xsd").write_bytes(
        (settings.IWMO_SCHEMA_DIR / "basisschema.xsd").read_bytes()
    )
    with pytest.raises(CommandError, match="ontbreekt: WMO301.xsd"):
        call_command("install_iwmo_schemas", str(partial), "--target", str(tmp_path / "t"))
    archive = tmp_path / "kwaad.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../../buiten.xsd", "<x/>")
    with pytest.raises(CommandError, match="Onveilig pad"):
        call_command("install_iwmo_schemas", str(archive), "--target", str(tmp_path / "t"))
    assert not (tmp_path / "t").exists()


def test_missing_schemas_keep_the_beschikking_and_the_assignment_but_send_nothing(
    settings, tmp_path
):
    settings.IWMO_SCHEMA_DIR = tmp_path
    schemas.reset()
    traject = decided()
    assert traject.status_enum is S.DECIDED
    assignment = Assignment.objects.get(traject=traject)
    assert assignment.changed_since_sent
    assert assignment.last_message is None
    assert not Message.objects.exists()
    with pytest.raises(schemas.SchemasMissing, match="niet geïnstalleerd"):
        send_assignments(
            municipality=assignment.municipality, provider=assignment.provider,
            client=assignment.client,
        )  # fmt: skip


def test_no_start_within_the_term_signals_the_pa_once():
    traject = decided()
    assert traject.iwmo_messages.filter(code="301").exists()
    assert call_command("signal_missing_starts", stdout=io.StringIO()) is None
    assert not Notification.objects.filter(subject__startswith="Geen start").exists()
    with time_machine.travel(timezone.now() + timedelta(days=21), tick=False):
        call_command("signal_missing_starts", stdout=io.StringIO())
        call_command("signal_missing_starts", stdout=io.StringIO())
    signals = Notification.objects.filter(
        subject=f"Geen start ontvangen voor traject {traject.number}"
    )
    assert signals.count() >= 1
    assert Assignment.objects.get(traject=traject).start_overdue_signalled_on is not None
    recipients = set(signals.values_list("recipient", flat=True))
    assert signals.count() == len(recipients)  # once per recipient, not per run
