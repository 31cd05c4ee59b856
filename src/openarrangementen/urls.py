from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from openarrangementen.accounts import passkeys
from openarrangementen.accounts.views import LoginView
from openarrangementen.core import health

urlpatterns = [
    path("gezond/", health.alive, name="health-alive"),
    path("gereed/", health.ready, name="health-ready"),
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("openarrangementen.accounts.urls")),
    path(
        "account/passkey/",
        include((passkeys.urlpatterns, "otp_webauthn"), namespace="otp_webauthn"),
    ),
    path("beheer/", admin.site.urls),
    path("api/iwmo/", include("openarrangementen.iwmo.urls")),
    path("inwoners/", include("openarrangementen.clients.urls")),
    path("", include("openarrangementen.portal.urls")),
]
