from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openarrangementen.accounts"
    label = "accounts"
    verbose_name = "Organisaties en gebruikers"
