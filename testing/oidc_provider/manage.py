#!/usr/bin/env python
"""A real OpenID Connect provider for the tests of signing in (issue #21): django-oidc-provider
in a small project of its own, run on 127.0.0.1 by the test fixture
(src/openarrangementen/tests/oidc.py). It plays DigiD (through a broker: a `bsn` claim) and a
municipality's own staff provider (an `email` claim). Never part of the product."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp_settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
