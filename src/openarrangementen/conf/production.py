"""Production: requires a real secret key and PostgreSQL; secure cookies behind TLS."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .includes.env import env_bool

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
# Sub-domains too, unless the municipality's domain has plain-http sites under it
# (docs/deployment.md). The preload list is the domain owner's decision, not the product's:
# off by default, and then its `check --deploy` warning is silenced on purpose.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Off when a proxy in front already redirects to HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer asks over plain http inside the network (issue #23).
SECURE_REDIRECT_EXEMPT = [r"^gezond/$", r"^gereed/$"]
