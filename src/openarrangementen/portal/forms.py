from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q, QuerySet

from openarrangementen.accounts.models import Region
from openarrangementen.catalog.models import CatalogVersion
from openarrangementen.clients.models import Client
from openarrangementen.core.identifiers import IdentifierError, clean_bsn


class UtrechtFormMixin:
    """Give widgets the NL Design System classes and link their help and error texts."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Set the classes; a form that adds fields in its own __init__ calls this again."""
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                css = "utrecht-checkbox utrecht-checkbox--html-input"
            elif isinstance(widget, forms.Select):
                css = "utrecht-select utrecht-select--html-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "utrecht-checkbox utrecht-checkbox--html-input"
            elif isinstance(widget, forms.Textarea):
                css = "utrecht-textarea utrecht-textarea--html-textarea"
            else:
                css = "utrecht-textbox utrecht-textbox--html-input"
            widget.attrs["class"] = f"utrecht-form-field__input {css}"
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-help"

    def full_clean(self) -> None:
        # Mark invalid fields only after validation: reading self.errors in __init__ would
        # validate before subclasses finish setting up their fields (e.g. a queryset).
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            error_id = f"id_{self.add_prefix(name)}-error"
            attrs["aria-describedby"] = " ".join(
                filter(None, [attrs.get("aria-describedby"), error_id])
            )


class CatalogDateForm(UtrechtFormMixin, forms.Form):
    datum = forms.DateField(
        label="Peildatum",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Toon de catalogus, tarieven en contracten zoals ze op deze datum golden.",
        error_messages={"invalid": "Vul een geldige datum in, bijvoorbeeld 01-01-2025."},
    )
    versie = forms.ModelChoiceField(
        label="Catalogusversie",
        queryset=CatalogVersion.objects.none(),
        required=False,
        empty_label="De versie die op de peildatum gold",
    )

    def __init__(self, *args, region: Region, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["versie"].queryset = region.catalog_versions.all()


class ClientSearchForm(UtrechtFormMixin, forms.Form):
    q = forms.CharField(
        label="Zoek op naam, BSN of postcode",
        required=False,
        max_length=100,
    )

    def filter(self, clients: QuerySet[Client]) -> QuerySet[Client]:
        term = self.cleaned_data["q"].strip()
        try:
            return clients.filter(bsn=clean_bsn(term))
        except IdentifierError:
            pass
        compact = term.replace(" ", "").upper()
        return clients.filter(
            Q(family_name__icontains=term)
            | Q(given_names__icontains=term)
            | Q(postcode__iexact=f"{compact[:4]} {compact[4:]}")
        )


class LoginForm(UtrechtFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "De combinatie van gebruikersnaam en wachtwoord klopt niet. Let op "
        "hoofdletters en kleine letters.",
        "inactive": "Dit account is niet actief. Neem contact op met uw functioneel beheerder.",
        "digid_only": "Inwoners loggen in met DigiD. Gebruik de knop 'Inloggen met DigiD'.",
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        from django.conf import settings

        from openarrangementen.accounts.domain import Role
        from openarrangementen.accounts.selectors import roles_of

        if not settings.INWONER_PASSWORD_LOGIN and roles_of(user) == {Role.INWONER}:
            raise forms.ValidationError(self.error_messages["digid_only"], code="digid_only")
