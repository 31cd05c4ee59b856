"""What the inwoner's file holds about a person, for the retention job (`cases.retention`,
ADR 0013): once all of an inwoner's trajects have passed their retention period."""

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, LPad, TruncYear

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import ExternalIdentity, User
from openarrangementen.cases.retention import Scrub, scrub_with_client, with_clients

from .models import Client, Household, Representative

ANONYMOUS = "Geanonimiseerd"

scrub_with_client(
    Scrub(
        Client,
        "pk",
        (
            "initials",
            "given_names",
            "family_name_prefix",
            "street",
            "house_number",
            "house_number_addition",
            "postcode",
            "phone",
            "email",
            "household",
            "user",
        ),
        values={
            # Unique per municipality like a BSN, never a valid one (it has a letter), so
            # no BSN lookup ever finds it.
            "bsn": Concat(Value("A"), LPad(Cast("pk", CharField()), 8, Value("0"))),
            "family_name": Value(ANONYMOUS),
            # The year stays for age groups in the monitoring; the day and month go.
            "birth_date": TruncYear("birth_date"),
        },
    ),
    Scrub(Representative, "client_id", delete=True),
)


@with_clients
def accounts_close(client_ids: list[int]) -> int:
    """The inwoner's own account (DigiD) closes and forgets who it was; an account that
    also works for an organisation is left alone."""
    users = User.objects.filter(client__pk__in=client_ids).exclude(
        role_assignments__role__in=[r.value for r in Role if r is not Role.INWONER]
    )
    ids = list(users.values_list("pk", flat=True))
    if not ids:
        return 0
    ExternalIdentity.objects.filter(user_id__in=ids).delete()
    return User.objects.filter(pk__in=ids).update(
        is_active=False,
        username=Concat(Value("geanonimiseerd-"), Cast("pk", CharField())),
        first_name="",
        last_name="",
        email="",
        phone="",
        password="!",
    )


@with_clients
def households_delete(client_ids: list[int]) -> int:
    """A household's name ('Huishouden De Vries') goes with its last member's file."""
    others = Client.objects.filter(household=OuterRef("pk")).exclude(pk__in=client_ids)
    gone = Household.objects.filter(members__pk__in=client_ids).exclude(Exists(others))
    deleted, _ = Household.objects.filter(pk__in=list(gone.values_list("pk", flat=True))).delete()
    return deleted
