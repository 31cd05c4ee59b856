"""The zelfredzaamheidsmatrix of 2017 as data (SPEC §4 step 2). Domain and level names only:
the criteria texts per cell belong to GGD Amsterdam and are not reproduced."""

ZRM_2017_NAME = "Zelfredzaamheidsmatrix 2017"
ZRM_2017_DOMAINS = [
    "Financiën",
    "Werk & opleiding",
    "Tijdsbesteding",
    "Huisvesting",
    "Huiselijke relaties",
    "Geestelijke gezondheid",
    "Lichamelijke gezondheid",
    "Middelengebruik",
    "Basale ADL",
    "Instrumentele ADL",
    "Sociaal netwerk",
    "Maatschappelijke participatie",
    "Justitie",
]
ZRM_LEVEL_NAMES = {
    "1": "acute problematiek",
    "2": "niet zelfredzaam",
    "3": "beperkt zelfredzaam",
    "4": "voldoende zelfredzaam",
    "5": "volledig zelfredzaam",
}
