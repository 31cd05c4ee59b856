"""Settings of the test identity provider. Everything comes from the fixture's environment:
IDP_DB (SQLite file) and IDP_SITE_URL (http://127.0.0.1:<port>)."""

import os

SECRET_KEY = "test-idp-only-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SITE_URL = os.environ.get("IDP_SITE_URL", "http://127.0.0.1:8765")
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
    "testidp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "idp_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("IDP_DB", "/tmp/test-idp.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
# The claims a DigiD broker and an organisation's provider hand over.
OIDC_EXTRA_SCOPE_CLAIMS = "testidp.claims.BsnScopeClaims"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "testidp.claims.userinfo"
OIDC_SKIP_CONSENT_EXPIRE = 0
