"""The visibility selector is security code: one test per kind of actor."""

from django.core.exceptions import ValidationError
from django.http import Http404

import pytest
from auditlog.models import LogEntry

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.tests.factories import (
    MunicipalityFactory,
    ProviderFactory,
    UserFactory,
    user_with_role,
)
from openarrangementen.clients.selectors import (
    client_get_visible_to,
    client_list_visible_to,
    household_members_visible_to,
)
from openarrangementen.clients.tests.factories import ClientFactory, RepresentativeFactory
from openarrangementen.core.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    here = MunicipalityFactory()
    neighbour = MunicipalityFactory(region=here.region)
    elsewhere = MunicipalityFactory()
    return {
        "here": here,
        "neighbour": neighbour,
        "elsewhere": elsewhere,
        "client_here": ClientFactory(municipality=here),
        "client_neighbour": ClientFactory(municipality=neighbour),
        "client_elsewhere": ClientFactory(municipality=elsewhere),
    }


def visible(actor):
    return set(client_list_visible_to(actor=actor))


@pytest.mark.parametrize("role", [Role.WIJKWERKER, Role.PROCESREGISSEUR, Role.COLLEGA_PA])
def test_municipality_staff_see_clients_of_their_municipality_only(world, role):
    actor = user_with_role(role, municipality=world["here"])
    assert visible(actor) == {world["client_here"]}


def test_region_wide_pa_sees_the_region_but_not_other_regions(world):
    actor = user_with_role(Role.PROCESREGISSEUR, region=world["here"].region)
    assert visible(actor) == {world["client_here"], world["client_neighbour"]}


@pytest.mark.parametrize("role", [Role.CONTRACTMANAGER, Role.FUNCTIONEEL_BEHEERDER])
def test_steering_and_configuring_roles_see_no_client_files(world, role):
    actor = user_with_role(role, region=world["here"].region)
    assert visible(actor) == set()


@pytest.mark.parametrize(
    "role", [Role.CONTACTPERSOON, Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE]
)
def test_provider_staff_see_no_clients_without_a_traject(world, role):
    actor = user_with_role(role, provider=ProviderFactory())
    assert visible(actor) == set()


def test_inwoner_sees_only_themselves(world):
    actor = user_with_role(Role.INWONER)
    world["client_here"].user = actor
    world["client_here"].save()
    assert visible(actor) == {world["client_here"]}


def test_superuser_and_user_without_roles_see_nothing(world):
    assert visible(UserFactory(is_superuser=True)) == set()
    assert visible(UserFactory()) == set()


def test_inactive_user_sees_nothing(world):
    actor = user_with_role(Role.WIJKWERKER, municipality=world["here"])
    actor.is_active = False
    actor.save()
    assert visible(actor) == set()


def test_reading_one_client_is_logged_with_purpose(world):
    actor = user_with_role(Role.WIJKWERKER, municipality=world["here"])
    client = client_get_visible_to(
        actor=actor, pk=world["client_here"].pk, purpose="dossier", path="/inwoners/1/"
    )
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.object_id, log.client_id, log.purpose) == (
        actor,
        "view",
        str(client.pk),
        str(client.pk),
        "dossier",
    )
    assert log.actor_roles == "wijkwerker"


def test_reading_an_invisible_client_is_a_404_logged_as_a_refusal_not_a_read(world):
    actor = user_with_role(Role.WIJKWERKER, municipality=world["here"])
    with pytest.raises(Http404):
        client_get_visible_to(actor=actor, pk=world["client_elsewhere"].pk, purpose="x")
    assert not AccessLog.objects.exclude(action="refused").exists()
    refusal = AccessLog.objects.get()
    assert (refusal.actor, refusal.object_type) == (actor, "clients.Client")
    assert refusal.client_id == str(world["client_elsewhere"].pk)  # for the auditor
    assert refusal.purpose == "geweigerd: x"


def test_household_members_are_linked_and_filtered_by_visibility(world):
    first = ClientFactory(municipality=world["here"], in_household=True)
    partner = ClientFactory(municipality=world["here"], household=first.household)
    actor = user_with_role(Role.PROCESREGISSEUR, municipality=world["here"])
    assert list(household_members_visible_to(actor=actor, client=first)) == [partner]
    outsider = user_with_role(Role.PROCESREGISSEUR, municipality=world["elsewhere"])
    assert list(household_members_visible_to(actor=outsider, client=first)) == []


def test_client_changes_are_audit_logged(world):
    client = world["client_here"]
    client.phone = "06-99999999"
    client.save()
    entry = LogEntry.objects.get_for_object(client).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["phone"][1] == "06-99999999"


def test_bad_bsn_and_postcode_are_refused_in_dutch(world):
    client = ClientFactory.build(municipality=world["here"], bsn="123456789", postcode="12 AB")
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "11-proef" in str(error.value.message_dict["bsn"])
    assert "postcode" in str(error.value.message_dict["postcode"]).lower()


def test_legal_representative_needs_a_legal_basis():
    representative = RepresentativeFactory.build(
        client=ClientFactory(), kind="legal", legal_basis=""
    )
    with pytest.raises(ValidationError, match="grondslag"):
        representative.full_clean()
    RepresentativeFactory(legal=True).full_clean()


def test_postcode_is_normalised_on_clean(world):
    client = ClientFactory.build(municipality=world["here"], postcode="1234ab")
    client.full_clean()
    assert client.postcode == "1234 AB"


def test_only_a_legal_representative_has_a_legal_basis():
    representative = RepresentativeFactory.build(
        client=ClientFactory(), kind="contact", legal_basis="07"
    )
    with pytest.raises(ValidationError, match="Alleen een wettelijk vertegenwoordiger"):
        representative.full_clean()
