"""Logs as JSON lines with a request id, never with personal data (issue #23). The journey
below is what a day's work writes to the log: searches by name, the inwoner's file, a
traject from melding to start with its iWmo messages, a wrong password typed as a BSN, a page
that does not exist. Every line the product's loggers write is captured with the production
formatter and searched for the demo's BSNs and names (from core/demo.py's fictitious
inwoners: expectations by hand, not from the code that logs)."""

import io
import json
import logging

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.core.demo import demo_bsn
from openarrangementen.core.logs import JsonFormatter, request_id, scrub

pytestmark = pytest.mark.usefixtures("demo")

DEMO_NAMES = ["Verbeek", "Thao", "Johanna", "Hendrik", "Vries"]


def test_a_bsn_is_scrubbed_and_other_numbers_stay():
    assert scrub(f"client {demo_bsn(0)} here") == "client [bsn] here"
    assert scrub("bericht 000000000004 en 123456780") == "bericht 000000000004 en 123456780"
    assert scrub("1234567890") == "1234567890"  # ten digits: not a BSN


@pytest.fixture
def log_lines():
    """Every record at the configured levels, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_days_work_logs_no_bsn_and_no_name(client, log_lines, django_capture_on_commit_callbacks):
    verbeek = Client.objects.get(family_name="Verbeek")
    # A wrong password typed as a BSN (people do): refused and logged by django-axes.
    client.post("/inloggen/", {"username": verbeek.bsn, "password": "fout"})
    client.force_login(flow.user("almere.pa"))
    client.get("/inwoners/", {"q": "Verbeek"})
    client.get(f"/inwoners/{verbeek.pk}/")
    client.get("/inwoners/99999999/")  # not found: django.request warns
    with django_capture_on_commit_callbacks(execute=True):
        traject = flow.advance(flow.new_melding(), TrajectStatus.ACTIVE)
    client.get(f"/trajecten/{traject.pk}/")

    lines = log_lines()
    text = json.dumps(lines, ensure_ascii=False)
    assert any(line["logger"] == "django.request" for line in lines), "nothing was logged"
    for bsn in [demo_bsn(n) for n in range(12)] + [verbeek.bsn]:
        assert bsn not in text, f"BSN {bsn} in the log"
    for name in DEMO_NAMES:
        assert name not in text, f"{name} in the log"
    # The lines written during a request carry its id, the same in the response header.
    not_found = next(line for line in lines if "99999999" in line["message"])
    assert len(not_found["request_id"]) == 32


def test_the_request_id_is_taken_from_the_load_balancer_or_made(client):
    given = client.get("/gezond/", headers={"X-Request-ID": "lb-4f2a9c1e"})
    assert given["X-Request-ID"] == "lb-4f2a9c1e"
    made = client.get("/gezond/", headers={"X-Request-ID": "<script>"})
    assert len(made["X-Request-ID"]) == 32
    assert made["X-Request-ID"] != given["X-Request-ID"]
    assert request_id.get() == ""  # cleared when the request ended
