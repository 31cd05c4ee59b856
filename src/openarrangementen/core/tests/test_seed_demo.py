from django.core.management import CommandError, call_command

import pytest


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="alleen met DEBUG aan"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings, capsys):
    from openarrangementen.accounts.models import User
    from openarrangementen.catalog.models import Level

    settings.DEBUG = True
    before = (User.objects.count(), Level.objects.count())
    call_command("seed_demo")
    call_command("seed_demo")
    # The demo is already loaded once per test database; only the superuser is new.
    assert (User.objects.count() - 1, Level.objects.count()) == before
    assert "oa-demo-2026" in capsys.readouterr().out
