from datetime import date

from . import dates
from .models import EquatedHoliday


def equated_holiday_dates() -> frozenset[date]:
    """Days equated to holidays by Royal Decree, to pass to the `core.dates` functions."""
    return frozenset(EquatedHoliday.objects.values_list("day", flat=True))


def add_working_days(start: date, n: int) -> date:
    """`core.dates.add_working_days` with the configured Royal-Decree days."""
    return dates.add_working_days(start, n, equated_holiday_dates())


def extend_term_end(term_end: date) -> date:
    """`core.dates.extend_term_end` (Atw art. 1) with the configured Royal-Decree days."""
    return dates.extend_term_end(term_end, equated_holiday_dates())
