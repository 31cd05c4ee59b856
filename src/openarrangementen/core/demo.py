"""Demo data: the three regional catalogs, providers, contracts, partnerships, one user per
role, and a few fictitious inwoners. Used by `manage.py seed_demo`; idempotent."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, Region, RoleAssignment, User
from openarrangementen.billing.models import BillingSettings
from openarrangementen.cases.regional_terms import REGIONAL_DEADLINES
from openarrangementen.cases.services import deadline_rules_import, zrm_ensure_current
from openarrangementen.catalog.models import CatalogVersion, SupportForm
from openarrangementen.catalog.regional_catalogs import REGIONAL_CATALOGS, SUPPORT_FORMS
from openarrangementen.catalog.services import catalog_version_import
from openarrangementen.clients.models import Client, Household, Representative
from openarrangementen.contracting.models import Contract, Partnership, PartnershipMember
from openarrangementen.contributions.demo import flat_rates_demo_load
from openarrangementen.core.identifiers import complete_bsn
from openarrangementen.delivery.models import DeliveryPolicy

DEMO_PASSWORD = "oa-demo-2026"

# region slug -> (user prefix, municipality code for the wijkwerker)
REGION_USERS = {
    "almere": ("almere", "0034"),
    "midden-limburg-west": ("mlw", "0988"),
    "leidse-regio": ("leiden", "0546"),
}
MUNICIPALITY_ROLES = [
    (Role.WIJKWERKER, "wijkwerker", "Wies", "Wijkwerker"),
    (Role.PROCESREGISSEUR, "pa", "Pieter", "Regisseur"),
    (Role.COLLEGA_PA, "collega-pa", "Carla", "Collega"),
    (Role.CONTRACTMANAGER, "contractmanager", "Koen", "Contract"),
    (Role.FUNCTIONEEL_BEHEERDER, "beheerder", "Fatima", "Beheer"),
]
PROVIDER_ROLES = [
    (Role.CONTACTPERSOON, "contactpersoon", "Connie"),
    (Role.WERKVERDELER, "werkverdeler", "Wout"),
    (Role.BEGELEIDER, "begeleider", "Bo"),
    (Role.ADMINISTRATIE, "administratie", "Ada"),
]

# (slug, name, agb, city, lots, login prefix or None for a subcontractor without accounts)
PROVIDERS = {
    "almere": [
        ("kade", "De Kade Begeleiding", "75000101", "Almere", ["1", "2", "3", "4B"]),
        ("anker", "Thuishulp Het Anker", "75000102", "Almere", ["3", "4A", "4B"]),
        ("horizon", "Horizon Zorg Flevoland", "75000103", "Lelystad", ["1", "2"]),
        ("zintuig", "Zintuig Nederland", "75000104", "Utrecht", ["5"]),
    ],
    "midden-limburg-west": [
        ("maaskempen", "Begeleiding Maas en Kempen", "75000201", "Weert", ["1"]),
        ("brug", "Stichting De Brug", "75000202", "Roermond", ["1", "3"]),
        ("vervoer", "Vervoer Midden-Limburg", "75000203", "Leudal", ["2"]),
    ],
    "leidse-regio": [
        ("sleutelstad", "Sleutelstad Begeleiding", "75000301", "Leiden", ["S1", "S2", "S3"]),
        ("rijnland", "Rijnland Ouderenzorg", "75000302", "Leiderdorp", ["S4"]),
        ("hhrijnland", "Huishoudhulp Holland Rijnland", "75000303", "Leiden", ["HO"]),
    ],
}
SUBCONTRACTORS = {
    # region: (lead slug, partnership name, fee %, [(name, agb, city, forms)])
    "almere": (
        "kade",
        "De Kade en partners",
        "8.00",
        [
            ("Dagbesteding De Werkplaats", "75000105", "Almere", ["DB-A", "DB-NA"]),
            ("Schoon en Thuis", "75000106", "Almere", ["HH"]),
        ],
    ),
    "midden-limburg-west": (
        "maaskempen",
        "Maas en Kempen samen",
        "5.00",
        [
            ("Zorgboerderij De Peel", "75000204", "Nederweert", ["BG"]),
        ],
    ),
    "leidse-regio": (
        "sleutelstad",
        "Sleutelstad Netwerk",
        "7.50",
        [
            ("Dagbesteding De Zijlpoort", "75000304", "Leiden", ["DB-NA"]),
        ],
    ),
}
# Providers with demo accounts (the others exist for choice and contracts only).
PROVIDERS_WITH_ACCOUNTS = {"kade", "anker", "maaskempen", "brug", "sleutelstad", "rijnland"}

# (municipality code, given names, initials, prefix, family name, birth date, street, number,
#  postcode, city, gender, household key, inwoner login)
CLIENTS = [
    (
        "0034",
        "Johanna Maria",
        "J.M.",
        "de",
        "Vries",
        "1944-03-12",
        "Lindenlaan",
        12,
        "1324 AB",
        "Almere",
        "2",
        "devries",
        "almere.inwoner",
    ),
    (
        "0034",
        "Hendrik",
        "H.",
        "de",
        "Vries",
        "1941-07-30",
        "Lindenlaan",
        12,
        "1324 AB",
        "Almere",
        "1",
        "devries",
        None,
    ),
    (
        "0034",
        "Samira",
        "S.",
        "",
        "El Amrani",
        "1990-11-02",
        "Stationsplein",
        3,
        "1315 KT",
        "Almere",
        "2",
        None,
        None,
    ),
    (
        "0034",
        "Dennis",
        "D.",
        "",
        "Bakker",
        "2001-05-17",
        "Havenkade",
        88,
        "1357 AK",
        "Almere",
        "1",
        None,
        None,
    ),
    (
        "0988",
        "Maria",
        "M.",
        "",
        "Janssen",
        "1958-01-21",
        "Wilhelminasingel",
        40,
        "6001 GS",
        "Weert",
        "2",
        None,
        "mlw.inwoner",
    ),
    (
        "0946",
        "Jan",
        "J.",
        "",
        "Peeters",
        "1972-09-09",
        "Kerkstraat",
        5,
        "6031 BM",
        "Nederweert",
        "1",
        None,
        None,
    ),
    (
        "1640",
        "Anna",
        "A.",
        "van",
        "Dijk",
        "1985-12-30",
        "Markt",
        7,
        "6081 AM",
        "Haelen",
        "2",
        None,
        None,
    ),
    (
        "0546",
        "Pieter",
        "P.",
        "van der",
        "Berg",
        "1966-04-04",
        "Breestraat",
        101,
        "2311 CJ",
        "Leiden",
        "1",
        None,
        "leiden.inwoner",
    ),
    (
        "0579",
        "Fleur",
        "F.",
        "",
        "Smit",
        "1999-08-14",
        "Wilhelminapark",
        22,
        "2342 AG",
        "Oegstgeest",
        "2",
        None,
        None,
    ),
    (
        "0626",
        "Ahmed",
        "A.",
        "",
        "Yilmaz",
        "1950-02-28",
        "Schoolstraat",
        9,
        "2251 BH",
        "Voorschoten",
        "1",
        None,
        None,
    ),
    (
        "0034",
        "Linda",
        "L.",
        "",
        "Verbeek",
        "1987-06-04",
        "Rentmeesterweg",
        41,
        "1325 LM",
        "Almere",
        "2",
        None,
        None,
    ),
    # Mw. Thao of seed 002: a client with a bipolar disorder in Almere (issue #4's walk).
    (
        "0034",
        "Mai",
        "M.",
        "",
        "Thao",
        "1979-09-17",
        "Waterlandseweg",
        112,
        "1336 AA",
        "Almere",
        "2",
        None,
        None,
    ),
]

# What each region agreed about evaluations and subcontractors (seeds 000, 002 and 004 §8).
# Midden-Limburg's delegation switch is a demo choice, to show the policy at work.
DELIVERY_POLICIES = {
    "almere": (8, 10, None, False, "seed 002: evaluatie uiterlijk 8 weken voor het einde"),
    "midden-limburg-west": (
        8,
        10,
        6,
        True,
        "seed 004 §8: halfjaarlijks evalueren bij trajecten langer dan 6 maanden; "
        "inzage onderaannemer: demo-instelling",
    ),
    "leidse-regio": (8, 10, None, False, "standaard (seed 002)"),
}
# How each region pays (billing.domain): Midden-Limburg invoices per CAK period of 4 weeks
# with its own rules (seed 004 §9); the others declare per calendar month (iWmo 3.2).
BILLING = {
    "almere": ("month", "every_period", 28, "iWmo 3.2: declareren per kalendermaand"),
    "midden-limburg-west": (
        "4w",
        "midden_limburg",
        28,
        "seed 004 §6 en §9: per CAK-periode van 4 weken, binnen 4 weken na de periode",
    ),
    "leidse-regio": ("month", "every_period", 28, "iWmo 3.2: declareren per kalendermaand"),
}
# One employee of a subcontractor per region with a partnership (read access by delegation).
SUBCONTRACTOR_USERS = {
    "almere": ("werkplaats.medewerker", "Dagbesteding De Werkplaats", "75000105"),
    "midden-limburg-west": ("peel.medewerker", "Zorgboerderij De Peel", "75000204"),
}


def demo_bsn(n: int) -> str:
    """The n-th fictitious BSN that passes the 11-proef (all start with 99999)."""
    valid = (complete_bsn(f"99999{c:03d}") for c in range(1000))
    return [bsn for bsn in valid if bsn][n]


def _user(username: str, first: str, last: str, password_hash: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.invalid",
            "password": password_hash,
        },
    )
    return user


def _role(user: User, role: Role, **scope: object) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role.value, **scope)


@transaction.atomic
def seed_demo() -> list[tuple[str, str, str]]:
    """Load everything; returns (username, role, organisation) for the README table."""
    logins: list[tuple[str, str, str]] = []
    # One hash for all demo accounts: hashing is deliberately slow, the password is the same.
    password_hash = make_password(DEMO_PASSWORD)
    zrm_ensure_current()
    for slug, build in REGIONAL_CATALOGS.items():
        catalog_version_import(build(), SUPPORT_FORMS)
        region = Region.objects.get(slug=slug)
        version = CatalogVersion.objects.filter(region=region).order_by("valid_from").first()
        assert version is not None
        deadline_rules_import(region=region, rules=REGIONAL_DEADLINES[slug])
        prefix, wijk_code = REGION_USERS[slug]
        for role, suffix, first, last in MUNICIPALITY_ROLES:
            user = _user(f"{prefix}.{suffix}", first, f"{last} ({region.name})", password_hash)
            if role is Role.WIJKWERKER:
                municipality = Municipality.objects.get(cbs_code=wijk_code)
                _role(user, role, municipality=municipality)
                logins.append((user.username, role.value, municipality.name))
                # A second wijkwerker for the vierogenprincipe when client and wijkwerker
                # disagree about the arrangement (seed 002).
                second = _user(
                    f"{prefix}.wijkwerker2", "Wim", f"Tweede ({region.name})", password_hash
                )
                _role(second, role, municipality=municipality)
                logins.append((second.username, role.value, municipality.name))
            else:
                _role(user, role, region=region)
                logins.append((user.username, role.value, region.name))
        for p_slug, name, agb, city, lot_codes in PROVIDERS[slug]:
            provider, _ = Provider.objects.get_or_create(
                agb_code=agb,
                defaults={
                    "name": name,
                    "city": city,
                    "description": f"{name} biedt ondersteuning in de regio {region.name}.",
                    "is_nationally_contracted": p_slug == "zintuig",
                    "registered_by": region,
                },
            )
            for lot in version.lots.filter(code__in=lot_codes):
                Contract.objects.get_or_create(
                    provider=provider,
                    lot=lot,
                    defaults={
                        "reference": f"{region.slug[:3].upper()}-{lot.code}-{agb[-3:]}",
                        "valid_from": version.valid_from,
                    },
                )
            if p_slug in PROVIDERS_WITH_ACCOUNTS:
                for role, suffix, first in PROVIDER_ROLES:
                    user = _user(f"{p_slug}.{suffix}", first, name, password_hash)
                    _role(user, role, provider=provider)
                    logins.append((user.username, role.value, name))
                # A second professional, so the werkverdeler has a choice and can reassign.
                second = _user(f"{p_slug}.begeleider2", "Bram", name, password_hash)
                _role(second, Role.BEGELEIDER, provider=provider)
                logins.append((second.username, Role.BEGELEIDER.value, name))
        lead_slug, partnership_name, fee, members = SUBCONTRACTORS[slug]
        lead = Provider.objects.get(
            agb_code=next(p[2] for p in PROVIDERS[slug] if p[0] == lead_slug)
        )
        partnership, _ = Partnership.objects.get_or_create(
            region=region,
            lead_provider=lead,
            name=partnership_name,
            defaults={
                "coordination_fee_cap_percent": Decimal(fee),
                "valid_from": version.valid_from,
            },
        )
        for name, agb, city, forms in members:
            sub, _ = Provider.objects.get_or_create(
                agb_code=agb, defaults={"name": name, "city": city, "registered_by": region}
            )
            member, _ = PartnershipMember.objects.get_or_create(
                partnership=partnership, provider=sub
            )
            member.support_forms.set(SupportForm.objects.filter(code__in=forms))
        weeks, remind, interim, delegation, source = DELIVERY_POLICIES[slug]
        DeliveryPolicy.objects.update_or_create(
            region=region,
            defaults={
                "evaluation_weeks_before_end": weeks,
                "evaluation_reminder_weeks": remind,
                "interim_every_months": interim,
                "delegation_allowed": delegation,
                "source": source,
            },
        )
        calendar, rule_set, term, billing_source = BILLING[slug]
        BillingSettings.objects.update_or_create(
            region=region,
            defaults={
                "calendar": calendar,
                "rule_set": rule_set,
                "declaration_term_days": term,
                "source": billing_source,
            },
        )
        if slug in SUBCONTRACTOR_USERS:
            username, sub_name, sub_agb = SUBCONTRACTOR_USERS[slug]
            user = _user(username, "Sam", sub_name, password_hash)
            _role(user, Role.ONDERAANNEMER, provider=Provider.objects.get(agb_code=sub_agb))
            logins.append((username, Role.ONDERAANNEMER.value, sub_name))
    flat_rates_demo_load()
    households: dict[str, Household] = {}
    for index, row in enumerate(CLIENTS):
        (
            code,
            given,
            initials,
            prefix_,
            family,
            born,
            street,
            number,
            postcode,
            city,
            gender,
            household_key,
            login,
        ) = row
        household = None
        if household_key:
            household = (
                households.get(household_key)
                or Household.objects.get_or_create(
                    name=f"Huishouden {prefix_} {family}".replace("  ", " ").strip()
                )[0]
            )
            households[household_key] = household
        client, _ = Client.objects.get_or_create(
            bsn=demo_bsn(index),
            defaults={
                "given_names": given,
                "initials": initials,
                "family_name_prefix": prefix_,
                "family_name": family,
                "birth_date": date.fromisoformat(born),
                "gender": gender,
                "street": street,
                "house_number": number,
                "postcode": postcode,
                "city": city,
                "municipality": Municipality.objects.get(cbs_code=code),
                "household": household,
                "phone": f"06-1234{index:04d}",
            },
        )
        if login and client.user_id is None:
            user = _user(login, given.split()[0], f"{prefix_} {family}".strip(), password_hash)
            _role(user, Role.INWONER)
            client.user = user
            client.save(update_fields=["user"])
            logins.append((login, Role.INWONER.value, client.municipality.name))
        if index == 0 and not client.representatives.exists():
            Representative.objects.create(
                client=client,
                kind=Representative.Kind.CLIENT_SUPPORT,
                name="Els Mulder",
                organisation="MEE (onafhankelijke cliëntondersteuning)",
                phone="036-1234567",
            )
    return logins
