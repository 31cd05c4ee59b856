import factory

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, Region, RoleAssignment, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Regio {n}")
    slug = factory.Sequence(lambda n: f"regio-{n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    cbs_code = factory.Sequence(lambda n: f"{9000 + n:04d}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Aanbieder {n}")
    agb_code = factory.Sequence(lambda n: f"{76000000 + n:08d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    password = factory.django.Password("wachtwoord-voor-tests")


def user_with_role(role: Role, **scope) -> User:
    """A new user holding `role` for the given municipality, region or provider."""
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role.value, **scope)
    return user
