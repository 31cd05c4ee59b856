"""Settings shared by every environment; each has a safe default, read from the environment.

The environment variables are listed in docs/configuration.md. Environment files (dev, test,
production) only override.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .includes.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # src/openarrangementen
REPO_DIR = BASE_DIR.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "openarrangementen.core.admin_site.OpenArrangementenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_htmx",
    "django_q",
    "template_partials",
    "openarrangementen.core",
    "openarrangementen.accounts",
    "openarrangementen.catalog",
    "openarrangementen.contracting",
    "openarrangementen.clients",
    "openarrangementen.cases",
    "openarrangementen.plans",
    "openarrangementen.decisions",
    "openarrangementen.delivery",
    "openarrangementen.contributions",
    "openarrangementen.iwmo",
    "openarrangementen.billing",
    "openarrangementen.documents",
    "openarrangementen.portal",
]

MIDDLEWARE = [
    # Every log line of a request carries its id (core.logs, issue #23).
    "openarrangementen.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Signs out after the region's idle time; then asks for the second factor (issue #21).
    "openarrangementen.accounts.middleware.IdleTimeoutMiddleware",
    "openarrangementen.accounts.middleware.SecondFactorMiddleware",
    "openarrangementen.accounts.middleware.ActingForMiddleware",
    # Writes the NEN 7513 access log once the response is known (no "ingezien" for a 404).
    "openarrangementen.core.audit.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last: it needs the authenticated user to count failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openarrangementen.urls"
WSGI_APPLICATION = "openarrangementen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openarrangementen.portal.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    """SQLite is the embedded default; PostgreSQL is the production database."""
    engine = env_str("DB_ENGINE", "sqlite")
    if engine == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DB_NAME", str(REPO_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    if engine == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("DB_NAME", "openarrangementen"),
            "USER": env_str("DB_USER", "postgres"),
            "PASSWORD": env_str("DB_PASSWORD", ""),
            "HOST": env_str("DB_HOST", "127.0.0.1"),
            "PORT": env_str("DB_PORT", "5432"),
            "CONN_MAX_AGE": 60,
            # A connection that died with a database restart is replaced, not used (#23).
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DB_ENGINE must be 'sqlite' or 'postgresql', not {engine!r}.")


DATABASES = {"default": _database()}

# The worker (`manage.py qcluster`) runs the schedules of core.jobs and the work handed to it
# (core.jobs.enqueue), with the database as its queue (issue #23, ADR 0012). Every job is
# idempotent: a failed one is not retried by django-q2 but runs again at its next turn.
Q_CLUSTER = {
    "name": "openarrangementen",
    "orm": "default",
    "workers": int(env_str("WORKER_PROCESSES", "2")),
    "timeout": 600,  # a folder pickup of a large batch
    "retry": 660,  # must exceed the timeout
    "max_attempts": 1,
    "catch_up": False,  # after a stop, run each schedule once, not once per missed turn
    "save_limit": 500,
    "ack_failures": True,
    "poll": 2,
    "label": "Taken (worker)",
}
# /gereed/ reports the site unready when the worker's heartbeat is older than this.
WORKER_HEARTBEAT_MINUTES = int(env_str("WORKER_HEARTBEAT_MINUTES", "5"))
# Retention (ADR 0013): after these periods a closed traject loses its personal data
# (the daily job *bewaartermijnen*). Defaults from the Selectielijst gemeenten (VNG):
# 8.1.1/8.3.1 Wmo-voorziening 15 jaar, 21.1 advies 5 jaar, 8.4.1 afgebroken 42 dagen,
# 18.1 betaald 7 jaar. A municipality may keep longer, never shorter.
RETENTION_GRANTED_YEARS = int(env_str("RETENTION_GRANTED_YEARS", "15"))
RETENTION_ADVICE_YEARS = int(env_str("RETENTION_ADVICE_YEARS", "5"))
RETENTION_WITHDRAWN_DAYS = int(env_str("RETENTION_WITHDRAWN_DAYS", "42"))
RETENTION_PAYMENT_YEARS = int(env_str("RETENTION_PAYMENT_YEARS", "7"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # OpenID Connect sign-in per SignInProvider; answers only the callback (ADR 0011).
    "openarrangementen.accounts.oidc.SignInBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(REPO_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day; the idle time is a region setting
# Sign out after the region's idle time (Region.idle_timeout_minutes; issue #21).
IDLE_TIMEOUT_ENABLED = env_bool("IDLE_TIMEOUT_ENABLED", True)
# A link for a forgotten password works once and for this many seconds (issue #21); the
# link a new account gets to set its first password works for PASSWORD_RESET_TIMEOUT
# (Django's default, three days).
PASSWORD_FORGOTTEN_TIMEOUT = int(env_str("PASSWORD_FORGOTTEN_TIMEOUT", str(60 * 60)))
# Staff sign in with a second factor (issue #21). Only the demo switches it off;
# `check --deploy` refuses that.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Open Arrangementen"
# Inwoners sign in with DigiD; only the demo lets them use a password (`check --deploy`
# refuses it in production).
INWONER_PASSWORD_LOGIN = env_bool("INWONER_PASSWORD_LOGIN", False)
# mozilla-django-oidc, for the sign-in providers configured in beheer (ADR 0011).
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_TIMEOUT = 10
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@openarrangementen.invalid")
# For the SMTP backend (docs/deployment.md).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The address of the portal, for links in e-mails.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Passkeys (django-otp-webauthn) as a second factor only. A passkey belongs to the portal's
# host name (the relying party): PORTAL_BASE_URL's when it is https; on a laptop over plain
# http, browsers allow passkeys on http://localhost only (never on an IP address).
_portal = urlsplit(PORTAL_BASE_URL)
_portal_https = _portal.scheme == "https"
OTP_WEBAUTHN_RP_NAME = "Open Arrangementen"
OTP_WEBAUTHN_RP_ID = env_str(
    "WEBAUTHN_RP_ID", (_portal.hostname if _portal_https else None) or "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    [f"https://{_portal.netloc}" if _portal_https else f"http://localhost:{_portal.port or 80}"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# iWmo 3.2 XSDs: read from this folder, never copied into the repository. The default is the
# shared folder beside the checkout when it exists.
_shared_iwmo = REPO_DIR.parent / "shared" / "iwmo" / "3.2"
IWMO_SCHEMA_DIR = Path(env_str("IWMO_SCHEMA_DIR", str(_shared_iwmo)))
# iWmo messages larger than this are refused before they are parsed.
IWMO_MAX_MESSAGE_BYTES = int(env_str("IWMO_MAX_MESSAGE_BYTES", str(10 * 1024 * 1024)))
# Folder links (transport "map") read and write only inside this folder; unset: no folder
# links. A link names a folder inside it, never a path of its own (ADR 0009).
IWMO_FOLDER_ROOT = env_str("IWMO_FOLDER_ROOT", "") or None
# Key from which our tokens to providers' software are derived (HMAC). Unset: derived from
# SECRET_KEY. Changing it invalidates every token issued to providers.
IWMO_TOKEN_KEY = env_str("IWMO_TOKEN_KEY", "")
# HTTP links call only public https addresses; set for tests or a closed network to allow
# loopback, private and link-local addresses and plain http.
IWMO_ALLOW_INTERNAL_ADDRESSES = env_bool("IWMO_ALLOW_INTERNAL_ADDRESSES", False)

# A deadline counts as "at risk" (dreigt te verlopen) this many working days before it ends.
TRAJECT_AT_RISK_WORKING_DAYS = int(env_str("TRAJECT_AT_RISK_WORKING_DAYS", "3"))

from .includes.logging import *  # noqa: E402, F403
from .includes.security import *  # noqa: E402, F403
