"""The regional catalog: versions, lots, arrangements, levels, bandwidths, prices, codes.

One model expresses Almere, Midden-Limburg West and Leidse regio as data; see
docs/adr/0003-catalog-model.md.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.models import Region
from openarrangementen.core.models import ValidityPeriod

from .domain import (
    ArrangementKind,
    Availability,
    Composition,
    DeploymentUnit,
    PriceKind,
    PricePeriod,
    bandwidth_error,
    scoring_errors,
)

WMO020_PRODUCT_CATEGORIES = [
    ("01", "01 Hulp bij het huishouden"),
    ("02", "02 Begeleiding"),
    ("03", "03 Persoonlijke verzorging"),
    ("04", "04 Kortdurend verblijf"),
    ("05", "05 Woondiensten"),
    ("06", "06 Overige ondersteuning gericht op het individu of huishouden/gezin"),
    ("07", "07 Dagbesteding"),
    ("08", "08 Vervoerdiensten"),
    ("09", "09 Overige groepsgerichte ondersteuning"),
    ("10", "10 Overige maatwerk arrangementen"),
    ("11", "11 Rolstoelen"),
    ("12", "12 Vervoervoorzieningen"),
    ("13", "13 Woonvoorzieningen"),
    ("14", "14 Overige hulpmiddelen"),
    ("15", "15 Beschermd wonen"),
    ("16", "16 Opvang"),
    ("17", "17 Spoedopvang"),
    ("18", "18 Overige beschermd wonen en opvang"),
]
WJ756_UNITS = [
    ("01", "Minuut"),
    ("04", "Uur"),
    ("14", "Etmaal"),
    ("16", "Dagdeel (4 uur)"),
    ("82", "Stuks (output)"),
    ("83", "Euro's"),
    ("84", "Stuks (inspanning)"),
]
WMO757_FREQUENCIES = [
    ("1", "Per dag"),
    ("2", "Per week"),
    ("4", "Per maand"),
    ("6", "Totaal binnen geldigheidsduur toewijzing"),
]
COMPOSITION_LABELS = {
    Composition.SINGLE_LEVEL: "één niveau per indicatie",
    Composition.MODULES: "modules per leefgebied, elk op een trede",
}
KIND_LABELS = {
    ArrangementKind.ARRANGEMENT: "arrangement",
    ArrangementKind.ADDITIONAL: "aanvullend product",
}
PRICE_KIND_LABELS = {PriceKind.TARIFF: "tarief aanbieder", PriceKind.COST_PRICE: "kostprijs (CAK)"}
PERIOD_LABELS = {PricePeriod.FOUR_WEEKS: "per 4 weken", PricePeriod.MONTH: "per maand"}
UNIT_LABELS = {
    DeploymentUnit.HOUR: "uur",
    DeploymentUnit.DAGDEEL: "dagdeel",
    DeploymentUnit.ETMAAL: "etmaal",
    DeploymentUnit.RIDE: "rit",
}
AVAILABILITY_LABELS = {
    Availability.AVAILABLE: "beschikbaar",
    Availability.UNDECIDED: "nog te bepalen",
}

_code = RegexValidator(r"^[0-9A-Za-z.\-]+$", "Gebruik alleen letters, cijfers, punt of streepje.")


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


class DemoMarked(models.Model):
    """A value the seeds do not give is a plausible demo value and says so (issue #2)."""

    is_demo_value = models.BooleanField(
        "demowaarde",
        default=False,
        help_text="Aangevinkt: het bedrag of de code staat niet in de brondocumenten en is een "
        "plausibele voorbeeldwaarde.",
    )
    source = models.CharField("bron", max_length=300, blank=True)

    class Meta:
        abstract = True


class CatalogVersion(ValidityPeriod):
    """The catalog of a region for one contract period. A new period gets a new version."""

    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.PROTECT, related_name="catalog_versions"
    )
    name = models.CharField("naam", max_length=150)
    description = models.TextField("toelichting", blank=True)
    max_term_months_stable = models.PositiveSmallIntegerField(
        "maximale indicatieduur bij stabiele situatie (maanden)", null=True, blank=True
    )
    max_term_months_change_expected = models.PositiveSmallIntegerField(
        "maximale indicatieduur als verandering verwacht wordt (maanden)", null=True, blank=True
    )

    class Meta(ValidityPeriod.Meta):
        ordering = ["region", "-valid_from"]
        verbose_name = "catalogusversie"
        verbose_name_plural = "catalogusversies"

    def __str__(self) -> str:
        return f"{self.region} – {self.name}"

    def clean(self) -> None:
        super().clean()
        if not self.region_id:
            return
        other = self.first_overlapping(CatalogVersion.objects.filter(region_id=self.region_id))
        if other is not None:
            raise ValidationError(
                f"Deze periode overlapt met catalogusversie '{other.name}' "
                f"({other.validity.describe()})."
            )


class SupportForm(models.Model):
    """A form of support inside an arrangement: HH, IB, DB (work-oriented or not), …"""

    code = models.CharField("code", max_length=10, unique=True, validators=[_code])
    name = models.CharField("naam", max_length=100)
    unit = models.CharField(
        "eenheid van inzet", max_length=10, choices=_choices(UNIT_LABELS), default="hour"
    )
    pgb_allowed = models.BooleanField(
        "los als pgb mogelijk",
        default=True,
        help_text="Losse ondersteuningsvormen mogen als pgb; een arrangement nooit (SPEC §3).",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "ondersteuningsvorm"
        verbose_name_plural = "ondersteuningsvormen"

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Lot(models.Model):
    """A procurement lot (perceel); providers are contracted per lot."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="lots",
    )
    code = models.CharField("perceelnummer", max_length=20, validators=[_code])
    name = models.CharField("naam", max_length=150)
    description = models.TextField("omschrijving", blank=True)
    support_forms = models.ManyToManyField(
        SupportForm,
        verbose_name="toegestane ondersteuningsvormen",
        blank=True,
        help_text="Leeg: alle vormen van de arrangementen. Perceel 4A (Almere): alleen HH.",
    )
    rank = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        ordering = ["catalog_version", "rank", "code"]
        verbose_name = "perceel"
        verbose_name_plural = "percelen"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "code"],
                name="lot_code_unique_in_version",
                violation_error_message="Dit perceelnummer bestaat al in deze catalogusversie.",
            )
        ]

    def __str__(self) -> str:
        return f"Perceel {self.code} – {self.name}"


class LifeDomain(models.Model):
    """A life domain (leefgebied) grouping modules (Leidse regio)."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="life_domains",
    )
    code = models.CharField("code", max_length=20, validators=[_code])
    name = models.CharField("naam", max_length=150)
    rank = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        ordering = ["catalog_version", "rank", "code"]
        verbose_name = "leefgebied"
        verbose_name_plural = "leefgebieden"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "code"], name="life_domain_code_unique_in_version"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A module (submodule) within a life domain, available at some steps (treden)."""

    life_domain = models.ForeignKey(
        LifeDomain, verbose_name="leefgebied", on_delete=models.CASCADE, related_name="modules"
    )
    code = models.CharField("code", max_length=20, validators=[_code])
    name = models.CharField("naam", max_length=250)
    rank = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        ordering = ["life_domain", "rank", "code"]
        verbose_name = "module"
        verbose_name_plural = "modules"
        constraints = [
            models.UniqueConstraint(fields=["life_domain", "code"], name="module_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ModuleStep(models.Model):
    """One cell of the availability matrix: module × trede (seed 003)."""

    module = models.ForeignKey(
        Module, verbose_name="module", on_delete=models.CASCADE, related_name="steps"
    )
    step = models.PositiveSmallIntegerField(
        "trede", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    availability = models.CharField(
        "beschikbaarheid", max_length=10, choices=_choices(AVAILABILITY_LABELS)
    )

    class Meta:
        ordering = ["module", "step"]
        verbose_name = "trede van een module"
        verbose_name_plural = "treden van modules"
        constraints = [
            models.UniqueConstraint(fields=["module", "step"], name="module_step_unique"),
            models.CheckConstraint(
                name="module_step_1_to_5", condition=Q(step__gte=1, step__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} – trede {self.step}"


class Arrangement(models.Model):
    """A support arrangement (profile) for a target group, or an additional product."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="arrangements",
    )
    lots = models.ManyToManyField(Lot, verbose_name="percelen", related_name="arrangements")
    code = models.CharField("code", max_length=20, validators=[_code])
    name = models.CharField("naam", max_length=200)
    target_group = models.TextField("doelgroep", blank=True)
    kind = models.CharField(
        "soort", max_length=15, choices=_choices(KIND_LABELS), default="arrangement"
    )
    composition = models.CharField(
        "opbouw", max_length=15, choices=_choices(COMPOSITION_LABELS), default="single_level"
    )
    support_forms = models.ManyToManyField(
        SupportForm, verbose_name="ondersteuningsvormen", blank=True
    )
    modules = models.ManyToManyField(
        Module,
        verbose_name="modules",
        blank=True,
        help_text="Alleen bij opbouw uit modules: welke modules dit arrangement kent.",
    )
    in_kind_only = models.BooleanField(
        "alleen in natura",
        default=True,
        help_text="Een arrangement wordt alleen als zorg in natura geleverd, nooit als pgb.",
    )
    rank = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        ordering = ["catalog_version", "kind", "rank", "code"]
        verbose_name = "arrangement"
        verbose_name_plural = "arrangementen"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "code"],
                name="arrangement_code_unique_in_version",
                violation_error_message="Deze code bestaat al in deze catalogusversie.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Level(DemoMarked):
    """A level (niveau, pakket, categorie × intensiteit) of an arrangement, or a module step.

    The unit of tariff, cost price, bandwidth, duration and iWmo product code.
    """

    arrangement = models.ForeignKey(
        Arrangement, verbose_name="arrangement", on_delete=models.CASCADE, related_name="levels"
    )
    code = models.CharField("code", max_length=20, validators=[_code])
    name = models.CharField("naam", max_length=200)
    rank = models.PositiveSmallIntegerField(
        "zwaarte", default=1, help_text="Oplopend met de intensiteit."
    )
    attributes = models.JSONField(
        "kenmerken",
        default=dict,
        blank=True,
        help_text='Bijvoorbeeld {"categorie": "2", "intensiteit": "aanvullend"}; '
        "het beoordelingsinstrument zoekt het niveau op deze kenmerken.",
    )
    module_step = models.ForeignKey(
        ModuleStep,
        verbose_name="module en trede",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="levels",
    )
    description = models.TextField("omschrijving", blank=True)
    min_duration_months = models.PositiveSmallIntegerField(
        "minimale looptijd (maanden)", null=True, blank=True
    )
    max_duration_months = models.PositiveSmallIntegerField(
        "maximale looptijd (maanden)", null=True, blank=True
    )
    product_category = models.CharField(
        "iWmo-productcategorie", max_length=2, choices=WMO020_PRODUCT_CATEGORIES
    )
    product_code = models.CharField(
        "iWmo-productcode",
        max_length=5,
        validators=[RegexValidator(r"^\S{1,5}$", "Een productcode heeft 1 tot 5 tekens.")],
    )
    cak_code = models.CharField("CAK-code", max_length=5, blank=True)
    iwmo_unit = models.CharField("eenheid (WJ756)", max_length=2, choices=WJ756_UNITS, default="82")
    iwmo_frequency = models.CharField(
        "frequentie (WMO757)", max_length=1, choices=WMO757_FREQUENCIES, default="4"
    )
    volume_per_period = models.PositiveSmallIntegerField(
        "volume per frequentie",
        null=True,
        blank=True,
        help_text="Leeg: het volume wordt bij de indicatie bepaald (bijv. etmalen kortdurend "
        "verblijf per 4 weken).",
    )

    class Meta:
        ordering = ["arrangement", "rank", "code"]
        verbose_name = "niveau"
        verbose_name_plural = "niveaus"
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "code"],
                name="level_code_unique_in_arrangement",
                violation_error_message="Deze niveaucode bestaat al in dit arrangement.",
            ),
            models.CheckConstraint(
                name="level_duration_order",
                condition=Q(min_duration_months__isnull=True)
                | Q(max_duration_months__isnull=True)
                | Q(max_duration_months__gte=models.F("min_duration_months")),
                violation_error_message="De maximale looptijd ligt onder de minimale.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement} – {self.name}"

    def clean(self) -> None:
        if (
            self.min_duration_months is not None
            and self.max_duration_months is not None
            and self.max_duration_months < self.min_duration_months
        ):
            raise ValidationError(
                {"max_duration_months": "De maximale looptijd ligt onder de minimale."}
            )
        if not isinstance(self.attributes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.attributes.items()
        ):
            raise ValidationError(
                {"attributes": 'Kenmerken zijn paren van tekst, zoals {"categorie": "2"}.'}
            )


class Bandwidth(DemoMarked):
    """The expected deployment of one support form within a level, per week."""

    level = models.ForeignKey(
        Level, verbose_name="niveau", on_delete=models.CASCADE, related_name="bandwidths"
    )
    support_form = models.ForeignKey(
        SupportForm, verbose_name="ondersteuningsvorm", on_delete=models.PROTECT
    )
    minimum_per_week = models.DecimalField("minimum per week", max_digits=6, decimal_places=2)
    expected_per_week = models.DecimalField(
        "verwachte gemiddelde inzet per week",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    maximum_per_week = models.DecimalField("maximum per week", max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["level", "support_form"]
        verbose_name = "bandbreedte"
        verbose_name_plural = "bandbreedtes"
        constraints = [
            models.UniqueConstraint(
                fields=["level", "support_form"],
                name="bandwidth_unique",
                violation_error_message="Dit niveau heeft al een bandbreedte voor deze vorm.",
            ),
            models.CheckConstraint(
                name="bandwidth_min_le_max",
                condition=Q(minimum_per_week__gte=0)
                & Q(maximum_per_week__gte=models.F("minimum_per_week")),
                violation_error_message="Het maximum van de bandbreedte ligt onder het minimum.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_form.code} {self.minimum_per_week}–{self.maximum_per_week}"

    def clean(self) -> None:
        if self.minimum_per_week is None or self.maximum_per_week is None:
            return
        if message := bandwidth_error(
            self.minimum_per_week, self.expected_per_week, self.maximum_per_week
        ):
            raise ValidationError(message)


class LevelPrice(DemoMarked, ValidityPeriod):
    """A tariff or cost price of a level, valid for a period. Prices are never overwritten:
    a new amount is a new row from its start date, so history stays as it was."""

    level = models.ForeignKey(
        Level, verbose_name="niveau", on_delete=models.CASCADE, related_name="prices"
    )
    kind = models.CharField("soort", max_length=12, choices=_choices(PRICE_KIND_LABELS))
    amount = models.DecimalField(
        "bedrag (euro)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    period = models.CharField("per", max_length=6, choices=_choices(PERIOD_LABELS))

    class Meta(ValidityPeriod.Meta):
        ordering = ["level", "kind", "valid_from"]
        verbose_name = "tarief of kostprijs"
        verbose_name_plural = "tarieven en kostprijzen"
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.CheckConstraint(
                name="level_price_not_negative",
                condition=Q(amount__gte=0),
                violation_error_message="Een bedrag kan niet negatief zijn.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.get_period_display()}"

    def clean(self) -> None:
        super().clean()
        if not (self.level_id and self.kind):
            return
        other = self.first_overlapping(
            LevelPrice.objects.filter(level_id=self.level_id, kind=self.kind)
        )
        if other is not None:
            raise ValidationError(
                f"Er geldt al een {other.get_kind_display()} ({other.validity.describe()}) die "
                "deze periode overlapt. Sluit die eerst af met een einddatum."
            )


class IndicationTerm(models.Model):
    """An indication term the region allows (Midden-Limburg: 6 months … 5 years)."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="indication_terms",
    )
    months = models.PositiveSmallIntegerField("maanden", validators=[MinValueValidator(1)])
    label = models.CharField("omschrijving", max_length=50)

    class Meta:
        ordering = ["catalog_version", "months"]
        verbose_name = "indicatietermijn"
        verbose_name_plural = "indicatietermijnen"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "months"], name="indication_term_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ResultCode(DemoMarked):
    """A result from the region's results matrix (resultatenmatrix, Midden-Limburg)."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="result_codes",
    )
    code = models.CharField("resultaatcode", max_length=20, validators=[_code])
    domain = models.CharField("domein", max_length=150)
    name = models.CharField("resultaat", max_length=300)

    class Meta:
        ordering = ["catalog_version", "code"]
        verbose_name = "resultaatcode"
        verbose_name_plural = "resultaatcodes (resultatenmatrix)"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "code"], name="result_code_unique_in_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CakProductCode(DemoMarked):
    """A product with its product code and CAK code (seed 004 bijlage 6)."""

    catalog_version = models.ForeignKey(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="cak_product_codes",
    )
    lot_name = models.CharField("perceel", max_length=150)
    description = models.CharField("productomschrijving", max_length=200)
    product_code = models.CharField("productcode", max_length=5)
    cak_code = models.CharField("CAK-code", max_length=5, blank=True)
    note = models.CharField("opmerking", max_length=300, blank=True)

    class Meta:
        ordering = ["catalog_version", "product_code"]
        verbose_name = "product- en CAK-code"
        verbose_name_plural = "product- en CAK-codes"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_version", "product_code"], name="cak_product_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_code} {self.description}"


class AssessmentInstrument(DemoMarked):
    """An instrument that proposes a level from scored criteria (Midden-Limburg, A–E)."""

    catalog_version = models.OneToOneField(
        CatalogVersion,
        verbose_name="catalogusversie",
        on_delete=models.CASCADE,
        related_name="assessment_instrument",
    )
    name = models.CharField("naam", max_length=150)
    scoring = models.JSONField(
        "scoring",
        help_text="Punten per letter en per uitkomst de criteria, berekening en grenzen; "
        "zie docs/adr/0003-catalog-model.md.",
    )

    class Meta:
        verbose_name = "beoordelingsinstrument"
        verbose_name_plural = "beoordelingsinstrumenten"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.scoring, dict):
            raise ValidationError({"scoring": "De scoring moet een JSON-object zijn."})
        numbers = list(self.criteria.values_list("number", flat=True)) if self.pk else []
        errors = scoring_errors(self.scoring, numbers or list(range(1, 100)))
        if errors:
            raise ValidationError({"scoring": errors})


class AssessmentCriterion(models.Model):
    instrument = models.ForeignKey(
        AssessmentInstrument,
        verbose_name="instrument",
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    number = models.PositiveSmallIntegerField("nummer")
    part = models.CharField("onderdeel", max_length=150)
    text = models.CharField("criterium", max_length=300)
    low_label = models.CharField("label bij A", max_length=50)
    high_label = models.CharField("label bij E", max_length=50)

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = "criterium"
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="criterion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"
