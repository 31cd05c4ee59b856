"""Account requests by a provider's contact person and their approval (issue #4)."""

from django.urls import path

from . import account_views as v

urlpatterns = [
    path("organisatie/accounts/", v.organisation_accounts, name="account-organisation"),
    path("organisatie/accounts/aanvragen/", v.account_request_new, name="account-request-new"),
    path("organisatie/accounts/intrekken/", v.account_revoke_new, name="account-revoke-new"),
    path("accountaanvragen/", v.account_request_list, name="account-request-list"),
    path("accountaanvragen/<int:pk>/", v.account_request_detail, name="account-request-detail"),
    path("wachtwoord-instellen/klaar/", v.password_set_done, name="password-set-done"),
    path("wachtwoord-instellen/<uidb64>/<token>/", v.password_set, name="password-set"),
]
