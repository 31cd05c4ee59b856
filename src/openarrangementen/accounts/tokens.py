"""The link for a forgotten password (issue #21): Django's reset token (it works once: it
hashes the password and the last login), under its own salt and valid for
PASSWORD_FORGOTTEN_TIMEOUT instead of the three days a new account's first link has."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int


class ForgottenPasswordTokens(PasswordResetTokenGenerator):
    key_salt = "openarrangementen.accounts.tokens.ForgottenPasswordTokens"

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= settings.PASSWORD_FORGOTTEN_TIMEOUT


forgotten_password_tokens = ForgottenPasswordTokens()
