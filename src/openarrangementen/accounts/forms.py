"""Forms for signing in: password reset and the second factor (issue #21)."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import models

from openarrangementen.portal.forms import UtrechtFormMixin

from .domain import SignInKind
from .models import SignInProvider
from .signin import record


class ResetRequestForm(UtrechtFormMixin, PasswordResetForm):
    """Asks for a reset link. The answer is the same whether or not the address belongs to
    an account (no account enumeration); Django sends a link only to an active account with
    a usable password, so an account that signs in through its organisation gets none."""

    email = forms.EmailField(
        label="E-mailadres",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Het e-mailadres van uw account.",
        error_messages={"invalid": "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."},
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def get_users(self, email):
        for user in super().get_users(email):
            record(SignInKind.PASSWORD_RESET_REQUESTED, request=self.request, user=user)
            yield user


class ResetPasswordForm(UtrechtFormMixin, SetPasswordForm):
    error_messages = {"password_mismatch": "De twee wachtwoorden zijn niet gelijk."}


class TokenForm(UtrechtFormMixin, forms.Form):
    """A code from the authenticator app (six digits) or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text="De zes cijfers die de app nu toont, of een van uw herstelcodes.",
        error_messages={"required": "Vul de code in."},
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def _https(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a provider's address is always https
    return db_field.formfield(**kwargs)


class SignInProviderForm(forms.ModelForm):
    """Beheer of an OpenID Connect provider: the secret is written but never shown back
    (leave it empty to keep it), the endpoints are fetched from the issuer when empty, and
    the organisation must fit the kind and the region."""

    client_secret = forms.CharField(
        label="client-secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Wordt niet opnieuw getoond. Laat leeg om het bestaande secret te houden.",
    )

    class Meta:
        model = SignInProvider
        formfield_callback = _https
        fields = [
            "region",
            "kind",
            "name",
            "slug",
            "municipality",
            "provider",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "claim",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
            "is_active",
        ]

    def clean(self):
        from .oidc import ENDPOINTS, DiscoveryFailed, discover

        data = super().clean()
        secret = data.get("client_secret")
        if not secret:
            if self.instance.pk and self.instance.client_secret:
                data["client_secret"] = self.instance.client_secret
            else:
                self.add_error(
                    "client_secret", "Vul het client-secret in dat u van de inlogdienst kreeg."
                )
        kind = data.get("kind")
        region = data.get("region")
        municipality, provider = data.get("municipality"), data.get("provider")
        if kind == "digid" and (municipality or provider):
            self.add_error(
                "municipality",
                "DigiD geldt voor de hele regio: kies geen gemeente of aanbieder.",
            )
        if kind == "staff" and not (municipality or provider):
            self.add_error(
                "municipality", "Kies de gemeente of de aanbieder van wie deze inlogdienst is."
            )
        if municipality and provider:
            self.add_error("provider", "Kies een gemeente of een aanbieder, niet allebei.")
        if municipality and region and municipality.region_id != region.pk:
            self.add_error("municipality", f"{municipality} hoort niet bij {region}.")
        issuer = data.get("issuer")
        if issuer and not self.errors and not all(data.get(name) for name in ENDPOINTS[:3]):
            try:
                found = discover(issuer)
            except DiscoveryFailed as exc:
                self.add_error("issuer", str(exc))
            else:
                for name, value in found.items():
                    if not data.get(name):
                        data[name] = value
        return data

    def _post_clean(self):
        super()._post_clean()
        # Fields filled by `clean` are not in the form's POST data; put them on the object.
        from .oidc import ENDPOINTS

        for name in (*ENDPOINTS, "client_secret"):
            if self.cleaned_data.get(name):
                setattr(self.instance, name, self.cleaned_data[name])
