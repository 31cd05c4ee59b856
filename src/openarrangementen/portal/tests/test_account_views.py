"""Account-request pages (issue #4): the contact person asks, the functioneel beheerder
decides; other roles get 404, and a contact person still sees no client data."""

import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from openarrangementen.accounts.domain import AccountRequestStatus, Role
from openarrangementen.accounts.models import AccountRequest, Provider, RoleAssignment, User
from openarrangementen.accounts.services import account_request_create
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow

pytestmark = pytest.mark.usefixtures("demo")

ORGANISATION = reverse("portal:account-organisation")
NEW = reverse("portal:account-request-new")
REVOKE = reverse("portal:account-revoke-new")
LIST = reverse("portal:account-request-list")
NEW_EMAIL = "nieuwe.collega@kade.example"


def login(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def kade() -> Provider:
    return Provider.objects.get(name="De Kade Begeleiding")


def form_data(**overrides) -> dict:
    return {
        "first_name": "Nina",
        "last_name": "Nieuw",
        "email": NEW_EMAIL,
        "roles": [Role.BEGELEIDER.value],
        "motivation": "Nieuwe collega.",
    } | overrides


def pending_request() -> AccountRequest:
    return account_request_create(
        actor=User.objects.get(username="kade.contactpersoon"),
        provider=kade(),
        first_name="Nina",
        last_name="Nieuw",
        email=NEW_EMAIL,
        roles=[Role.BEGELEIDER.value, Role.ADMINISTRATIE.value],
        motivation="Nieuwe collega.",
    )


def traject_url(traject: Traject) -> str:
    return reverse("portal:traject-detail", args=[traject.pk])


def detail(account_request: AccountRequest) -> str:
    return reverse("portal:account-request-detail", args=[account_request.pk])


# The contact person


def test_contact_person_sees_the_organisations_accounts_and_requests(client):
    pending_request()
    response = login(client, "kade.contactpersoon").get(ORGANISATION)
    assert response.status_code == 200
    page = response.text
    for username in ("kade.werkverdeler", "kade.begeleider", "kade.administratie"):
        assert username in page
    assert "anker.werkverdeler" not in page
    assert "geen toegang tot gegevens van cliënten" in page
    assert "Nina Nieuw" in page
    assert "In behandeling" in page
    assert "Begeleider / professional, Administratie" in page


def test_contact_person_requests_an_account(client):
    response = login(client, "kade.contactpersoon").post(NEW, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == ORGANISATION
    assert "Uw aanvraag voor een account voor Nina Nieuw is verstuurd" in response.text
    request = AccountRequest.objects.get()
    assert (request.provider, request.roles) == (kade(), [Role.BEGELEIDER.value])


def test_request_form_has_a_fieldset_for_the_roles(client):
    page = login(client, "kade.contactpersoon").get(NEW).text
    assert '<legend class="utrecht-form-fieldset__legend utrecht-form-label">Rollen</legend>' in (
        page
    )
    assert 'value="contactpersoon"' not in page
    assert 'name="provider"' not in page  # one organisation: nothing to choose


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "geen-adres"}, "Vul een geldig e-mailadres in, bijvoorbeeld"),
        ({"email": "kade.werkverdeler@demo.invalid"}, "Er bestaat al een actief account"),
        ({"roles": []}, "Kies ten minste één rol."),
        ({"roles": ["contactpersoon"]}, "Selecteer een geldige keuze"),
        ({"first_name": ""}, "Vul de voornaam in."),
        ({"motivation": ""}, "Geef een korte toelichting."),
    ],
)
def test_request_form_errors_are_shown_in_dutch(client, overrides, message):
    response = login(client, "kade.contactpersoon").post(NEW, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "Niet alles is goed ingevuld" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not AccountRequest.objects.exists()


def test_a_duplicate_pending_request_is_shown_at_the_email_field(client):
    pending_request()
    response = login(client, "kade.contactpersoon").post(NEW, form_data())
    assert "Voor dit e-mailadres loopt al een aanvraag." in response.text
    assert 'id="id_email-error"' in response.text
    assert AccountRequest.objects.count() == 1


def test_contact_person_requests_a_revocation(client):
    colleague = User.objects.get(username="kade.begeleider")
    login(client, "kade.contactpersoon")
    form = client.get(f"{REVOKE}?account={colleague.pk}").text
    assert re.search(rf'<option value="{colleague.pk}" selected>', form)
    assert "anker.begeleider" not in form
    response = client.post(
        REVOKE, {"account": colleague.pk, "motivation": "Uit dienst."}, follow=True
    )
    assert response.redirect_chain[-1][0] == ORGANISATION
    request = AccountRequest.objects.get()
    assert (request.kind, request.account) == ("revoke", colleague)


def test_revoking_someone_of_another_organisation_is_refused(client):
    outsider = User.objects.get(username="anker.begeleider")
    response = login(client, "kade.contactpersoon").post(
        REVOKE, {"account": outsider.pk, "motivation": "Uit dienst."}
    )
    assert response.status_code == 200
    assert "Dit account hoort niet bij uw organisatie." in response.text
    assert not AccountRequest.objects.exists()


def test_revocation_without_reason_is_refused(client):
    colleague = User.objects.get(username="kade.begeleider")
    response = login(client, "kade.contactpersoon").post(REVOKE, {"account": colleague.pk})
    assert "Geef de reden voor het intrekken." in response.text


def test_contact_person_of_two_providers_chooses_the_organisation(client):
    anker = Provider.objects.get(name="Thuishulp Het Anker")
    contact = User.objects.get(username="kade.contactpersoon")
    RoleAssignment.objects.create(user=contact, role=Role.CONTACTPERSOON.value, provider=anker)
    login(client, "kade.contactpersoon")
    assert "anker.werkverdeler" in client.get(ORGANISATION).text
    client.post(NEW, form_data(provider=anker.pk))
    assert AccountRequest.objects.get().provider == anker


def test_contact_person_still_sees_no_client_data(client):
    # A traject handed to De Kade (set directly: the hand-over itself is tested in plans).
    traject = flow.new_melding()
    Traject.objects.filter(pk=traject.pk).update(
        provider=kade(),
        status=TrajectStatus.WITH_PROVIDER.value,
        handed_to_provider_on=timezone.localdate(),
    )
    assert login(client, "almere.pa").get(traject_url(traject)).status_code == 200
    login(client, "kade.contactpersoon")
    assert client.get(traject_url(traject)).status_code == 404
    assert client.get(reverse("portal:client-list")).status_code == 404
    assert client.get(reverse("portal:client-detail", args=[traject.client_id])).status_code == 404
    assert traject.number not in client.get(ORGANISATION).text


# The functioneel beheerder


def test_beheerder_sees_pending_requests_of_the_region(client):
    request = pending_request()
    page = login(client, "almere.beheerder").get(LIST).text
    assert "De Kade Begeleiding" in page
    assert f'href="{detail(request)}"' in page
    assert "Nina Nieuw" not in login(client, "mlw.beheerder").get(LIST).text


def test_beheerder_approves_and_a_second_post_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    request = pending_request()
    login(client, "almere.beheerder")
    assert "Goedkeuren" in client.get(detail(request)).text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail(request), {"decision": "goedkeuren"}, follow=True)
    assert "De aanvraag is goedgekeurd." in response.text
    assert "Goedkeuren</button>" not in response.text
    created = User.objects.get(email=NEW_EMAIL)
    assert set(created.role_assignments.values_list("role", flat=True)) == {
        Role.BEGELEIDER.value,
        Role.ADMINISTRATIE.value,
    }
    assert NEW_EMAIL in [m.to[0] for m in mail.outbox]

    again = client.post(detail(request), {"decision": "goedkeuren"}, follow=True)
    assert "Over deze aanvraag is al besloten: goedgekeurd door" in again.text
    assert User.objects.filter(email=NEW_EMAIL).count() == 1
    rejected_after = client.post(detail(request), {"decision": "afwijzen", "reason": "Nee."})
    assert rejected_after.status_code == 302
    assert AccountRequest.objects.get(pk=request.pk).status == AccountRequestStatus.APPROVED


def test_beheerder_rejects_with_a_reason(client):
    request = pending_request()
    login(client, "almere.beheerder")
    response = client.post(detail(request), {"decision": "afwijzen", "reason": ""})
    assert response.status_code == 200
    assert "Geef de reden van de afwijzing." in response.text
    assert AccountRequest.objects.get(pk=request.pk).is_pending

    client.post(detail(request), {"decision": "afwijzen", "reason": "Geen contract."})
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.REJECTED
    assert request.decision_reason == "Geen contract."
    page = login(client, "kade.contactpersoon").get(ORGANISATION).text
    assert "Afgewezen" in page
    assert "Geen contract." in page


def test_beheerder_of_another_region_gets_404_on_the_request(client):
    request = pending_request()
    login(client, "mlw.beheerder")
    assert client.get(detail(request)).status_code == 404
    assert client.post(detail(request), {"decision": "goedkeuren"}).status_code == 404
    assert AccountRequest.objects.get(pk=request.pk).is_pending


# Everyone else


@pytest.mark.parametrize(
    "username",
    ["kade.werkverdeler", "kade.begeleider", "almere.pa", "almere.beheerder", "almere.inwoner"],
)
@pytest.mark.parametrize("url", [ORGANISATION, NEW, REVOKE])
def test_contact_person_pages_are_404_for_other_roles(client, username, url):
    assert login(client, username).get(url).status_code == 404


@pytest.mark.parametrize(
    "username",
    ["kade.contactpersoon", "kade.werkverdeler", "almere.pa", "almere.contractmanager"],
)
def test_beheerder_pages_are_404_for_other_roles(client, username):
    request = pending_request()
    login(client, username)
    assert client.get(LIST).status_code == 404
    assert client.get(detail(request)).status_code == 404
    assert client.post(detail(request), {"decision": "goedkeuren"}).status_code == 404
    assert AccountRequest.objects.get(pk=request.pk).is_pending


def test_anonymous_visitors_are_sent_to_login(client):
    for url in (ORGANISATION, LIST):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Setting the password


def test_new_colleague_sets_a_password_with_the_link_once(
    client, django_capture_on_commit_callbacks
):
    request = pending_request()
    with django_capture_on_commit_callbacks(execute=True):
        login(client, "almere.beheerder").post(detail(request), {"decision": "goedkeuren"})
    link_mail = next(m for m in mail.outbox if m.to == [NEW_EMAIL])
    path = re.search(r"https?://[^/]+(/wachtwoord-instellen/\S+/)", link_mail.body).group(1)

    client.logout()
    form = client.get(path, follow=True)
    assert "Kies een wachtwoord" in form.text
    set_path = form.redirect_chain[-1][0]
    password = "Zomer-in-Almere-2026"
    done = client.post(
        set_path, {"new_password1": password, "new_password2": password}, follow=True
    )
    assert "Uw wachtwoord is opgeslagen" in done.text
    assert User.objects.get(email=NEW_EMAIL).check_password(password)

    client.cookies.clear()
    assert "niet (meer) geldig" in client.get(path, follow=True).text


def test_password_form_errors_are_in_dutch(client, django_capture_on_commit_callbacks):
    request = pending_request()
    with django_capture_on_commit_callbacks(execute=True):
        login(client, "almere.beheerder").post(detail(request), {"decision": "goedkeuren"})
    link_mail = next(m for m in mail.outbox if m.to == [NEW_EMAIL])
    path = re.search(r"https?://[^/]+(/wachtwoord-instellen/\S+/)", link_mail.body).group(1)
    client.logout()
    set_path = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(set_path, {"new_password1": "abc", "new_password2": "abd"})
    assert response.status_code == 200
    assert "wachtwoord" in response.text.lower()
    assert "komen niet overeen" in response.text
