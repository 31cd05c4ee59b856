"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests (issue #21, ADR 0011).

`testing/oidc_provider` is a small Django project around django-oidc-provider. The `idp`
fixture (conftest.py) starts it once per test session in its own process on a free port,
with its own SQLite file; the product talks to it over HTTP exactly as it would to a DigiD
broker or a municipality's identity provider. Nothing of the protocol is mocked.

The people it knows (password `PASSWORD`):

- `DIGID_INWONER`: the BSN of the demo's almere.inwoner (Johanna de Vries);
- `DIGID_REPRESENTATIVE`: a BSN that is nobody's file; the tests record it as the legal
  representative of the demo's Hendrik de Vries;
- `DIGID_UNKNOWN`: a valid BSN with no file and no representation;
- `STAFF_NEW`: a staff member of Almere the product has never seen;
- `STAFF_PA`: the demo's almere.pa, by e-mail address.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from hashlib import md5
from pathlib import Path

from django.conf import settings

import requests

from openarrangementen.core.demo import demo_bsn

PASSWORD = "idp-test-2026"
PROJECT = Path(settings.REPO_DIR) / "testing" / "oidc_provider"
DIGID_INWONER = demo_bsn(0)
DIGID_REPRESENTATIVE = demo_bsn(500)
DIGID_UNKNOWN = demo_bsn(501)
STAFF_NEW = ("a.bakker", "a.bakker@almere.example")
STAFF_PA = ("p.almere", "almere.pa@demo.invalid")
PEOPLE = [
    (DIGID_INWONER, ""),
    (DIGID_REPRESENTATIVE, ""),
    (DIGID_UNKNOWN, ""),
    STAFF_NEW,
    STAFF_PA,
]
# (client_id, secret) as made by testidp's setup_test_idp command.
DIGID_CLIENT = ("oa-digid", "digid-secret-not-secret")
STAFF_CLIENT = ("oa-almere", "almere-secret-not-secret")
OTHER_CLIENT = ("oa-ander", "ander-secret-not-secret")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestIdentityProvider:
    """One running test provider; `stop()` ends it."""

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/openid"
        self.database = workdir / "idp.sqlite3"
        self.log = workdir / "idp.log"
        self.redirects = ["http://testserver/account/inloggen/terug/"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "idp_settings",
            "IDP_DB": str(self.database),
            "IDP_SITE_URL": self.url,
        }
        self.env.pop("DATABASE_URL", None)
        self.manage("migrate", "--no-input", "-v0")
        self.setup()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    f"127.0.0.1:{self.port}",
                    "--noreload",
                    "--nothreading",
                ],
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait()

    def manage(self, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"test provider: manage.py {args[0]} failed:\n{result.stderr}")

    def setup(self) -> None:
        args = ["setup_test_idp"]
        for redirect in self.redirects:
            args += ["--redirect", redirect]
        for username, email in PEOPLE:
            args += ["--person", f"{username}:{email}"]
        self.manage(*args)

    def allow_redirect(self, url: str) -> None:
        """Register the callback of a live server (its port is known only once it runs)."""
        if url not in self.redirects:
            self.redirects.append(url)
            self.setup()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"test provider stopped: {self.log.read_text()[-2000:]}")
            try:
                requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"test provider did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def signing_key(self) -> tuple[str, str]:
        """The provider's own RSA key (PEM) and its key id, read from its database: for
        tests that sign a token the provider would never issue (another audience, expired)
        and check that the product refuses it although the signature is genuine."""
        with sqlite3.connect(self.database) as db:
            (pem,) = db.execute("select key from oidc_provider_rsakey order by id").fetchone()
        return pem, md5(pem.encode()).hexdigest()  # the provider's own key id


def make_sign_in_providers(idp: TestIdentityProvider):
    """Almere's DigiD broker and the municipality's own staff provider, both this test
    provider, with the endpoints from its discovery document (as beheer would fetch them)."""
    from types import SimpleNamespace

    from openarrangementen.accounts.models import Municipality, SignInProvider
    from openarrangementen.accounts.oidc import discover

    almere = Municipality.objects.get(cbs_code="0034")
    endpoints = discover(idp.issuer)
    common = {"region": almere.region, "issuer": idp.issuer, **endpoints}
    digid = SignInProvider.objects.create(
        kind=SignInProvider.Kind.DIGID,
        name="DigiD",
        slug="digid",
        client_id=DIGID_CLIENT[0],
        client_secret=DIGID_CLIENT[1],
        scopes="openid bsn",
        claim="bsn",
        **common,
    )
    staff = SignInProvider.objects.create(
        kind=SignInProvider.Kind.STAFF,
        name="Gemeente Almere",
        slug="almere",
        municipality=almere,
        client_id=STAFF_CLIENT[0],
        client_secret=STAFF_CLIENT[1],
        scopes="openid email profile",
        claim="email",
        **common,
    )
    return SimpleNamespace(digid=digid, staff=staff, idp=idp)
