"""Forms of the iWmo pages: the message log's filters and the answer to a request."""

from django import forms
from django.db.models import Q, QuerySet

import django_filters

from openarrangementen.accounts.models import Provider
from openarrangementen.core.identifiers import IdentifierError, clean_bsn
from openarrangementen.iwmo.codelists import CodeListUnavailable, reasons_of_rejection
from openarrangementen.iwmo.models import Message
from openarrangementen.iwmo.schemas import MESSAGE_CODES, NAMES

from .forms import UtrechtFormMixin


class FilterForm(UtrechtFormMixin, forms.Form):
    pass


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MessageFilter(django_filters.FilterSet):
    """GET filters of the message log. The queryset passed in is already what the user may
    see (`message_list_visible_to`); the filters only narrow it."""

    code = django_filters.ChoiceFilter(
        label="Berichttype",
        choices=[(code, f"WMO{code} {NAMES[code]}") for code in MESSAGE_CODES],
        empty_label="Alle typen",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Message.Status.choices, empty_label="Alle statussen"
    )
    client = django_filters.CharFilter(
        label="Cliënt (BSN of naam)", method="filter_client", max_length=100
    )
    provider = django_filters.ModelChoiceFilter(
        label="Aanbieder", queryset=Provider.objects.none(), empty_label="Alle aanbieders"
    )
    dated_from = django_filters.DateFilter(
        label="Dagtekening vanaf",
        field_name="dated_on",
        lookup_expr="gte",
        widget=_date_input(),
        error_messages={"invalid": "Vul een geldige datum in, bijvoorbeeld 01-01-2026."},
    )
    dated_to = django_filters.DateFilter(
        label="Dagtekening tot en met",
        field_name="dated_on",
        lookup_expr="lte",
        widget=_date_input(),
        error_messages={"invalid": "Vul een geldige datum in, bijvoorbeeld 31-12-2026."},
    )
    traject = django_filters.CharFilter(
        label="Trajectnummer", field_name="traject__number", max_length=30
    )

    class Meta:
        model = Message
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args, providers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The providers this user exchanges messages with (`message_providers_for`).
        self.filters["provider"].queryset = (
            providers if providers is not None else Provider.objects.none()
        )

    def filter_client(self, queryset: QuerySet[Message], name: str, value: str):
        term = value.strip()
        if not term:
            return queryset
        try:
            return queryset.filter(client__bsn=clean_bsn(term))
        except IdentifierError:
            pass
        return queryset.filter(
            Q(client__family_name__icontains=term) | Q(client__given_names__icontains=term)
        )


class Answer:
    GRANT = "toewijzen"
    INVESTIGATE = "onderzoek"
    REJECT = "afwijzen"
    CHOICES = [(GRANT, "Toewijzen"), (INVESTIGATE, "In onderzoek"), (REJECT, "Afwijzen")]


class RequestAnswerForm(UtrechtFormMixin, forms.Form):
    """The PA's answer to a VOT or VOW. The answer comes from the button pressed; the
    service decides whether it may be given (a rejection needs a reason)."""

    antwoord = forms.ChoiceField(
        choices=Answer.CHOICES,
        widget=forms.HiddenInput,
        error_messages={"required": "Kies Toewijzen, In onderzoek of Afwijzen."},
    )
    reden = forms.ChoiceField(
        label="Reden van afwijzing",
        required=False,
        help_text="Alleen bij Afwijzen (codelijst WJ759).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        try:
            reasons = [(c.code, c.display) for c in reasons_of_rejection()]
        except CodeListUnavailable:
            reasons = []  # the page says why; the service refuses every answer
        self.fields["reden"].choices = [("", "Kies een reden"), *reasons]

    def clean(self) -> dict:
        data = super().clean()
        # The answer is a hidden value; its error belongs above the form.
        for error in self.errors.pop("antwoord", []):
            self.add_error(None, error)
        return data

    def service_arguments(self) -> dict:
        """The keyword arguments of `request_answer` for this answer."""
        answer = self.cleaned_data["antwoord"]
        return {
            "grant": answer == Answer.GRANT,
            "investigate": answer == Answer.INVESTIGATE,
            "reason": self.cleaned_data["reden"] if answer == Answer.REJECT else "",
        }
