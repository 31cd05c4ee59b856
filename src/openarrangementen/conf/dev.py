"""Local development and the demo: DEBUG on, SQLite by default, console e-mail."""

from .base import *  # noqa: F403
from .includes.env import env_bool, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)

# Serve static files straight from the source folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Folder links of the demo live beside the checkout; local provider software may run on
# this machine.
IWMO_FOLDER_ROOT = env_str("IWMO_FOLDER_ROOT", str(REPO_DIR / "var" / "iwmo-mappen"))  # noqa: F405
IWMO_ALLOW_INTERNAL_ADDRESSES = True

# The demo's accounts sign in with a password only (README); `check --deploy` refuses this.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", False)
# The demo's inwoners sign in with a password (README); production: DigiD only.
INWONER_PASSWORD_LOGIN = env_bool("INWONER_PASSWORD_LOGIN", True)
# Readable log lines on a laptop; production writes JSON lines (core.logs).
if env_str("LOG_FORMAT", "plain") != "json":  # noqa: F405
    LOGGING["handlers"]["console"]["formatter"] = "plain"  # noqa: F405
