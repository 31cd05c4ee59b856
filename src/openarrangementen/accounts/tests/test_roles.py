from django.core.exceptions import ValidationError

import pytest

from openarrangementen.accounts.domain import ROLE_SIDE, Role, Side, scope_error
from openarrangementen.accounts.models import RoleAssignment
from openarrangementen.accounts.tests.factories import (
    MunicipalityFactory,
    ProviderFactory,
    UserFactory,
)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_exactly_one_valid_kind_of_scope(role):
    side = ROLE_SIDE[role]
    fits = {
        "municipality": not scope_error(
            role, has_region=False, has_municipality=True, has_provider=False
        ),
        "region": not scope_error(
            role, has_region=True, has_municipality=False, has_provider=False
        ),
        "provider": not scope_error(
            role, has_region=False, has_municipality=False, has_provider=True
        ),
        "none": not scope_error(role, has_region=False, has_municipality=False, has_provider=False),
    }
    expected = {
        Side.MUNICIPALITY: {"municipality", "region"},
        Side.PROVIDER: {"provider"},
        Side.CLIENT: {"none"},
    }[side]
    assert {k for k, ok in fits.items() if ok} == expected


@pytest.mark.django_db
def test_role_assignment_with_wrong_scope_is_refused_in_dutch():
    user = UserFactory()
    wrong = RoleAssignment(user=user, role=Role.BEGELEIDER, municipality=MunicipalityFactory())
    with pytest.raises(ValidationError, match="precies één aanbieder"):
        wrong.full_clean()
    right = RoleAssignment(user=user, role=Role.BEGELEIDER, provider=ProviderFactory())
    right.full_clean()
    right.save()
    duplicate = RoleAssignment(user=user, role=Role.BEGELEIDER, provider=right.provider)
    with pytest.raises(ValidationError, match="al"):
        duplicate.full_clean()


@pytest.mark.django_db
def test_agb_and_gemeentecode_are_validated_on_the_models():
    provider = ProviderFactory.build(agb_code="123")
    with pytest.raises(ValidationError, match="8 cijfers"):
        provider.full_clean()
    municipality = MunicipalityFactory.build(cbs_code="34", region=MunicipalityFactory().region)
    with pytest.raises(ValidationError, match="4 cijfers"):
        municipality.full_clean()
