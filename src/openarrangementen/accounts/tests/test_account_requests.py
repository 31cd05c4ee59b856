"""Account requests (issue #4): a provider's contact person asks, the region's functioneel
beheerder decides once, never on their own request; with the demo data (Almere: De Kade)."""

import re

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

import pytest
from auditlog.models import LogEntry

from openarrangementen.accounts.domain import AccountRequestStatus, Role, username_base
from openarrangementen.accounts.models import (
    AccountRequest,
    Provider,
    Region,
    RoleAssignment,
    User,
)
from openarrangementen.accounts.selectors import (
    account_request_list_visible_to,
    functional_managers_for,
)
from openarrangementen.accounts.services import (
    AccountRequestError,
    account_request_approve,
    account_request_create,
    account_request_create_revocation,
    account_request_reject,
)
from openarrangementen.accounts.tests.factories import UserFactory, user_with_role
from openarrangementen.core.models import Notification

pytestmark = pytest.mark.usefixtures("demo")

NEW_EMAIL = "nieuwe.collega@kade.example"


def user(username: str) -> User:
    return User.objects.get(username=username)


def kade() -> Provider:
    return Provider.objects.get(name="De Kade Begeleiding")


def anker() -> Provider:
    return Provider.objects.get(name="Thuishulp Het Anker")


def request_account(**overrides) -> AccountRequest:
    data = {
        "actor": user("kade.contactpersoon"),
        "provider": kade(),
        "first_name": "Nina",
        "last_name": "Nieuw",
        "email": NEW_EMAIL,
        "roles": [Role.BEGELEIDER.value, Role.WERKVERDELER.value],
        "motivation": "Nieuwe collega in het team Almere-Haven.",
    }
    return account_request_create(**(data | overrides))


def request_revocation(username: str = "kade.begeleider", **overrides) -> AccountRequest:
    data = {
        "actor": user("kade.contactpersoon"),
        "provider": kade(),
        "account": user(username),
        "reason": "Uit dienst per 1 maart.",
    }
    return account_request_create_revocation(**(data | overrides))


# Requesting


def test_request_is_pending_and_tells_the_beheerders_of_the_providers_region(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        request = request_account(email=f"  {NEW_EMAIL} ")

    assert request.status == AccountRequestStatus.PENDING
    assert request.email == NEW_EMAIL
    # Stored in the canonical order of REQUESTABLE_ROLES, whatever order was asked.
    assert request.roles == [Role.WERKVERDELER.value, Role.BEGELEIDER.value]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"almere.beheerder"}
    assert [m.to for m in mail.outbox] == [["almere.beheerder@demo.invalid"]]
    assert "De Kade Begeleiding vraagt een account aan voor Nina Nieuw" in mail.outbox[0].body
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_the_beheerders_are_those_of_the_regions_where_the_provider_is_contracted():
    assert set(functional_managers_for(kade()).values_list("username", flat=True)) == {
        "almere.beheerder"
    }
    maaskempen = Provider.objects.get(name="Begeleiding Maas en Kempen")
    assert set(functional_managers_for(maaskempen).values_list("username", flat=True)) == {
        "mlw.beheerder"
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "geen-adres"}, "email", "Vul een geldig e-mailadres in"),
        ({"email": "kade.werkverdeler@demo.invalid"}, "email", "al een actief account"),
        ({"email": "KADE.Werkverdeler@demo.invalid"}, "email", "al een actief account"),
        ({"roles": []}, "roles", "Kies ten minste één rol."),
        ({"roles": [Role.CONTACTPERSOON.value]}, "roles", "U kunt alleen deze rollen"),
        ({"roles": [Role.PROCESREGISSEUR.value]}, "roles", "U kunt alleen deze rollen"),
        ({"first_name": " "}, "first_name", "Vul de voornaam in."),
        ({"last_name": ""}, "last_name", "Vul de achternaam in."),
        ({"motivation": "  "}, "motivation", "Geef een korte toelichting."),
        ({"actor": "kade.werkverdeler"}, "", "Alleen de gemachtigde contactpersoon"),
        ({"actor": "anker.contactpersoon"}, "", "Alleen de gemachtigde contactpersoon"),
        ({"actor": "almere.beheerder"}, "", "Alleen de gemachtigde contactpersoon"),
    ],
)
def test_invalid_requests_are_refused_in_dutch(overrides, field, message):
    if isinstance(overrides.get("actor"), str):
        overrides = overrides | {"actor": user(overrides["actor"])}
    with pytest.raises(AccountRequestError, match=message) as refused:
        request_account(**overrides)
    assert refused.value.field == field
    assert not AccountRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_second_pending_request_for_the_same_email_is_refused():
    request_account()
    with pytest.raises(AccountRequestError, match="loopt al een aanvraag") as refused:
        request_account(email=NEW_EMAIL.upper(), first_name="Andere")
    assert refused.value.field == "email"
    # Even a contact person of another provider may not ask for the same person meanwhile.
    with pytest.raises(AccountRequestError, match="loopt al een aanvraag"):
        request_account(actor=user("anker.contactpersoon"), provider=anker())
    assert AccountRequest.objects.count() == 1


def test_after_a_rejection_the_same_email_may_be_requested_again():
    first = request_account()
    account_request_reject(request=first, actor=user("almere.beheerder"), reason="Onbekend.")
    again = request_account()
    assert again.is_pending


def test_the_email_of_a_deactivated_account_may_be_requested():
    UserFactory(username="oud", email=NEW_EMAIL, is_active=False)
    assert request_account().is_pending


# Approving a new account


def test_approval_creates_the_account_with_its_roles_and_mails_a_password_link(
    django_capture_on_commit_callbacks,
):
    request = request_account()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        account_request_approve(request=request, actor=user("almere.beheerder"))

    request.refresh_from_db()
    created = User.objects.get(email=NEW_EMAIL)
    assert request.status == AccountRequestStatus.APPROVED
    assert request.decided_by == user("almere.beheerder")
    assert request.decided_at is not None
    assert request.account == created
    assert created.username == "nieuwe.collega"
    assert (created.first_name, created.last_name) == ("Nina", "Nieuw")
    assert created.is_active
    assert not created.has_usable_password()
    assert set(RoleAssignment.objects.filter(user=created).values_list("role", "provider")) == {
        (Role.WERKVERDELER.value, kade().pk),
        (Role.BEGELEIDER.value, kade().pk),
    }

    # The new colleague gets the link; the requester gets the decision.
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {NEW_EMAIL, "kade.contactpersoon@demo.invalid"}
    link_mail = by_address[NEW_EMAIL]
    assert "nieuwe.collega" in link_mail.body
    uidb64, token = re.search(r"/wachtwoord-instellen/([^/]+)/([^/]+)/", link_mail.body).groups()
    assert force_str(urlsafe_base64_decode(uidb64)) == str(created.pk)
    assert default_token_generator.check_token(created, token)
    assert "goedgekeurd" in by_address["kade.contactpersoon@demo.invalid"].body
    # The link is a credential: it is not kept as an in-app notification.
    assert not Notification.objects.filter(recipient=created).exists()
    assert Notification.objects.filter(
        recipient=user("kade.contactpersoon"), subject="Accountaanvraag goedgekeurd"
    ).exists()


def test_a_taken_username_gets_a_number():
    UserFactory(username="nieuwe.collega", email="iemand@anders.example")
    request = request_account()
    account_request_approve(request=request, actor=user("almere.beheerder"))
    assert User.objects.get(email=NEW_EMAIL).username == "nieuwe.collega2"


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("Nina.Nieuw@Kade.example", "nina.nieuw"),
        ("j+test@x.example", "jtest"),
        ("émile@x.example", "mile"),
        ("...@x.example", "gebruiker"),
    ],
)
def test_username_base_keeps_a_simple_lower_case_local_part(email, expected):
    assert username_base(email) == expected


def test_approval_is_refused_when_the_email_got_an_active_account_meanwhile():
    request = request_account()
    UserFactory(username="intussen", email=NEW_EMAIL)
    with pytest.raises(AccountRequestError, match="inmiddels een actief account"):
        account_request_approve(request=request, actor=user("almere.beheerder"))
    request.refresh_from_db()
    assert request.is_pending
    assert User.objects.filter(email=NEW_EMAIL).count() == 1


# Rejecting


def test_rejection_needs_a_reason_and_tells_the_requester(django_capture_on_commit_callbacks):
    request = request_account()
    beheerder = user("almere.beheerder")
    with pytest.raises(AccountRequestError, match="Geef de reden") as refused:
        account_request_reject(request=request, actor=beheerder, reason=" ")
    assert refused.value.field == "reason"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        account_request_reject(request=request, actor=beheerder, reason="Geen contract meer.")

    request.refresh_from_db()
    assert request.status == AccountRequestStatus.REJECTED
    assert request.decision_reason == "Geen contract meer."
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert [m.to for m in mail.outbox] == [["kade.contactpersoon@demo.invalid"]]
    assert "afgewezen. Reden: Geen contract meer." in mail.outbox[0].body


# Revoking


def test_approved_revocation_removes_the_roles_and_deactivates_an_account_without_roles():
    request = request_revocation()
    assert request.first_name == user("kade.begeleider").first_name
    account_request_approve(request=request, actor=user("almere.beheerder"))

    revoked = user("kade.begeleider")
    assert not revoked.role_assignments.exists()
    assert not revoked.is_active
    assert AccountRequest.objects.get(pk=request.pk).status == AccountRequestStatus.APPROVED
    assert Notification.objects.filter(
        recipient=user("kade.contactpersoon"), subject="Accountaanvraag goedgekeurd"
    ).exists()


def test_revocation_keeps_roles_at_other_organisations_and_the_account_active():
    colleague = user("kade.begeleider")
    RoleAssignment.objects.create(user=colleague, role=Role.BEGELEIDER.value, provider=anker())
    account_request_approve(request=request_revocation(), actor=user("almere.beheerder"))

    colleague.refresh_from_db()
    assert colleague.is_active
    assert list(colleague.role_assignments.values_list("provider", flat=True)) == [anker().pk]


def test_rejected_revocation_changes_nothing():
    request = request_revocation()
    account_request_reject(request=request, actor=user("almere.beheerder"), reason="Nog nodig.")
    colleague = user("kade.begeleider")
    assert colleague.is_active
    assert colleague.role_assignments.filter(provider=kade()).exists()


@pytest.mark.parametrize(
    ("username", "overrides", "message"),
    [
        ("anker.begeleider", {}, "hoort niet bij uw organisatie"),
        ("almere.pa", {}, "hoort niet bij uw organisatie"),
        ("kade.contactpersoon", {}, "eigen account niet laten intrekken"),
        ("kade.begeleider", {"reason": ""}, "Geef de reden voor het intrekken."),
        ("kade.begeleider", {"actor": "kade.werkverdeler"}, "Alleen de gemachtigde"),
    ],
)
def test_invalid_revocations_are_refused_in_dutch(username, overrides, message):
    if "actor" in overrides:
        overrides = overrides | {"actor": user(overrides["actor"])}
    with pytest.raises(AccountRequestError, match=message):
        request_revocation(username, **overrides)
    assert not AccountRequest.objects.exists()


def test_a_second_pending_revocation_of_the_same_account_is_refused():
    request_revocation()
    with pytest.raises(AccountRequestError, match="loopt al een aanvraag tot intrekken"):
        request_revocation()
    assert AccountRequest.objects.count() == 1


# Who decides, and only once


def test_nobody_decides_on_their_own_request():
    # A beheerder who is also the provider's contact person (unusual, but possible).
    beheerder = user("almere.beheerder")
    RoleAssignment.objects.create(user=beheerder, role=Role.CONTACTPERSOON.value, provider=kade())
    request = request_account(actor=beheerder)
    for decide in (
        lambda: account_request_approve(request=request, actor=beheerder),
        lambda: account_request_reject(request=request, actor=beheerder, reason="Nee."),
    ):
        with pytest.raises(AccountRequestError, match="eigen aanvraag"):
            decide()
    assert AccountRequest.objects.get(pk=request.pk).is_pending

    colleague = user_with_role(Role.FUNCTIONEEL_BEHEERDER, region=Region.objects.get(slug="almere"))
    account_request_approve(request=request, actor=colleague)
    assert User.objects.filter(email=NEW_EMAIL).exists()


def test_a_request_is_decided_once(django_capture_on_commit_callbacks):
    request = request_account()
    beheerder = user("almere.beheerder")
    account_request_approve(request=request, actor=beheerder)
    notifications = Notification.objects.count()
    mail.outbox.clear()

    # The same POST twice (double click, back button), or a colleague deciding after.
    with django_capture_on_commit_callbacks(execute=True):
        for decide in (
            lambda: account_request_approve(request=request, actor=beheerder),
            lambda: account_request_reject(request=request, actor=beheerder, reason="Toch niet."),
        ):
            with pytest.raises(AccountRequestError, match="al besloten: goedgekeurd door"):
                decide()

    assert User.objects.filter(email=NEW_EMAIL).count() == 1
    assert RoleAssignment.objects.filter(user__email=NEW_EMAIL).count() == 2
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.APPROVED
    assert request.decision_reason == ""
    assert Notification.objects.count() == notifications
    assert mail.outbox == []


def test_a_beheerder_of_another_region_neither_sees_nor_decides():
    request = request_account()
    other = user("mlw.beheerder")
    assert not account_request_list_visible_to(other).exists()
    assert list(account_request_list_visible_to(user("almere.beheerder"))) == [request]
    with pytest.raises(AccountRequestError, match="niet beslissen over aanvragen"):
        account_request_approve(request=request, actor=other)
    with pytest.raises(AccountRequestError, match="niet beslissen over aanvragen"):
        account_request_reject(request=request, actor=other, reason="Nee.")
    assert AccountRequest.objects.get(pk=request.pk).is_pending
    assert not User.objects.filter(email=NEW_EMAIL).exists()


@pytest.mark.parametrize("username", ["kade.contactpersoon", "almere.pa", "almere.contractmanager"])
def test_other_roles_see_and_decide_nothing(username):
    request = request_account()
    actor = user(username)
    assert not account_request_list_visible_to(actor).exists()
    with pytest.raises(AccountRequestError, match="niet beslissen"):
        account_request_approve(request=request, actor=actor)


def test_requests_and_decisions_are_in_the_audit_log():
    request = request_account()
    account_request_approve(request=request, actor=user("almere.beheerder"))
    assert LogEntry.objects.get_for_object(request).count() == 2
    created = User.objects.get(email=NEW_EMAIL)
    assignment = RoleAssignment.objects.filter(user=created).first()
    assert LogEntry.objects.get_for_object(assignment).exists()
