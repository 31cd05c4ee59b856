"""Forms for signing in: password reset and the second factor (issue #21)."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from openarrangementen.portal.forms import UtrechtFormMixin

from .domain import SignInKind
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
