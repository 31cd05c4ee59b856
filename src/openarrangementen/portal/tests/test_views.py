"""HTTP-level tests of the portal and the beheer site with the demo data, one per role."""

from datetime import date

from django.urls import reverse

import pytest

from openarrangementen.accounts.models import User
from openarrangementen.catalog.models import CatalogVersion, Level, LevelPrice
from openarrangementen.clients.models import Client
from openarrangementen.core.demo import DEMO_PASSWORD
from openarrangementen.core.models import AccessLog

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_login_with_a_demo_account_lands_on_the_start_page(client, demo):
    response = client.post(
        reverse("login"), {"username": "almere.pa", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "Procesregisseur / Wmo-consulent" in response.text


def test_wrong_password_gets_a_dutch_message(client, demo):
    response = client.post(reverse("login"), {"username": "almere.pa", "password": "fout"})
    assert response.status_code == 200
    assert "gebruikersnaam en wachtwoord klopt niet" in response.text


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("almere.wijkwerker", "Inwoners zoeken"),
        ("mlw.pa", "toegang tot de gegevens van 3 inwoners"),
        ("leiden.collega-pa", "Collega-procesregisseur (vierogen)"),
        ("almere.contractmanager", "Lopende contracten in uw regio"),
        ("leiden.beheerder", "Naar beheer"),
        ("kade.contactpersoon", "geen toegang tot gegevens van cliënten"),
        ("kade.werkverdeler", "Contracten van uw organisatie"),
        ("sleutelstad.begeleider", "Samenwerkingsverband Sleutelstad Netwerk"),
        ("brug.administratie", "Stichting De Brug"),
        ("almere.inwoner", "Mijn gegevens"),
    ],
)
def test_start_page_per_role(client, demo, username, expected):
    response = login(client, username).get(reverse("portal:home"))
    assert response.status_code == 200
    assert expected in response.text


def test_start_page_of_inwoner_is_access_logged(client, demo):
    login(client, "almere.inwoner").get(reverse("portal:home"))
    log = AccessLog.objects.get()
    assert log.object_type == "clients.Client"
    assert log.purpose.startswith("eigen gegevens")


@pytest.mark.parametrize(
    ("username", "slug", "facts"),
    [
        ("almere.pa", "almere", ["Lichamelijke achteruitgang", "4A", "Niveau 3", "36 tot 60"]),
        (
            "mlw.wijkwerker",
            "midden-limburg-west",
            ["Categorie 2 – Aanvullend", "€ 150,00 per 4 weken", "1½ jaar", "Rolstoelvervoer"],
        ),
        ("leiden.pa", "leidse-regio", ["Geldzaken", "nog te bepalen", "Trede 5", "Leiderdorp"]),
    ],
)
def test_catalog_page_shows_the_regional_variant(client, demo, username, slug, facts):
    response = login(client, username).get(reverse("portal:catalog-detail", args=[slug]))
    assert response.status_code == 200
    for fact in facts:
        assert fact in response.text


def test_catalog_of_another_region_is_not_found(client, demo):
    response = login(client, "almere.pa").get(
        reverse("portal:catalog-detail", args=["leidse-regio"])
    )
    assert response.status_code == 404


def test_provider_browses_catalog_of_regions_where_it_is_contracted(client, demo):
    login(client, "kade.begeleider")
    response = client.get(reverse("portal:catalog-index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:catalog-detail", args=["almere"])


def test_catalog_on_a_date_before_any_version(client, demo):
    url = reverse("portal:catalog-detail", args=["almere"])
    response = login(client, "almere.pa").get(url, {"datum": "2020-01-01"})
    assert "gold er geen catalogus" in response.text


def test_catalog_shows_the_tariff_in_force_on_the_chosen_date(client, demo):
    level = Level.objects.get(
        arrangement__catalog_version__region__slug="almere", arrangement__code="2", code="N1"
    )
    price = level.prices.get(kind="tariff")
    price.valid_to = date(2025, 12, 31)
    price.save()
    LevelPrice.objects.create(
        level=level, kind="tariff", amount="777.00", period="4w", valid_from=date(2026, 1, 1)
    )
    url = reverse("portal:catalog-detail", args=["almere"])
    login(client, "almere.pa")
    assert "€ 777,00" in client.get(url, {"datum": "2026-03-01"}).text
    assert "€ 777,00" not in client.get(url, {"datum": "2025-03-01"}).text


def test_bad_date_gets_a_dutch_error(client, demo):
    url = reverse("portal:catalog-detail", args=["almere"])
    response = login(client, "almere.pa").get(url, {"datum": "31-02-2026x"})
    assert "Vul een geldige datum in" in response.text
    assert 'aria-describedby="id_datum-help id_datum-error"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_client_list_logs_every_client_shown(client, demo):
    response = login(client, "almere.wijkwerker").get(reverse("portal:client-list"))
    assert response.status_code == 200
    shown = Client.objects.filter(municipality__cbs_code="0034")
    (row,) = AccessLog.objects.filter(action="list")  # one row per page (issue #14)
    assert sorted(row.client_ids) == sorted(shown.values_list("pk", flat=True))
    assert len(row.client_ids) == 6
    assert "••••••" in response.text  # BSN masked in lists


def test_client_search_by_bsn(client, demo):
    target = Client.objects.get(family_name="El Amrani")
    response = login(client, "almere.pa").get(reverse("portal:client-list"), {"q": target.bsn})
    assert "El Amrani" in response.text
    assert "Bakker" not in response.text


def test_client_detail_shows_household_and_representative(client, demo):
    johanna = Client.objects.get(given_names="Johanna Maria")
    response = login(client, "almere.pa").get(reverse("portal:client-detail", args=[johanna.pk]))
    assert "Huishouden de Vries" in response.text
    assert "H. de Vries" in response.text
    assert "MEE" in response.text
    assert AccessLog.objects.filter(action="view", object_id=str(johanna.pk)).exists()


@pytest.mark.parametrize("username", ["almere.contractmanager", "kade.begeleider", "mlw.pa"])
def test_client_of_another_municipality_or_role_is_not_found(client, demo, username):
    johanna = Client.objects.get(given_names="Johanna Maria")
    response = login(client, username).get(reverse("portal:client-detail", args=[johanna.pk]))
    assert response.status_code == 404


# The beheer (admin) site


def test_functioneel_beheerder_sees_only_the_own_region_in_beheer(client, demo):
    login(client, "almere.beheerder")
    response = client.get(reverse("admin:catalog_catalogversion_changelist"))
    assert response.status_code == 200
    assert "Ondersteuningsarrangementen 2024" in response.text
    assert "Wmo-arrangementen 2023" not in response.text
    leiden = CatalogVersion.objects.get(region__slug="leidse-regio")
    response = client.get(reverse("admin:catalog_catalogversion_change", args=[leiden.pk]))
    assert response.status_code == 302  # not found in the user's queryset: back to the index


def test_contract_manager_manages_prices_but_not_lots(client, demo):
    login(client, "mlw.contractmanager")
    assert client.get(reverse("admin:catalog_levelprice_add")).status_code == 200
    assert client.get(reverse("admin:catalog_lot_add")).status_code == 403
    assert client.get(reverse("admin:contracting_contract_add")).status_code == 200


def test_beheer_is_closed_to_staff_without_a_beheer_role(client, demo):
    response = login(client, "almere.pa").get(reverse("admin:index"))
    assert response.status_code == 302


def test_functioneel_beheerder_cannot_make_superusers(client, demo):
    login(client, "almere.beheerder")
    target = User.objects.get(username="almere.wijkwerker")
    response = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.text
    leiden_user = User.objects.get(username="leiden.wijkwerker")
    response = client.get(reverse("admin:accounts_user_change", args=[leiden_user.pk]))
    assert response.status_code == 302


def test_bad_input_in_beheer_gets_a_dutch_message_and_saves_nothing(client, demo):
    login(client, "leiden.contractmanager")
    from openarrangementen.accounts.models import Provider

    before = Provider.objects.count()
    response = client.post(
        reverse("admin:accounts_provider_add"), {"name": "Nieuwe aanbieder", "agb_code": "12AB"}
    )
    assert response.status_code == 200
    assert "Een AGB-code bestaat uit precies 8 cijfers." in response.text
    assert Provider.objects.count() == before


def test_client_search_by_postcode(client, demo):
    response = login(client, "leiden.pa").get(reverse("portal:client-list"), {"q": "2342ag"})
    assert "Smit" in response.text
    assert "Berg" not in response.text


def test_catalog_shows_the_chosen_version(client, demo):
    from openarrangementen.catalog.services import catalog_version_start_next

    old = CatalogVersion.objects.get(region__slug="almere")
    catalog_version_start_next(previous=old, name="Arrangementen 2027", valid_from=date(2027, 1, 1))
    url = reverse("portal:catalog-detail", args=["almere"])
    login(client, "almere.pa")
    assert "Arrangementen 2027" not in client.get(url).text.split("<h2")[1]
    response = client.get(url, {"versie": CatalogVersion.objects.get(name="Arrangementen 2027").pk})
    assert "Geldig van 1 januari 2027" in response.text


@pytest.mark.parametrize("path", ["admin:accounts_region_add", "admin:catalog_supportform_add"])
def test_regions_and_support_forms_are_added_by_the_superuser_only(client, demo, path):
    assert login(client, "almere.beheerder").get(reverse(path)).status_code == 403
    User.objects.create_superuser("root", "root@demo.invalid", DEMO_PASSWORD)
    assert login(client, "root").get(reverse(path)).status_code == 200
