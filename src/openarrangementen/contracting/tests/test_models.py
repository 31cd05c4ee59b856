from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from openarrangementen.accounts.tests.factories import ProviderFactory
from openarrangementen.catalog.regional_catalogs import REGIONAL_CATALOGS, SUPPORT_FORMS
from openarrangementen.catalog.services import catalog_version_import
from openarrangementen.contracting.models import Contract, Partnership, PartnershipMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def almere():
    return catalog_version_import(REGIONAL_CATALOGS["almere"](), SUPPORT_FORMS)


def test_contract_must_fall_inside_the_catalog_version(almere):
    contract = Contract(
        provider=ProviderFactory(), lot=almere.lots.get(code="1"), valid_from=date(2023, 6, 1)
    )
    with pytest.raises(ValidationError, match="looptijd van de catalogusversie"):
        contract.full_clean()
    contract.valid_from = date(2024, 1, 1)
    contract.full_clean()


def test_no_two_contracts_for_the_same_provider_lot_and_period(almere):
    provider = ProviderFactory()
    lot = almere.lots.get(code="2")
    Contract.objects.create(provider=provider, lot=lot, valid_from=date(2024, 1, 1))
    second = Contract(provider=provider, lot=lot, valid_from=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="al een contract"):
        second.full_clean()


def test_partnership_fee_cap_within_the_regional_maximum(almere):
    partnership = Partnership(
        region=almere.region,
        lead_provider=ProviderFactory(),
        name="Verband",
        coordination_fee_cap_percent=Decimal("12.50"),
        valid_from=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="ten hoogste 10.00%"):
        partnership.full_clean()
    partnership.coordination_fee_cap_percent = Decimal("10.00")
    partnership.full_clean()


def test_lead_provider_is_not_its_own_subcontractor(almere):
    lead = ProviderFactory()
    partnership = Partnership.objects.create(
        region=almere.region,
        lead_provider=lead,
        name="Verband",
        coordination_fee_cap_percent=Decimal("5"),
        valid_from=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="hoofdaanbieder"):
        PartnershipMember(partnership=partnership, provider=lead).full_clean()


def test_end_before_start_is_refused_by_model_and_database(almere):
    from django.db import IntegrityError, transaction

    contract = Contract(
        provider=ProviderFactory(),
        lot=almere.lots.get(code="1"),
        valid_from=date(2025, 1, 1),
        valid_to=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="einddatum ligt vóór de begindatum"):
        contract.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()
