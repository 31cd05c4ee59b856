"""Recording an inwoner's representatives (issue #21, ADR 0011): the municipality's staff
record a legal representative with their BSN, so that person can sign in with DigiD and act
for the inwoner; others cannot, and every change is in the audit log."""

import pytest
from auditlog.models import LogEntry

from openarrangementen.accounts.models import User
from openarrangementen.clients.models import Client, Representative
from openarrangementen.core.demo import demo_bsn

pytestmark = pytest.mark.usefixtures("demo")

REPRESENTATIVE_BSN = demo_bsn(500)


def hendrik() -> Client:
    return Client.objects.get(given_names="Hendrik", family_name="Vries")


def form(**changes) -> dict:
    return {
        "kind": "legal",
        "legal_basis": "08",
        "name": "Mr. K. Visser",
        "organisation": "Visser Mentorschap",
        "relation": "mentor",
        "phone": "",
        "email": "",
        "bsn": REPRESENTATIVE_BSN,
    } | changes


def test_a_pa_records_a_legal_representative_with_their_bsn(client):
    client.force_login(User.objects.get(username="almere.pa"))
    inwoner = hendrik()
    page = client.get(f"/inwoners/{inwoner.pk}/")
    assert f"/inwoners/{inwoner.pk}/vertegenwoordiger/nieuw/" in page.content.decode()

    answer = client.post(f"/inwoners/{inwoner.pk}/vertegenwoordiger/nieuw/", form())

    assert answer.status_code == 302
    saved = Representative.objects.get(client=inwoner, bsn=REPRESENTATIVE_BSN)
    assert (saved.kind, saved.legal_basis, saved.name) == ("legal", "08", "Mr. K. Visser")
    assert LogEntry.objects.get_for_object(saved).filter(action=LogEntry.Action.CREATE).exists()

    client.post(f"/inwoners/{inwoner.pk}/vertegenwoordiger/{saved.pk}/verwijderen/")
    assert not Representative.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bsn": "123456780"}, "11-proef"),
        ({"kind": "contact", "legal_basis": ""}, "Alleen een wettelijk vertegenwoordiger"),
        ({"legal_basis": ""}, "Kies de grondslag"),
        ({"name": ""}, "Vul de naam in."),
        ({"bsn": demo_bsn(1)}, "Dit is het BSN van de inwoner zelf."),
    ],
)
def test_wrong_input_is_explained_and_nothing_is_saved(client, changes, message):
    client.force_login(User.objects.get(username="almere.pa"))
    inwoner = hendrik()
    assert inwoner.bsn == demo_bsn(1)
    before = Representative.objects.count()

    answer = client.post(f"/inwoners/{inwoner.pk}/vertegenwoordiger/nieuw/", form(**changes))

    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert Representative.objects.count() == before


@pytest.mark.parametrize("username", ["almere.inwoner", "almere.beheerder", "mlw.pa"])
def test_others_cannot_record_representatives(client, username):
    client.force_login(User.objects.get(username=username))
    inwoner = hendrik()

    answer = client.post(f"/inwoners/{inwoner.pk}/vertegenwoordiger/nieuw/", form())

    assert answer.status_code == 404
    assert not Representative.objects.filter(bsn=REPRESENTATIVE_BSN).exists()
