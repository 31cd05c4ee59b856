"""Demo data: the terms each demo region agreed with its providers (seeds 002 and 004)."""

# Terms the regions agreed with their providers, per region slug: (kind, amount, unit, source).
REGIONAL_DEADLINES = {
    "almere": [
        ("toeleiding", 4, "weken", "seed 002: melding tot doorverwijzing naar aanbieder 4 weken"),
        ("pop_deel_2", 2, "weken", "seed 002: aanbieder levert POP deel II binnen 2 weken"),
        ("beschikking", 2, "weken", "seed 002: van POP tot beschikking 2 weken"),
        ("start", 5, "werkdagen", "seed 002: start binnen 5 werkdagen na het toewijzingsbericht"),
    ],
    "midden-limburg-west": [
        ("afspraak", 5, "werkdagen", "seed 004 §4: afspraak binnen 5 werkdagen na de melding"),
        (
            "pop_deel_2",
            10,
            "werkdagen",
            "seed 004 §4: ondersteuningsplan deel 2 binnen 10 werkdagen",
        ),
        (
            "start",
            10,
            "werkdagen",
            "seed 004 §4: start binnen 10 werkdagen na het toewijzingsbericht",
        ),
    ],
    "leidse-regio": [],
}
