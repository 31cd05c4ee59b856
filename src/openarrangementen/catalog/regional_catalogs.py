"""The three regional catalogs of the seeds, as data (no code per region).

Facts come from shared/seeds (000/001/002 Almere, 003 Leidse regio, 004 Midden-Limburg West).
Every amount or code the seeds do not give is a plausible demo value with `demo: True`; the
catalog page and the admin show it as such. `catalog.services.catalog_version_import` loads one.
"""

from typing import Any

SEED_ALMERE = "seeds 000/001 (Almere, ondersteuningsarrangementen)"
SEED_MLW = "seed 004 (Midden-Limburg West, werkafspraken 2018)"
SEED_LEIDEN = "seed 003 (Leidse regio, marktconsultatie 2021)"

SUPPORT_FORMS: list[dict[str, Any]] = [
    {"code": "HH", "name": "Hulp bij het huishouden", "unit": "hour"},
    {"code": "IB", "name": "Individuele begeleiding", "unit": "hour"},
    {"code": "DB-A", "name": "Dagbesteding arbeidsmatig", "unit": "dagdeel"},
    {"code": "DB-NA", "name": "Dagbesteding niet-arbeidsmatig", "unit": "dagdeel"},
    {"code": "BG", "name": "Begeleiding in groepsverband", "unit": "dagdeel"},
]


def _almere() -> dict[str, Any]:
    arrangements = [
        (
            "1",
            "Psychosociale of psychische problemen",
            ["1"],
            "Personen met hulpvragen door psychosociale problemen of (een vermoeden van) "
            "psychische problemen.",
        ),
        (
            "2",
            "Lichte verstandelijke beperking",
            ["2"],
            "Personen met hulpvragen door een (vermoeden van een) lichte verstandelijke beperking.",
        ),
        (
            "3",
            "Cognitieve achteruitgang en dementie",
            ["3"],
            "Personen met hulpvragen door cognitieve achteruitgang en/of (een vermoeden van) "
            "dementie (psychogeriatrische problemen).",
        ),
        (
            "4",
            "Lichamelijke achteruitgang",
            ["4A", "4B"],
            "Personen met hulpvragen door lichamelijke achteruitgang, bijvoorbeeld door een "
            "lichamelijke beperking, neurologische aandoening, chronische ziekte of NAH.",
        ),
        (
            "5",
            "Zintuiglijke beperking",
            ["5"],
            "Personen met hulpvragen door een zintuiglijke beperking; één niveau, geleverd door "
            "landelijk gecontracteerde partijen.",
        ),
    ]
    # Demo amounts per 4 weeks for levels 1-3; the seeds give none. Cost price = lowest
    # plausible deployment for the level (seed 001), also a demo value.
    tariffs = {1: "620.00", 2: "1140.00", 3: "1980.00"}
    cost_prices = {1: "95.00", 2: "190.00", 3: "330.00"}
    bandwidths = {  # support form -> level -> (min, expected, max) per week, demo
        "HH": {1: ("1.0", "2.0", "3.0"), 2: ("2.0", "3.0", "4.5"), 3: ("3.0", "4.5", "6.0")},
        "IB": {1: ("0.5", "1.5", "2.5"), 2: ("1.5", "3.0", "4.5"), 3: ("3.0", "5.0", "8.0")},
        "DB-A": {1: ("0", "1", "2"), 2: ("1", "2", "4"), 3: ("2", "4", "6")},
        "DB-NA": {1: ("0", "1", "2"), 2: ("1", "2", "4"), 3: ("2", "4", "6")},
    }
    durations = {1: (None, 12), 2: (None, 24), 3: (36, 60)}  # heaviest: 3-5 years (seed 001)
    result = []
    for code, name, lots, target in arrangements:
        forms = ["HH", "IB", "DB-A", "DB-NA"]
        level_numbers = [1] if code == "5" else [1, 2, 3]
        levels = []
        for n in level_numbers:
            min_months, max_months = durations[n] if code != "5" else (None, 24)
            levels.append(
                {
                    "code": f"N{n}",
                    "name": f"Niveau {n}" if code != "5" else "Eén niveau",
                    "rank": n,
                    "attributes": {"niveau": str(n)},
                    "min_duration_months": min_months,
                    "max_duration_months": max_months,
                    "product_category": "10",
                    "product_code": f"OA{code}{n}",
                    "demo": True,
                    "source": SEED_ALMERE + "; productcode is een demowaarde",
                    "prices": [
                        {
                            "kind": "tariff",
                            "amount": tariffs[n],
                            "period": "4w",
                            "valid_from": "2024-01-01",
                            "demo": True,
                        },
                        {
                            "kind": "cost_price",
                            "amount": cost_prices[n],
                            "period": "4w",
                            "valid_from": "2024-01-01",
                            "demo": True,
                            "source": "laagst aannemelijke inzet (seed 001); bedrag is demo",
                        },
                    ],
                    "bandwidths": [
                        {
                            "form": f,
                            "min": bw[n][0],
                            "expected": bw[n][1],
                            "max": bw[n][2],
                            "demo": True,
                        }
                        for f, bw in bandwidths.items()
                    ],
                }
            )
        result.append(
            {
                "code": code,
                "name": name,
                "lots": lots,
                "target_group": target,
                "support_forms": forms,
                "levels": levels,
            }
        )
    return {
        "region": {"name": "Almere", "slug": "almere", "max_coordination_fee_percent": "10.00"},
        "municipalities": [("Almere", "0034")],
        "version": {
            "name": "Ondersteuningsarrangementen 2024",
            "valid_from": "2024-01-01",
            "valid_to": None,
            "description": "Vijf arrangementen met elk drie niveaus (zintuiglijk: één niveau); "
            "vast tarief per niveau per 4 weken; alleen zorg in natura. " + SEED_ALMERE,
        },
        "lots": [
            {"code": "1", "name": "Psychosociale of psychische problemen"},
            {"code": "2", "name": "Lichte verstandelijke beperking"},
            {"code": "3", "name": "Cognitieve achteruitgang en dementie"},
            {
                "code": "4A",
                "name": "Lichamelijke achteruitgang – alleen huishoudelijke hulp",
                "support_forms": ["HH"],
            },
            {
                "code": "4B",
                "name": "Lichamelijke achteruitgang – huishoudelijke hulp en andere ondersteuning",
            },
            {"code": "5", "name": "Zintuiglijke beperking"},
        ],
        "arrangements": result,
    }


def _midden_limburg_west() -> dict[str, Any]:
    categories = ["1", "2", "3"]
    intensities = [("basis", "Basis"), ("aanvullend", "Aanvullend"), ("intensief", "Intensief")]
    tariffs = {  # demo amounts per 4 weeks
        ("1", "basis"): "310.00",
        ("1", "aanvullend"): "480.00",
        ("1", "intensief"): "690.00",
        ("2", "basis"): "520.00",
        ("2", "aanvullend"): "760.00",
        ("2", "intensief"): "1050.00",
        ("3", "basis"): "820.00",
        ("3", "aanvullend"): "1180.00",
        ("3", "intensief"): "1620.00",
    }
    levels = []
    rank = 0
    for cat in categories:
        for key, label in intensities:
            rank += 1
            levels.append(
                {
                    "code": f"C{cat}{key[0].upper()}",
                    "name": f"Categorie {cat} – {label}",
                    "rank": rank,
                    "attributes": {"categorie": cat, "intensiteit": key},
                    "max_duration_months": 60,
                    "product_category": "02",
                    "product_code": f"02C{cat}{key[0].upper()}",
                    "demo": True,
                    "source": SEED_MLW + "; bijlage 5 (profielcodes) staat niet in de seed: "
                    "productcode is een demowaarde",
                    "prices": [
                        {
                            "kind": "tariff",
                            "amount": tariffs[(cat, key)],
                            "period": "4w",
                            "valid_from": "2018-01-01",
                            "demo": True,
                        },
                        {
                            "kind": "cost_price",
                            "amount": "150.00",
                            "period": "4w",
                            "valid_from": "2018-01-01",
                            "source": "seed 004 §7: kostprijs € 150 per 4 weken voor elk profiel",
                        },
                    ],
                }
            )
    return {
        "region": {
            "name": "Midden-Limburg West",
            "slug": "midden-limburg-west",
            "max_coordination_fee_percent": None,
        },
        "municipalities": [("Weert", "0988"), ("Nederweert", "0946"), ("Leudal", "1640")],
        "version": {
            "name": "Wmo nieuwe taken 2018",
            "valid_from": "2018-01-01",
            "valid_to": None,
            "description": "Begeleidingsprofielen categorie 1/2/3 × intensiteit basis/aanvullend/"
            "intensief, gekozen met het beoordelingsinstrument A–E. " + SEED_MLW,
            "max_term_months_stable": 60,
            "max_term_months_change_expected": 24,
        },
        "indication_terms": [
            (6, "6 maanden"),
            (12, "1 jaar"),
            (18, "1½ jaar"),
            (24, "2 jaar"),
            (36, "3 jaar"),
            (48, "4 jaar"),
            (60, "5 jaar"),
        ],
        "lots": [
            {"code": "1", "name": "Begeleiding (profielen)"},
            {"code": "2", "name": "Vervoer"},
            {"code": "3", "name": "Kortdurend verblijf"},
        ],
        "arrangements": [
            {
                "code": "BEG",
                "name": "Begeleiding",
                "lots": ["1"],
                "support_forms": ["IB", "BG"],
                "target_group": "Inwoners die begeleiding nodig hebben om zelfstandig te "
                "functioneren; profiel volgens categorie en intensiteit.",
                "levels": levels,
            },
            {
                "code": "VVR",
                "name": "Vervoer",
                "lots": ["2"],
                "kind": "additional",
                "target_group": "Vervoer van en naar begeleiding in groepsverband, als dat op "
                "eigen kracht niet kan.",
                "levels": [
                    {
                        "code": "ZIT",
                        "name": "Zittend vervoer",
                        "rank": 1,
                        "product_category": "08",
                        "product_code": "08ZIT",
                        "iwmo_unit": "82",
                        "iwmo_frequency": "4",
                        "demo": True,
                        "source": SEED_MLW,
                        "prices": [
                            {
                                "kind": "tariff",
                                "amount": "95.00",
                                "period": "4w",
                                "valid_from": "2018-01-01",
                                "demo": True,
                            }
                        ],
                    },
                    {
                        "code": "RST",
                        "name": "Rolstoelvervoer",
                        "rank": 2,
                        "product_category": "08",
                        "product_code": "08RST",
                        "iwmo_unit": "82",
                        "iwmo_frequency": "4",
                        "demo": True,
                        "source": SEED_MLW,
                        "prices": [
                            {
                                "kind": "tariff",
                                "amount": "140.00",
                                "period": "4w",
                                "valid_from": "2018-01-01",
                                "demo": True,
                            }
                        ],
                    },
                ],
            },
            {
                "code": "KV",
                "name": "Kortdurend verblijf",
                "lots": ["3"],
                "kind": "additional",
                "target_group": "Logeren om de mantelzorger te ontlasten; aantal etmalen per "
                "4 weken wordt bij de indicatie bepaald.",
                "levels": [
                    {
                        "code": "KV",
                        "name": "Kortdurend verblijf (etmalen per 4 weken)",
                        "rank": 1,
                        "product_category": "04",
                        "product_code": "04KV",
                        "iwmo_unit": "14",
                        "iwmo_frequency": "4",
                        "demo": True,
                        "source": SEED_MLW,
                        "prices": [
                            {
                                "kind": "tariff",
                                "amount": "135.00",
                                "period": "4w",
                                "valid_from": "2018-01-01",
                                "demo": True,
                                "source": "bedrag per etmaal (demo)",
                            }
                        ],
                    },
                ],
            },
        ],
        "assessment": {
            "name": "Beoordelingsinstrument profielkeuze",
            "demo": True,
            "source": "seed 004 bijlage 2 (criteria); de puntentelling van bijlage 4 staat "
            "niet in de seed en is een demowaarde",
            "criteria": [
                (
                    1,
                    "Deel 1: veiligheid en risicofactoren (zonder ondersteuning)",
                    "De veiligheid van de cliënt en zijn omgeving.",
                    "veilig",
                    "onveilig",
                ),
                (
                    2,
                    "Deel 1: veiligheid en risicofactoren (zonder ondersteuning)",
                    "De mate van balans tussen beschermende factoren en risicofactoren.",
                    "beschermend",
                    "risico",
                ),
                (
                    3,
                    "Deel 2: resultaat, zelfstandigheid en samenwerkingsgerichtheid "
                    "(met ondersteuning)",
                    "De afstand tot het beoogde resultaat.",
                    "klein",
                    "groot",
                ),
                (
                    4,
                    "Deel 2: resultaat, zelfstandigheid en samenwerkingsgerichtheid "
                    "(met ondersteuning)",
                    "De mate van zelfstandigheid van de cliënt (en zijn netwerk).",
                    "zelfstandig",
                    "afhankelijk",
                ),
                (
                    5,
                    "Deel 2: resultaat, zelfstandigheid en samenwerkingsgerichtheid "
                    "(met ondersteuning)",
                    "De mate van samenwerkingsgerichtheid van de cliënt (en zijn netwerk).",
                    "coöperatief",
                    "niet-coöperatief",
                ),
            ],
            "scoring": {
                "letters": {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5},
                "outcomes": [
                    {
                        "attribute": "categorie",
                        "criteria": [1, 2],
                        "aggregate": "max",
                        "bands": [
                            {"up_to": 2, "value": "1"},
                            {"up_to": 3, "value": "2"},
                            {"up_to": 5, "value": "3"},
                        ],
                    },
                    {
                        "attribute": "intensiteit",
                        "criteria": [3, 4, 5],
                        "aggregate": "round_mean",
                        "bands": [
                            {"up_to": 2, "value": "basis"},
                            {"up_to": 3, "value": "aanvullend"},
                            {"up_to": 5, "value": "intensief"},
                        ],
                    },
                ],
            },
        },
        "result_codes": [  # demo: bijlage 3 (resultatenmatrix) is not in the seed
            ("R01", "Financiën", "Inwoner heeft inzicht in inkomsten en uitgaven"),
            ("R02", "Financiën", "Inwoner betaalt vaste lasten op tijd"),
            ("R03", "Huisvesting", "Inwoner behoudt zijn woning"),
            ("R04", "Dagbesteding", "Inwoner heeft een passende daginvulling"),
            ("R05", "Sociaal netwerk", "Inwoner heeft een steunend netwerk"),
            ("R06", "Zelfzorg", "Inwoner zorgt voor persoonlijke verzorging en gezondheid"),
            ("R07", "Huishouden", "Inwoner voert (met hulp) de regie over het huishouden"),
            ("R08", "Mantelzorg", "Mantelzorger is in balans en kan de zorg volhouden"),
        ],
        "cak_product_codes": [
            # seed 004 bijlage 6, CAK-codelijst overgangsperiode 2017-2018, as printed.
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding somatiek",
                "2701",
                "405",
                "",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding psychogeriatrisch",
                "2702",
                "404",
                "",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding verstandelijk gehandicapten",
                "2703",
                "406",
                "",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding lichamelijk gehandicapten",
                "2704",
                "403",
                "",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding zintuiglijk gehandicapten auditief",
                "2705",
                "",
                "CAK-code niet leesbaar in de bron (samengevoegde cel)",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding zintuiglijk gehandicapten visueel",
                "2706",
                "",
                "CAK-code niet leesbaar in de bron (samengevoegde cel)",
            ),
            (
                "Perceel 1: Individuele Begeleiding",
                "Individuele begeleiding bij psychiatrische problematiek",
                "2707",
                "",
                "CAK-code niet leesbaar in de bron (samengevoegde cel)",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband somatiek",
                "7701",
                "412",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband psychogeriatrisch",
                "7702",
                "413",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband verstandelijk gehandicapten",
                "7703",
                "415",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband lichamelijk gehandicapten",
                "7704",
                "418",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband zintuiglijk gehandicapten auditief",
                "7705",
                "421",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband zintuiglijk gehandicapten visueel",
                "7706",
                "424",
                "",
            ),
            (
                "Perceel 2: Begeleiding Groepsverband",
                "Begeleiding in groepsverband bij psychiatrische problematiek",
                "7707",
                "411",
                "",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf ouderen somatiek",
                "4701",
                "449",
                "samengevoegde cel met 4702",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf ouderen psychogeriatrisch",
                "4702",
                "449",
                "samengevoegde cel met 4701",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf verstandelijk gehandicapten",
                "4703",
                "447",
                "samengevoegde cel met 4704",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf lichamelijk gehandicapten",
                "4704",
                "447",
                "samengevoegde cel met 4703",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf zintuiglijk gehandicapten auditief",
                "4705",
                "448",
                "samengevoegde cel met 4706",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf zintuiglijk gehandicapten visueel",
                "4706",
                "448",
                "samengevoegde cel met 4705",
            ),
            (
                "Perceel 3: Kortdurend Verblijf",
                "Kortdurend verblijf bij psychiatrische problematiek",
                "4707",
                "428",
                "",
            ),
        ],
    }


# The availability matrix of seed 003: life domain -> modules -> {step: "x" or "?"}.
LEIDEN_MATRIX: list[tuple[str, str, list[tuple[str, str, dict[int, str]]]]] = [
    (
        "OND",
        "Ondersteuning",
        [
            ("SPF", "Sociaal persoonlijk functioneren", {1: "x", 2: "x", 3: "x", 4: "x", 5: "x"}),
            ("ZZG", "Zelfzorg en gezondheid", {1: "x", 2: "x", 3: "x"}),
            ("GZ", "Geldzaken", {1: "?", 2: "x", 3: "x"}),
            ("DB", "Dagbesteding", {1: "x", 2: "x", 3: "x", 4: "x", 5: "x"}),
        ],
    ),
    (
        "BBN",
        "Bereikbaarheid / beschikbaarheid avond en nacht",
        [
            ("24O", "24 uur oproepbaar / bereikbaar", {1: "x"}),
            ("24B", "24 uur beschikbaarheid", {2: "x"}),
            ("24I", "24 uur beschikbaarheid intensief", {3: "x"}),
        ],
    ),
    (
        "WON",
        "(Gezamenlijk) wonen",
        [
            ("SB", "Sociaal beheer / ongepland", {1: "x"}),
            (
                "SBV",
                "Sociaal beheer / ongepland plus kosten gemeenschappelijke ruimtes en vaste "
                "aanwezigheid groepswonen locatie",
                {2: "x"},
            ),
            (
                "SBI",
                "Sociaal beheer / ongepland plus kosten gemeenschappelijke ruimtes en "
                "intensievere vaste aanwezigheid groepswonen locatie",
                {3: "x"},
            ),
        ],
    ),
    (
        "HVK",
        "Huisvestingskosten",
        [
            (
                "HUR",
                "Huur plus extra verblijfskosten (voeding, schoonmaak e.d.) in geval van toch "
                "intramuraal",
                {1: "x"},
            ),
        ],
    ),
]

LEIDEN_SEGMENTS = [
    ("S1", "Volwassenen (herstelgericht)"),
    ("S2", "Volwassenen (stabiliserend)"),
    ("S3", "Volwassenen (complexe problematiek)"),
    ("S4", "Ouderen"),
]


def _leidse_regio() -> dict[str, Any]:
    arrangements = []
    for index, (segment, name) in enumerate(LEIDEN_SEGMENTS, start=1):
        levels = []
        for _domain_code, _domain_name, modules in LEIDEN_MATRIX:
            for module_code, module_name, steps in modules:
                for step, mark in steps.items():
                    if mark != "x":
                        continue
                    # Demo amount per month: a base per step, higher for heavier segments.
                    amount = 90 * step + 25 * index
                    levels.append(
                        {
                            "code": f"{module_code}-{step}",
                            "name": f"{module_name} – trede {step}",
                            "rank": step,
                            "module": module_code,
                            "step": step,
                            "attributes": {"module": module_code, "trede": str(step)},
                            "max_duration_months": 12 if segment == "S1" else 36,
                            "product_category": "10",
                            "product_code": f"{index}{module_code[:2]}{step}",
                            "demo": True,
                            "source": SEED_LEIDEN + "; productcode is een demowaarde",
                            "prices": [
                                {
                                    "kind": "tariff",
                                    "amount": f"{amount}.00",
                                    "period": "month",
                                    "valid_from": "2023-01-01",
                                    "demo": True,
                                },
                                {
                                    "kind": "cost_price",
                                    "amount": f"{min(amount, 200)}.00",
                                    "period": "month",
                                    "valid_from": "2023-01-01",
                                    "demo": True,
                                },
                            ],
                        }
                    )
        arrangements.append(
            {
                "code": segment,
                "name": f"Arrangement {name}",
                "lots": [segment],
                "composition": "modules",
                "modules": "all",
                "target_group": f"Segment {name}. Jongvolwassenen (16–27) krijgen in segment 1–3 "
                "bijzondere aandacht.",
                "levels": levels,
            }
        )
    arrangements.append(
        {
            "code": "HO",
            "name": "Huishoudelijke ondersteuning",
            "lots": ["HO"],
            "support_forms": ["HH"],
            "target_group": "Het voeren van een huishouden / leefbaar huis, als apart perceel "
            "zodat HO-aanbieders geen onderaannemer hoeven te zijn.",
            "levels": [
                {
                    "code": f"HO{n}",
                    "name": f"Huishoudelijke ondersteuning trede {n}",
                    "rank": n,
                    "max_duration_months": 60,
                    "product_category": "01",
                    "product_code": f"01HO{n}",
                    "demo": True,
                    "source": SEED_LEIDEN,
                    "prices": [
                        {
                            "kind": "tariff",
                            "amount": amount,
                            "period": "month",
                            "valid_from": "2023-01-01",
                            "demo": True,
                        },
                        {
                            "kind": "cost_price",
                            "amount": amount,
                            "period": "month",
                            "valid_from": "2023-01-01",
                            "demo": True,
                        },
                    ],
                    "bandwidths": [
                        {"form": "HH", "min": mn, "expected": ex, "max": mx, "demo": True}
                    ],
                }
                for n, amount, mn, ex, mx in [
                    (1, "120.00", "0.5", "1.5", "2.0"),
                    (2, "215.00", "2.0", "3.0", "4.0"),
                ]
            ],
        }
    )
    return {
        "region": {
            "name": "Leidse regio",
            "slug": "leidse-regio",
            "max_coordination_fee_percent": "8.00",
        },
        "municipalities": [
            ("Leiden", "0546"),
            ("Leiderdorp", "0547"),
            ("Oegstgeest", "0579"),
            ("Voorschoten", "0626"),
            ("Zoeterwoude", "0638"),
        ],
        "version": {
            "name": "Wmo-arrangementen 2023",
            "valid_from": "2023-01-01",
            "valid_to": None,
            "description": "Segmenten als percelen; arrangementen opgebouwd uit modules per "
            "leefgebied op treden 1–5; huishoudelijke ondersteuning als apart perceel. "
            + SEED_LEIDEN,
        },
        "lots": [{"code": code, "name": name} for code, name in LEIDEN_SEGMENTS]
        + [{"code": "HO", "name": "Huishoudelijke ondersteuning", "support_forms": ["HH"]}],
        "life_domains": LEIDEN_MATRIX,
        "arrangements": arrangements,
    }


REGIONAL_CATALOGS: dict[str, Any] = {
    "almere": _almere,
    "midden-limburg-west": _midden_limburg_west,
    "leidse-regio": _leidse_regio,
}
