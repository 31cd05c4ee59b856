from datetime import date

import pytest

from openarrangementen.core import selectors
from openarrangementen.core.models import EquatedHoliday

pytestmark = pytest.mark.django_db


def test_a_royal_decree_day_entered_in_beheer_moves_deadlines():
    # Thursday 24 December 2026 + 1 working day: Christmas and the weekend follow.
    assert selectors.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    EquatedHoliday.objects.create(
        day=date(2026, 12, 24), description="Voorbeeld", source="Stb. (voorbeeld)"
    )
    assert selectors.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert selectors.extend_term_end(date(2026, 12, 24)) == date(2026, 12, 28)
