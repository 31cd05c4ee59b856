import datetime

import factory

from openarrangementen.accounts.tests.factories import MunicipalityFactory
from openarrangementen.clients.models import Client, Household, Representative
from openarrangementen.core.demo import demo_bsn


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Huishouden {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    bsn = factory.Sequence(lambda n: demo_bsn(100 + n))
    initials = "A."
    family_name = factory.Sequence(lambda n: f"Inwoner{n}")
    birth_date = datetime.date(1960, 1, 1)
    municipality = factory.SubFactory(MunicipalityFactory)

    class Params:
        in_household = factory.Trait(household=factory.SubFactory(HouseholdFactory))


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    client = factory.SubFactory(ClientFactory)
    kind = Representative.Kind.CLIENT_SUPPORT
    name = "Els Mulder"

    class Params:
        legal = factory.Trait(kind=Representative.Kind.LEGAL, legal_basis="08")
