"""Login throttling (django-axes) and Content Security Policy (django-csp)."""

from csp.constants import NONE, SELF

from openarrangementen.accounts.domain import PAIR_FAILURE_LIMIT

from .env import env_bool, env_str

# Lockout per account-and-address pair, and a slower one per account (issue #21,
# accounts.lockout): [pair, account] is the order accounts.lockout reads them in.
AXES_HANDLER = "openarrangementen.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = PAIR_FAILURE_LIMIT
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "openarrangementen.accounts.lockout.locked_out"
# Behind a load balancer or proxy the client's address is the last but N in
# X-Forwarded-For; 0 (the default) takes the connection's own address.
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# No inline scripts or styles: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
