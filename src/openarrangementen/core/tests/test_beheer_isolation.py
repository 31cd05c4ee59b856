"""Region isolation in beheer, for every registered model admin (issue #13, ADR 0009).

The expectations are written here by hand from SPEC §2 (the functioneel beheerder configures
catalog, policies, deadlines and users; the contract manager contracts and prices) and
ADR 0009 (national data is the installation's). They are not read from the admin classes:
a new admin that is not in `EXPECTED` fails `test_every_registered_admin_has_an_expectation`,
and one that forgets its region fails the checks below.

For every admin × beheer role × own/other region: the list, the change, history and delete
pages, the add page, every action, and the choices of every relation field in the form.
"""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.forms.models import model_to_dict
from django.urls import reverse

import pytest

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import (
    AccountRequest,
    Provider,
    Region,
    SignInEvent,
    SignInProvider,
    User,
)
from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import (
    AssessmentInstrument,
    CakProductCode,
    CatalogVersion,
    LifeDomain,
    Module,
    ResultCode,
)
from openarrangementen.iwmo.models import Endpoint

pytestmark = pytest.mark.usefixtures("demo")

OWN = "almere"
OTHERS = ("midden-limburg-west", "leidse-regio")
FB, CM = "almere.beheerder", "almere.contractmanager"
BOTH = frozenset({FB, CM})
ONLY_FB = frozenset({FB})
NOBODY: frozenset[str] = frozenset()
NATIONAL = "national"
SUPERUSER_ONLY = "superuser only"

# label: (lookup from the model to its region, or NATIONAL; who may view; who may change,
# add and delete). Written from SPEC §2 and ADR 0009.
EXPECTED: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "accounts.Region": ("", BOTH, ONLY_FB),
    "accounts.Municipality": ("region", BOTH, ONLY_FB),
    # Providers are national (AGB register); changes: see test_provider_*.
    "accounts.Provider": (NATIONAL, BOTH, NOBODY),
    # Accounts: see test_user_*; listed by `home_region` for accounts without a role.
    "accounts.User": ("home_region", ONLY_FB, ONLY_FB),
    # Sign-in events follow the accounts the FB manages (test_user_*); read-only.
    "accounts.SignInEvent": ("user__home_region", ONLY_FB, NOBODY),
    # Sign-in providers (issue #21): the region's functioneel beheerder configures them.
    "accounts.SignInProvider": ("region", ONLY_FB, ONLY_FB),
    "accounts.AccountRequest": (
        "provider__contracts__lot__catalog_version__region",
        ONLY_FB,
        NOBODY,
    ),
    "catalog.CatalogVersion": ("region", BOTH, ONLY_FB),
    "catalog.SupportForm": (NATIONAL, BOTH, NOBODY),
    "catalog.Lot": ("catalog_version__region", BOTH, ONLY_FB),
    "catalog.LifeDomain": ("catalog_version__region", BOTH, ONLY_FB),
    "catalog.Module": ("life_domain__catalog_version__region", BOTH, ONLY_FB),
    "catalog.Arrangement": ("catalog_version__region", BOTH, ONLY_FB),
    "catalog.Level": ("arrangement__catalog_version__region", BOTH, ONLY_FB),
    "catalog.LevelPrice": ("level__arrangement__catalog_version__region", BOTH, BOTH),
    "catalog.ResultCode": ("catalog_version__region", BOTH, ONLY_FB),
    "catalog.CakProductCode": ("catalog_version__region", BOTH, ONLY_FB),
    "catalog.AssessmentInstrument": ("catalog_version__region", BOTH, ONLY_FB),
    "contracting.Contract": ("lot__catalog_version__region", BOTH, BOTH),
    "contracting.Partnership": ("region", BOTH, BOTH),
    "cases.DeadlineRule": ("region", BOTH, ONLY_FB),
    "cases.SelfSufficiencyMatrix": (NATIONAL, BOTH, NOBODY),
    "delivery.DeliveryPolicy": ("region", BOTH, ONLY_FB),
    "contributions.FlatRate": (NATIONAL, BOTH, NOBODY),
    "iwmo.Endpoint": ("region", ONLY_FB, ONLY_FB),
    "billing.BillingSettings": ("region", BOTH, ONLY_FB),
    # Technical: the installation's administrator only.
    "auth.Group": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "auditlog.LogEntry": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "axes.AccessAttempt": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "axes.AccessLog": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "axes.AccessFailureLog": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "core.EquatedHoliday": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "core.AccessLog": (SUPERUSER_ONLY, NOBODY, NOBODY),
    # Second factors (issue #21): an FB resets them from the account, never reads them.
    "otp_totp.TOTPDevice": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "otp_static.StaticDevice": (SUPERUSER_ONLY, NOBODY, NOBODY),
    # The worker's schedules, queue and results (issue #23): the installation's.
    "django_q.Schedule": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "django_q.OrmQ": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "django_q.Success": (SUPERUSER_ONLY, NOBODY, NOBODY),
    "django_q.Failure": (SUPERUSER_ONLY, NOBODY, NOBODY),
}

# Where the choices of a relation field may come from, by the related model (by hand).
CHOICE_REGION = {
    "accounts.Region": "",
    "accounts.Municipality": "region",
    "catalog.CatalogVersion": "region",
    "catalog.Lot": "catalog_version__region",
    "catalog.LifeDomain": "catalog_version__region",
    "catalog.Module": "life_domain__catalog_version__region",
    "catalog.ModuleStep": "module__life_domain__catalog_version__region",
    "catalog.Arrangement": "catalog_version__region",
    "catalog.Level": "arrangement__catalog_version__region",
    # A provider to link, lead or give a role: one contracted in the region.
    "accounts.Provider": "contracts__lot__catalog_version__region",
    # A service user: someone working for a provider contracted in the region.
    "accounts.User": "role_assignments__provider__contracts__lot__catalog_version__region",
    "catalog.SupportForm": NATIONAL,  # the national forms of provision
}
# Fields whose choices are national on purpose: any provider can be contracted, any provider
# can be a subcontractor.
NATIONAL_CHOICES = {
    ("contracting.Contract", "provider"),
    ("contracting.PartnershipMember", "provider"),
}

# Who may add, where it differs from who may change: a region is an installation decision;
# account requests are made in the portal; any beheer role may register a new provider.
ADDERS = {"accounts.Region": NOBODY, "accounts.AccountRequest": NOBODY, "accounts.Provider": BOTH}

# Changing follows ADR 0009 per object: providers (test_provider_*), read-only requests and
# sign-in events.
CHANGE_DIFFERS = {"accounts.Provider", "accounts.AccountRequest", "accounts.SignInEvent"}
# Listed by the accounts the FB manages, not by one path (test_user_list_*, and
# accounts/tests/test_sign_in.py for the events).
BY_MANAGED_ACCOUNT = {"accounts.User", "accounts.SignInEvent"}

SCOPED = sorted(
    label for label, (path, _, _) in EXPECTED.items() if path not in {NATIONAL, SUPERUSER_ONLY}
)
ALL = sorted(EXPECTED)


def model_of(label: str) -> type[Model]:
    return next(m for m in admin.site._registry if m._meta.label == label)


def in_region(queryset: QuerySet, path: str, slugs) -> QuerySet:
    lookup = f"{path}__slug__in" if path else "slug__in"
    return queryset.filter(**{lookup: list(slugs)}).distinct()


def url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows_everywhere():
    """Make sure every scoped model has rows in the own and in another region (the demo has
    most; links and account requests are made here)."""
    kade = Provider.objects.get(agb_code="75000101")
    maas = Provider.objects.get(agb_code="75000201")
    for provider, slug in ((kade, OWN), (maas, OTHERS[0])):
        Endpoint.objects.get_or_create(provider=provider, region=Region.objects.get(slug=slug))
        AccountRequest.objects.get_or_create(
            provider=provider,
            kind="create",
            requested_by=User.objects.filter(role_assignments__provider=provider).first(),
            defaults={
                "first_name": "Test",
                "last_name": provider.name,
                "email": f"t{provider.pk}@x.invalid",
            },
        )
    for slug in (OWN, OTHERS[0]):
        user, _ = User.objects.get_or_create(
            username=f"zonder-rol-{slug}", defaults={"home_region": Region.objects.get(slug=slug)}
        )
        SignInEvent.objects.create(kind="failed", user=user, username=user.username)
        SignInProvider.objects.get_or_create(
            slug=f"digid-{slug}",
            defaults={
                "region": Region.objects.get(slug=slug),
                "kind": "digid",
                "name": "DigiD",
                "issuer": f"https://digid.{slug}.invalid",
                "client_id": "oa",
                "client_secret": "geheim",
                "claim": "bsn",
                "authorization_endpoint": f"https://digid.{slug}.invalid/authorize",
                "token_endpoint": f"https://digid.{slug}.invalid/token",
                "jwks_uri": f"https://digid.{slug}.invalid/jwks",
            },
        )
    # Almere's catalog has no life domains, result codes, CAK codes or instrument of its own.
    version = CatalogVersion.objects.filter(region__slug=OWN).first()
    domain, _ = LifeDomain.objects.get_or_create(
        catalog_version=version, code="T1", defaults={"name": "Testdomein"}
    )
    Module.objects.get_or_create(life_domain=domain, code="TM1", defaults={"name": "Testmodule"})
    ResultCode.objects.get_or_create(
        catalog_version=version, code="T01", defaults={"domain": "Test", "name": "Testresultaat"}
    )
    CakProductCode.objects.get_or_create(
        catalog_version=version,
        product_code="T0001",
        defaults={"lot_name": "Test", "description": "Test"},
    )
    AssessmentInstrument.objects.get_or_create(
        catalog_version=version, defaults={"name": "Test", "scoring": {}}
    )


def test_every_registered_admin_has_an_expectation():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(EXPECTED), (
        "A beheer admin was added or removed: write down, in EXPECTED, where its rows belong "
        "and who may see and change them."
    )


def test_the_admin_checks_pass():
    """`manage.py check` reports an admin without a region or with unscoped choices."""
    from django.core import checks

    errors = [e for e in checks.run_checks() if e.id and e.id.startswith("openarrangementen.")]
    assert errors == []


@pytest.mark.parametrize("username", [FB, CM])
@pytest.mark.parametrize("label", ALL)
def test_list_and_add_follow_the_roles_and_the_region(client, rows_everywhere, label, username):
    model = model_of(label)
    path, viewers, managers = EXPECTED[label]
    client.force_login(flow.user(username))
    response = client.get(url(model, "changelist"))
    if username not in viewers:
        assert response.status_code == 403
        assert client.get(url(model, "add")).status_code == 403
        return
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    if path == NATIONAL:
        assert listed == set(model._default_manager.values_list("pk", flat=True))
    elif label not in BY_MANAGED_ACCOUNT:
        own = set(in_region(model._default_manager.all(), path, [OWN]).values_list("pk", flat=True))
        other = set(
            in_region(model._default_manager.all(), path, OTHERS).values_list("pk", flat=True)
        )
        assert own, f"{label}: no rows in the own region to test with"
        assert other - own, f"{label}: no rows in another region to test with"
        assert listed == own, f"{label}: the list is not exactly the own region's rows"
    if listed:
        opened = client.get(url(model, "change", min(listed)))
        assert opened.status_code == 200, f"{label}: an own row does not open"
        can_save = 'name="_save"' in opened.text
        if label not in CHANGE_DIFFERS:
            assert can_save == (username in managers), f"{label}: editable by {username}?"
    adders = ADDERS.get(label, managers)
    assert client.get(url(model, "add")).status_code == (200 if username in adders else 403)


@pytest.mark.parametrize("username", [FB, CM])
@pytest.mark.parametrize("label", SCOPED)
def test_another_regions_object_cannot_be_opened_changed_deleted_or_acted_on(
    client, rows_everywhere, label, username
):
    model = model_of(label)
    path, viewers, _ = EXPECTED[label]
    queryset = model._default_manager.all()
    others = in_region(queryset, path, OTHERS).exclude(pk__in=in_region(queryset, path, [OWN]))
    target = others.first()
    assert target is not None, f"{label}: nothing in another region to test with"
    before = model_to_dict(target)
    client.force_login(flow.user(username))
    for view in ("change", "history", "delete"):
        response = client.get(url(model, view, target.pk))
        assert response.status_code in {302, 403, 404}, f"{label} {view}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].rstrip("/").endswith("/beheer")
    client.post(url(model, "change", target.pk), {})
    client.post(url(model, "delete", target.pk), {"post": "yes"})
    model_admin = admin.site._registry[model]
    for action in ["delete_selected", *(model_admin.actions or [])]:
        client.post(
            url(model, "changelist"),
            {"action": action, "_selected_action": [target.pk], "post": "yes", "index": 0},
        )
    assert model._default_manager.filter(pk=target.pk).exists(), f"{label}: deleted from outside"
    target.refresh_from_db()
    after = model_to_dict(target)
    assert after == before, f"{label}: changed from another region"
    if label == "iwmo.Endpoint":
        assert not target.token_digest
        assert not target.outgoing_token_salt


def _choice_fields(response) -> list[tuple[str, str, ModelChoiceField]]:
    """(model label, field name, field) for every relation field on the page, inlines too."""
    fields = []
    adminform = response.context["adminform"]
    form_model = adminform.form._meta.model._meta.label
    for name, field in adminform.form.fields.items():
        if isinstance(field, ModelChoiceField):
            fields.append((form_model, name, field))
    for inline in response.context.get("inline_admin_formsets", []):
        inline_model = inline.formset.model._meta.label
        for name, field in inline.formset.empty_form.fields.items():
            own_key = name in {inline.formset.fk.name, inline.formset.model._meta.pk.name}
            if isinstance(field, ModelChoiceField) and not own_key:
                fields.append((inline_model, name, field))
    return fields


@pytest.mark.parametrize("username", [FB, CM])
@pytest.mark.parametrize("label", ALL)
def test_every_choice_in_every_form_is_of_the_own_region(client, rows_everywhere, label, username):
    model = model_of(label)
    path, viewers, managers = EXPECTED[label]
    client.force_login(flow.user(username))
    if username not in viewers:
        return
    response = client.get(url(model, "add"))
    if response.status_code != 200:
        own = model._default_manager.all()
        if path not in {NATIONAL, SUPERUSER_ONLY}:
            own = in_region(own, path, [OWN])
        first = own.first()
        if first is None:
            return
        response = client.get(url(model, "change", first.pk))
        assert response.status_code == 200
    for form_model, name, field in _choice_fields(response):
        if (form_model, name) in NATIONAL_CHOICES or name in {
            "content_type",
            "user_permissions",
            "groups",
        }:
            continue
        related = field.queryset.model._meta.label
        assert related in CHOICE_REGION, f"{form_model}.{name}: no expectation for {related}"
        if CHOICE_REGION[related] == NATIONAL:
            continue
        offered = set(field.queryset.values_list("pk", flat=True))
        allowed = set(
            in_region(
                field.queryset.model._default_manager.all(), CHOICE_REGION[related], [OWN]
            ).values_list("pk", flat=True)
        )
        assert offered <= allowed, f"{form_model}.{name} offers another region's {related}"
        if field.required and username in managers:
            assert offered, f"{form_model}.{name}: nothing to choose in the own region"


def test_a_tampered_choice_of_another_region_is_refused(client):
    """Posting another region's id in a scoped field: the form refuses it."""
    client.force_login(flow.user(FB))
    mlw = Region.objects.get(slug=OTHERS[0])
    response = client.post(
        url(model_of("cases.DeadlineRule"), "add"),
        {"region": mlw.pk, "kind": "start", "amount": 5, "unit": "days", "source": "x"},
    )
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.text
    assert not mlw.deadline_rules.filter(source="x").exists()


def test_superuser_may_still_do_everything(client, rows_everywhere):
    root = User.objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(root)
    for label in ALL:
        model = model_of(label)
        assert client.get(url(model, "changelist")).status_code == 200, label


def test_beheer_roles_are_the_only_ones_in(client):
    for username in ["almere.pa", "kade.werkverdeler", "almere.inwoner"]:
        client.force_login(flow.user(username))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert Role.FUNCTIONEEL_BEHEERDER in {
        Role(r) for r in flow.user(FB).role_assignments.values_list("role", flat=True)
    }
