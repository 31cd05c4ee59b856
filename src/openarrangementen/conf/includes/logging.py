"""Logging to standard error; the process manager collects it. JSON lines with a request id
in production, readable lines in the demo (`LOG_FORMAT`); both scrub BSNs (core.logs)."""

from .env import env_str

LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "openarrangementen.core.logs.JsonFormatter"},
        "plain": {
            "()": "openarrangementen.core.logs.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Never the SQL with its parameters (they hold BSNs and names), whatever LOG_LEVEL says.
    "loggers": {"django.db.backends": {"level": "WARNING", "propagate": True}},
}
