"""The period choice of the contribution page (GET)."""

from datetime import date

from django import forms

from openarrangementen.portal.forms import UtrechtFormMixin

from .domain import FIRST_FLAT_RATE_YEAR, CakPeriod, period_containing, period_from_code


def default_period(today: date) -> CakPeriod:
    """The period before the current one: the last complete period."""
    return period_containing(today).previous()


class PeriodForm(UtrechtFormMixin, forms.Form):
    periode = forms.ChoiceField(
        label="Periode",
        help_text="Tot en met 2019 rekent het CAK in perioden van 4 weken, vanaf 2020 per maand.",
        error_messages={"invalid_choice": "Kies een periode uit de lijst."},
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        first = CakPeriod(FIRST_FLAT_RATE_YEAR, 1)
        period = period_containing(today)
        choices = []
        while period >= first:
            choices.append((period.code, period.label))
            period = period.previous()
        self.fields["periode"].choices = choices
        self.fields["periode"].initial = default_period(today).code

    def period(self) -> CakPeriod:
        """The chosen period; the default when none (or an invalid one) was chosen."""
        if self.is_bound and self.is_valid():
            return period_from_code(self.cleaned_data["periode"])
        return default_period(self.today)
