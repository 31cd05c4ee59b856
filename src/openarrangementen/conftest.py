"""Fixtures shared by all apps: the demo data and a headless Chromium for browser tests."""

import os

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo once per test database: every test runs in a transaction on top of it.

    Transactional tests (the browser tests) empty the database when they end; pytest-django
    runs them after all others, and each one loads the demo again for itself.
    """
    from openarrangementen.core.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()


@pytest.fixture
def demo(db):
    """The full demo: three regional catalogs, providers, contracts, users, inwoners."""


@pytest.fixture
def demo_server(live_server):
    """A live server with the demo loaded (transactional: the demo is loaded again)."""
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    return live_server


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    """A real OpenID Connect provider on 127.0.0.1 (tests/oidc.py), one per test session."""
    from openarrangementen.tests.oidc import TestIdentityProvider

    provider = TestIdentityProvider(tmp_path_factory.mktemp("idp"))
    yield provider
    provider.stop()
