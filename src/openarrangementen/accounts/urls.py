from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "wachtwoord-vergeten/verstuurd/",
        views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path("tweestapsverificatie/", views.otp_verify, name="otp-verify"),
    path("tweestapsverificatie/instellen/", views.otp_setup, name="otp-setup"),
    path("tweestapsverificatie/herstelcodes/", views.otp_recovery, name="otp-recovery"),
    path("sessie/verlengen/", views.keep_alive, name="keep-alive"),
    path("inloggen/via/<slug:slug>/", views.oidc_start, name="oidc-start"),
    path("inloggen/terug/", views.oidc_callback, name="oidc-callback"),
    path("inloggen/namens/", views.acting_for, name="acting-for"),
]
