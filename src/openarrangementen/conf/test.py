"""The test suite: fast hashing, in-memory mail; the database comes from DB_ENGINE."""

from .base import *  # noqa: F403
from .includes.env import env_bool

SECRET_KEY = "test-only-not-secret-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The tests' provider software listens on 127.0.0.1 (ADR 0009); the refusal of internal
# addresses is tested by switching this off.
IWMO_ALLOW_INTERNAL_ADDRESSES = True
IWMO_FOLDER_ROOT = None
# Most tests sign in with force_login; the second factor is switched on by the tests of
# signing in (accounts/tests/test_second_factor.py) and the browser test of it.
TWO_FACTOR_REQUIRED = False
# Many tests travel in time between requests; the idle sign-out has its own tests.
IDLE_TIMEOUT_ENABLED = False
# The demo's inwoner signs in with a password in most tests.
INWONER_PASSWORD_LOGIN = True
# Work handed to the worker runs at once, in the test's process; the tests of the worker
# itself start real `qcluster` processes (core/tests/test_jobs.py).
# (they set WORKER_SYNC=false for those processes).
Q_CLUSTER = {**Q_CLUSTER, "sync": env_bool("WORKER_SYNC", True)}  # noqa: F405
