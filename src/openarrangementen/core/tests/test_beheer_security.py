"""The attacks of issue #13, replayed as a functioneel beheerder or contract manager would,
each expected to fail (ADR 0009)."""

import http.server
import threading

from django.contrib.auth.hashers import check_password
from django.urls import reverse

import pytest
from auditlog.models import LogEntry

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Provider, Region, RoleAssignment, User
from openarrangementen.cases.tests import flow
from openarrangementen.contracting.models import Contract
from openarrangementen.core.models import Notification
from openarrangementen.iwmo.links import (
    LinkError,
    folder_path,
    outgoing_token,
    resolve_url,
    token_digest,
)
from openarrangementen.iwmo.models import Endpoint
from openarrangementen.iwmo.transports import Folder, Http, TransportError

pytestmark = pytest.mark.usefixtures("demo")

FB = "almere.beheerder"
KADE = "75000101"  # De Kade, contracted in Almere only
MAAS = "75000201"  # Maas en Kempen, contracted in Midden-Limburg West only


def login(client, username):
    client.force_login(flow.user(username))
    return client


def region(slug):
    return Region.objects.get(slug=slug)


# --- accounts ---------------------------------------------------------------------------


@pytest.fixture
def root():
    return User.objects.create_superuser("root", "root@example.invalid", "root-password-1")


def test_the_superuser_cannot_be_seen_reset_or_changed_by_a_beheerder(client, root):
    login(client, FB)
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(password_url).status_code in {302, 404}
    client.post(password_url, {"password1": "Overgenomen-2026!", "password2": "Overgenomen-2026!"})
    root.refresh_from_db()
    assert check_password("root-password-1", root.password)
    assert not check_password("Overgenomen-2026!", root.password)
    change = reverse("admin:accounts_user_change", args=[root.pk])
    assert client.get(change).status_code == 302
    client.post(change, {"username": "root", "is_active": ""})
    root.refresh_from_db()
    assert root.is_active
    assert root.is_superuser
    listed = client.get(reverse("admin:accounts_user_changelist")).context["cl"].queryset
    assert root not in listed


def test_staff_and_roleless_users_of_elsewhere_are_not_the_beheerders(client):
    staff = User.objects.create_user("technisch", is_staff=True)
    roleless = User.objects.create_user("zwerver")  # no role, no region: nobody's but root's
    leiden = User.objects.create_user("leidenaar", home_region=region("leidse-regio"))
    mine = User.objects.create_user("nieuw-almere", home_region=region("almere"))
    both = User.objects.create_user("tweezijdig")
    RoleAssignment.objects.create(user=both, role=Role.WIJKWERKER, region=region("almere"))
    RoleAssignment.objects.create(user=both, role=Role.WIJKWERKER, region=region("leidse-regio"))
    listed = set(
        login(client, FB).get(reverse("admin:accounts_user_changelist")).context["cl"].queryset
    )
    assert mine in listed
    assert flow.user("almere.pa") in listed
    assert flow.user("kade.werkverdeler") in listed  # De Kade is contracted in Almere
    for outsider in [staff, roleless, leiden, both, flow.user("mlw.pa"), flow.user("leiden.pa")]:
        assert outsider not in listed, outsider.username
        url = reverse("admin:accounts_user_change", args=[outsider.pk])
        assert client.get(url).status_code == 302
    # The Leiden beheerder sees the Leiden account, not Almere's.
    leiden_listed = set(
        login(client, "leiden.beheerder")
        .get(reverse("admin:accounts_user_changelist"))
        .context["cl"]
        .queryset
    )
    assert leiden in leiden_listed
    assert mine not in leiden_listed


def test_a_user_made_in_beheer_belongs_to_the_beheerders_region_and_gets_no_flags(client):
    login(client, FB)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nieuwe.collega",
            "usable_password": "true",
            "password1": "Een-Lang-Wachtwoord-2026",
            "password2": "Een-Lang-Wachtwoord-2026",
            "is_superuser": "on",
            "is_staff": "on",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    made = User.objects.get(username="nieuwe.collega")
    assert made.home_region == region("almere")
    assert not made.is_superuser
    assert not made.is_staff
    assert client.get(reverse("admin:accounts_user_change", args=[made.pk])).status_code == 200


def test_contract_managers_do_not_manage_accounts(client):
    login(client, "almere.contractmanager")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


# --- providers --------------------------------------------------------------------------


def test_a_provider_contracted_elsewhere_only_cannot_be_renamed_from_almere(client):
    maas = Provider.objects.get(agb_code=MAAS)
    url = reverse("admin:accounts_provider_change", args=[maas.pk])
    for username in [FB, "almere.contractmanager"]:
        login(client, username)
        page = client.get(url)
        assert page.status_code == 200  # read: providers are national
        assert 'name="name"' not in page.text  # but not as a form
        client.post(url, {"name": "Overgenomen", "agb_code": "75999999"})
        maas.refresh_from_db()
        assert (maas.name, maas.agb_code) == ("Begeleiding Maas en Kempen", MAAS)


def test_the_registering_region_changes_its_provider_until_another_region_contracts_it(client):
    kade = Provider.objects.get(agb_code=KADE)
    url = reverse("admin:accounts_provider_change", args=[kade.pk])
    login(client, "almere.contractmanager")
    assert 'name="name"' in client.get(url).text
    # Midden-Limburg West contracts De Kade as well: from now on only the superuser.
    mlw_lot = Contract.objects.filter(lot__catalog_version__region__slug="midden-limburg-west")
    Contract.objects.create(provider=kade, lot=mlw_lot.first().lot, valid_from="2026-01-01")
    assert 'name="name"' not in client.get(url).text
    login(client, "mlw.contractmanager")
    assert 'name="name"' not in client.get(url).text


def test_a_new_provider_is_registered_by_the_adding_region(client):
    login(client, "almere.contractmanager")
    response = client.post(
        reverse("admin:accounts_provider_add"),
        {"name": "Nieuwe Zorg", "agb_code": "75000999", "registered_by": region("almere").pk},
    )
    assert response.status_code == 302
    assert Provider.objects.get(agb_code="75000999").registered_by == region("almere")
    response = client.post(
        reverse("admin:accounts_provider_add"),
        {"name": "Valse Zorg", "agb_code": "75000998", "registered_by": region("leidse-regio").pk},
    )
    assert response.status_code == 200  # another region is no valid choice
    assert not Provider.objects.filter(agb_code="75000998").exists()


def test_provider_changes_are_audit_logged(client):
    login(client, "almere.contractmanager")
    kade = Provider.objects.get(agb_code=KADE)
    client.post(
        reverse("admin:accounts_provider_change", args=[kade.pk]),
        {
            "name": "De Kade Begeleiding BV",
            "agb_code": KADE,
            "registered_by": kade.registered_by_id,
        },
    )
    kade.refresh_from_db()
    assert kade.name == "De Kade Begeleiding BV"
    assert LogEntry.objects.get_for_object(kade).filter(changes__icontains="BV").exists()


# --- iWmo links -------------------------------------------------------------------------


def test_a_beheerder_cannot_link_a_provider_of_another_region(client):
    login(client, FB)
    maas = Provider.objects.get(agb_code=MAAS)
    add = reverse("admin:iwmo_endpoint_add")
    page = client.get(add)
    offered = set(page.context["adminform"].form.fields["provider"].queryset)
    assert maas not in offered
    assert Provider.objects.get(agb_code=KADE) in offered
    response = client.post(
        add,
        {
            "region": region("midden-limburg-west").pk,
            "provider": maas.pk,
            "transport": "http",
            "url": "https://aanvaller.example/",
        },
    )
    assert response.status_code == 200
    assert not Endpoint.objects.exists()
    login(client, "almere.contractmanager")
    assert client.get(add).status_code == 403


def test_a_new_http_link_shows_both_tokens_once_stores_neither_and_tells_the_others(client):
    colleague = User.objects.create_user("almere.beheerder2", email="b2@example.invalid")
    RoleAssignment.objects.create(
        user=colleague, role=Role.FUNCTIONEEL_BEHEERDER, region=region("almere")
    )
    kade = Provider.objects.get(agb_code=KADE)
    login(client, FB)
    response = client.post(
        reverse("admin:iwmo_endpoint_add"),
        {
            "region": region("almere").pk,
            "provider": kade.pk,
            "transport": "http",
            "url": "http://127.0.0.1:9/iwmo",
        },
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    theirs = next(m for m in shown if "software van" in m).split(": ")[1].split(" ")[0]
    ours = next(m for m in shown if "meesturen" in m).split(": ")[1].split(" ")[0]
    link = Endpoint.objects.get(provider=kade)
    assert link.token_digest == token_digest(theirs)
    assert outgoing_token(link) == ours
    stored = " ".join(str(v) for v in Endpoint.objects.filter(pk=link.pk).values().get().values())
    assert theirs not in stored
    assert ours not in stored
    page = client.get(reverse("admin:iwmo_endpoint_change", args=[link.pk])).text
    assert theirs not in page
    assert ours not in page
    assert LogEntry.objects.get_for_object(link).exists()
    assert ours not in str(list(LogEntry.objects.values_list("changes", flat=True)))
    told = Notification.objects.filter(recipient=colleague)
    assert told.filter(subject__contains="iWmo-koppeling aangemaakt").exists()
    assert not Notification.objects.filter(recipient=flow.user("mlw.beheerder")).exists()


def test_the_folder_link_stays_inside_the_base_folder(settings, tmp_path):
    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    assert folder_path("almere/de-kade") == tmp_path / "almere" / "de-kade"
    for bad in ["/etc", "../buiten", "almere/../../buiten", "", "a\\..\\b"]:
        with pytest.raises(LinkError):
            folder_path(bad)
    (tmp_path / "link").symlink_to("/tmp")
    with pytest.raises(LinkError, match="buiten de basismap"):
        folder_path("link")
    settings.IWMO_FOLDER_ROOT = None
    with pytest.raises(TransportError, match="geen basismap"):
        Folder("almere").deliver(None)


def test_a_folder_link_with_a_path_of_its_own_is_refused_in_the_form(client, settings, tmp_path):
    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    login(client, FB)
    response = client.post(
        reverse("admin:iwmo_endpoint_add"),
        {
            "region": region("almere").pk,
            "provider": Provider.objects.get(agb_code=KADE).pk,
            "transport": "map",
            "folder": "/var/lib/postgresql",
        },
    )
    assert response.status_code == 200
    assert "geen volledig pad" in response.text
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/iwmo",
        "https://localhost/iwmo",
        "https://10.1.2.3/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://0.0.0.0/",
    ],
)
def test_the_http_link_refuses_internal_addresses(settings, url):
    settings.IWMO_ALLOW_INTERNAL_ADDRESSES = False
    with pytest.raises(LinkError, match="intern of gereserveerd"):
        resolve_url(url)


def test_the_http_link_needs_https_and_a_clean_address(settings):
    settings.IWMO_ALLOW_INTERNAL_ADDRESSES = False
    with pytest.raises(LinkError, match="https://"):
        resolve_url("http://93.184.215.14/iwmo")
    with pytest.raises(LinkError, match="gebruikersnaam"):
        resolve_url("https://a:b@93.184.215.14/")
    assert resolve_url("https://93.184.215.14/iwmo") == (
        "https",
        "93.184.215.14",
        443,
        "93.184.215.14",
    )


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_link_saved_while_allowed_still_cannot_reach_an_internal_address(settings):
    """Checked again at delivery: nothing is sent to a loopback server once not allowed."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.IWMO_ALLOW_INTERNAL_ADDRESSES = False
        with pytest.raises(TransportError, match="intern"):
            Http(f"https://127.0.0.1:{server.server_port}/", "t").deliver(None)
        assert _Counter.hits == 0
    finally:
        server.shutdown()


# --- found in review: roles, mixed roles, delete pages, folders, filters -----------------


def _user_change_data(user, rows: list[dict]) -> dict:
    data = {
        "username": user.username,
        "is_active": "on",
        "home_region": user.home_region_id or "",
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"role_assignments-{i}-{key}"] = value
    return data


def test_a_beheerder_cannot_change_their_own_roles(client):
    me = flow.user(FB)
    login(client, FB)
    page = client.get(reverse("admin:accounts_user_change", args=[me.pk]))
    assert page.status_code == 200
    formsets = page.context["inline_admin_formsets"]
    assert all(not f.has_add_permission and not f.has_change_permission for f in formsets)
    before = set(me.role_assignments.values_list("role", "region_id"))
    client.post(
        reverse("admin:accounts_user_change", args=[me.pk]),
        _user_change_data(me, [{"role": "procesregisseur", "region": region("almere").pk}]),
    )
    assert set(me.role_assignments.values_list("role", "region_id")) == before


@pytest.mark.parametrize(
    "row",
    [
        {"role": "inwoner"},  # no organisation: would hide the account from every region
        {"role": "werkverdeler", "provider": "MAAS"},  # a provider of another region
        {"role": "werkverdeler", "provider": "KADE_TOO"},  # contracted here and elsewhere
    ],
)
def test_roles_outside_the_region_cannot_be_given(client, row):
    target = User.objects.create_user("nieuw.almere", home_region=region("almere"))
    kade = Provider.objects.get(agb_code=KADE)
    if row.get("provider") == "KADE_TOO":
        lot = Contract.objects.filter(lot__catalog_version__region__slug="leidse-regio").first()
        Contract.objects.create(provider=kade, lot=lot.lot, valid_from="2026-01-01")
        row = {**row, "provider": kade.pk}
    elif row.get("provider") == "MAAS":
        row = {**row, "provider": Provider.objects.get(agb_code=MAAS).pk}
    login(client, FB)
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]), _user_change_data(target, [row])
    )
    assert response.status_code == 200  # the form comes back with the reason
    assert not target.role_assignments.exists()


def test_staff_of_a_provider_shared_with_another_region_is_neither_regions_alone(client):
    kade = Provider.objects.get(agb_code=KADE)
    lot = Contract.objects.filter(lot__catalog_version__region__slug="leidse-regio").first()
    Contract.objects.create(provider=kade, lot=lot.lot, valid_from="2026-01-01")
    worker = flow.user("kade.werkverdeler")
    for username in [FB, "leiden.beheerder"]:
        listed = login(client, username).get(reverse("admin:accounts_user_changelist"))
        assert worker not in set(listed.context["cl"].queryset), username
        password = reverse("admin:auth_user_password_change", args=[worker.pk])
        assert client.get(password).status_code in {302, 404}


def test_one_roles_regions_never_give_another_roles_rights(client):
    """FB in Almere and contract manager in Midden-Limburg: manages Almere's links and
    configuration only, and gives no Midden-Limburg roles."""
    mixed = User.objects.create_user("gemengd")
    RoleAssignment.objects.create(
        user=mixed, role=Role.FUNCTIONEEL_BEHEERDER, region=region("almere")
    )
    RoleAssignment.objects.create(
        user=mixed, role=Role.CONTRACTMANAGER, region=region("midden-limburg-west")
    )
    maas = Endpoint.objects.create(
        provider=Provider.objects.get(agb_code=MAAS), region=region("midden-limburg-west")
    )
    client.force_login(mixed)
    url = reverse("admin:iwmo_endpoint_change", args=[maas.pk])
    assert client.get(url).status_code == 302
    client.post(url, {"region": maas.region_id, "provider": maas.provider_id,
                      "transport": "http", "url": "https://aanvaller.example/"})  # fmt: skip
    maas.refresh_from_db()
    assert maas.url == ""
    rule = region("midden-limburg-west").deadline_rules.first()
    page = client.get(reverse("admin:cases_deadlinerule_change", args=[rule.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # read only: the CM views, the FB role is elsewhere
    add = client.get(reverse("admin:iwmo_endpoint_add"))
    assert set(add.context["adminform"].form.fields["region"].queryset) == {region("almere")}


def test_a_delete_page_counts_what_stays_and_names_no_inwoner(client):
    almere = flow.verbeek().municipality
    login(client, FB)
    page = client.get(reverse("admin:accounts_municipality_delete", args=[almere.pk]))
    assert page.status_code == 200
    assert "Verbeek" not in page.text
    assert "inwoners" in page.text


def test_a_folder_link_lies_under_its_regions_name_and_claims_no_other_folder(settings, tmp_path):
    from openarrangementen.iwmo.links import link_errors

    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    kade = Provider.objects.get(agb_code=KADE)
    maas = Provider.objects.get(agb_code=MAAS)
    Endpoint.objects.create(
        provider=maas, region=region("midden-limburg-west"), transport="map",
        folder="midden-limburg-west/maas",
    )  # fmt: skip
    mine = Endpoint(provider=kade, region=region("almere"), transport="map")
    for folder, expected in [
        ("midden-limburg-west/maas", "korte naam"),
        ("kade", "korte naam"),
        ("almere/kade", None),
    ]:
        mine.folder = folder
        message = link_errors(mine).get("folder", "")
        assert (expected in message) if expected else message == "", folder
    Endpoint.objects.create(
        provider=maas, region=region("almere"), transport="map", folder="almere"
    )
    mine.folder = "almere/kade"
    assert "al van een andere koppeling" in link_errors(mine)["folder"]


def test_a_symlinked_subfolder_is_neither_written_nor_read(settings, tmp_path):
    import io

    from django.core.management import call_command

    settings.IWMO_FOLDER_ROOT = str(tmp_path / "root")
    link = tmp_path / "root" / "almere"
    link.mkdir(parents=True)
    outside = tmp_path / "buiten"
    outside.mkdir()
    (link / "naar-aanbieder").symlink_to(outside)
    (outside / "geheim.xml").write_text("<x/>")
    (link / "van-aanbieder").symlink_to(outside)

    class Row:
        side, code, sender_code, identification, xml = "gemeente", "301", "0034", "1", "<x/>"

    with pytest.raises(TransportError, match="buiten de basismap"):
        Folder("almere").deliver(Row())
    assert [p.name for p in outside.iterdir()] == ["geheim.xml"]
    Endpoint.objects.create(
        provider=Provider.objects.get(agb_code=KADE), region=region("almere"),
        transport="map", folder="almere",
    )  # fmt: skip
    err = io.StringIO()
    call_command("iwmo_folder_pickup", stdout=io.StringIO(), stderr=err)
    assert "buiten de map" in err.getvalue()
    assert (outside / "geheim.xml").exists()


def test_a_provider_in_another_regions_partnership_is_not_the_registering_regions_alone(
    client,
):
    from openarrangementen.contracting.models import Partnership, PartnershipMember

    kade = Provider.objects.get(agb_code=KADE)
    partnership = Partnership.objects.filter(region__slug="leidse-regio").first()
    PartnershipMember.objects.create(partnership=partnership, provider=kade)
    login(client, "almere.contractmanager")
    page = client.get(reverse("admin:accounts_provider_change", args=[kade.pk]))
    assert 'name="name"' not in page.text


def test_list_filters_offer_only_the_own_regions(client):
    login(client, FB)
    page = client.get(reverse("admin:cases_deadlinerule_changelist"))
    assert "Almere" in page.text
    assert "Leidse regio" not in page.text
    assert "Midden-Limburg" not in page.text
