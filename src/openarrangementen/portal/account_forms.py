"""Forms of the account-request pages. They check types and shapes; the rules (who may ask,
duplicates, existing accounts) live in `accounts.services`."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import QuerySet

from openarrangementen.accounts.domain import REQUESTABLE_ROLES, ROLE_LABELS
from openarrangementen.accounts.models import Provider, User

from .forms import UtrechtFormMixin

EMAIL_ERRORS = {
    "required": "Vul het e-mailadres in.",
    "invalid": "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.",
}


class ProviderChoiceMixin:
    """A provider field only for a contact person of more than one provider; otherwise the
    one provider is implied. `provider` holds the choice after validation."""

    def setup_provider(self, providers: QuerySet[Provider]) -> None:
        self._providers = list(providers)
        if len(self._providers) > 1:
            self.fields = {
                "provider": forms.ModelChoiceField(
                    label="Organisatie",
                    queryset=providers,
                    empty_label=None,
                    error_messages={"invalid_choice": "Kies een van uw organisaties."},
                ),
                **self.fields,
            }

    @property
    def provider(self) -> Provider:
        if "provider" in self.fields:
            return self.cleaned_data["provider"]
        return self._providers[0]


class AccountRequestForm(ProviderChoiceMixin, UtrechtFormMixin, forms.Form):
    first_name = forms.CharField(
        label="Voornaam", max_length=150, error_messages={"required": "Vul de voornaam in."}
    )
    last_name = forms.CharField(
        label="Achternaam", max_length=150, error_messages={"required": "Vul de achternaam in."}
    )
    email = forms.EmailField(
        label="E-mailadres",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        help_text="Het zakelijke adres van uw collega. Hierheen gaat de link om een wachtwoord "
        "in te stellen.",
    )
    roles = forms.MultipleChoiceField(
        label="Rollen",
        choices=[(r.value, ROLE_LABELS[r]) for r in REQUESTABLE_ROLES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Kies ten minste één rol."},
        help_text="Kies wat uw collega gaat doen. Meer dan één rol is mogelijk.",
    )
    motivation = forms.CharField(
        label="Toelichting",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Geef een korte toelichting."},
        help_text="Bijvoorbeeld: nieuwe collega per 1 maart in het team Almere-Haven.",
    )

    def __init__(self, *args, providers: QuerySet[Provider], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setup_provider(providers)
        self.style_fields()


class RevocationForm(ProviderChoiceMixin, UtrechtFormMixin, forms.Form):
    account = forms.ModelChoiceField(
        label="Collega",
        queryset=User.objects.none(),
        empty_label="Kies een collega",
        error_messages={
            "required": "Kies de collega van wie het account moet worden ingetrokken.",
            "invalid_choice": "Dit account hoort niet bij uw organisatie.",
        },
    )
    motivation = forms.CharField(
        label="Reden",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Geef de reden voor het intrekken."},
        help_text="Bijvoorbeeld: uit dienst per 1 maart.",
    )

    def __init__(
        self, *args, providers: QuerySet[Provider], colleagues: QuerySet[User], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # Anyone outside the organisation is refused here already; the service checks again
        # against the chosen provider.
        self.fields["account"].queryset = colleagues
        self.fields["account"].label_from_instance = lambda u: f"{u} ({u.username})"
        self.setup_provider(providers)
        self.style_fields()


class DecisionForm(UtrechtFormMixin, forms.Form):
    APPROVE = "goedkeuren"
    REJECT = "afwijzen"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Goedkeuren"), (REJECT, "Afwijzen")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label="Reden van afwijzing",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="De aanvrager krijgt deze reden te zien.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", "Geef de reden van de afwijzing.")
        return data


class PasswordSetForm(UtrechtFormMixin, SetPasswordForm):
    """Django's form to choose a new password, styled like the rest of the portal."""
