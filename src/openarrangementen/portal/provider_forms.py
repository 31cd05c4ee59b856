"""Forms of the provider portal. They check types and shapes; the rules live in the services."""

from django import forms

from openarrangementen.cases.domain import STATE_LABELS, STATUS_LABELS, WITH_PROVIDER_ORG
from openarrangementen.delivery.domain import ADVICE_LABELS, LOG_LABELS, SIGNAL_LABELS
from openarrangementen.plans.domain import (
    HOUSEHOLD_ROOMS,
    HOUSEHOLD_TASKS,
    SignatureKind,
    SignatureMethod,
)

from .forms import UtrechtFormMixin
from .traject_forms import date_field, text

SIGNATURE_KINDS = [
    (SignatureKind.AGREED.value, "Voor akkoord"),
    (SignatureKind.SEEN.value, "Voor gezien"),
]
SIGNATURE_METHODS = [
    (SignatureMethod.IN_PERSON.value, "Persoonlijk, tijdens het gesprek"),
    (SignatureMethod.PAPER.value, "Op papier"),
    (SignatureMethod.DIGITAL.value, "Digitaal"),
]
DECIMAL_ERRORS = {"invalid": "Vul een getal in, bijvoorbeeld 2,5."}


def amount_field(label: str, *, required: bool = False, help_text: str = ""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        localize=True,
        help_text=help_text,
        error_messages={**DECIMAL_ERRORS, "min_value": "De inzet kan niet negatief zijn."},
    )


class InboxFilterForm(UtrechtFormMixin, forms.Form):
    verdeling = forms.ChoiceField(
        label="Toegewezen",
        required=False,
        choices=[("", "Alle"), ("nee", "Nog te verdelen"), ("ja", "Toegewezen")],
    )
    begeleider = forms.ChoiceField(label="Begeleider", required=False)
    status = forms.ChoiceField(
        label="Fase",
        required=False,
        choices=[("", "Alle fasen")]
        + [(s.value, STATUS_LABELS[s]) for s in sorted(WITH_PROVIDER_ORG)],
    )
    termijn = forms.ChoiceField(
        label="Termijn",
        required=False,
        choices=[("", "Alle")]
        + [(k, STATE_LABELS[k]) for k in STATE_LABELS if k.value in {"dreigt", "verlopen"}],
    )

    def __init__(self, *args, professionals=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["begeleider"].choices = [("", "Iedereen")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in professionals
        ]


class AssignForm(UtrechtFormMixin, forms.Form):
    professional = forms.ModelChoiceField(
        label="Begeleider",
        queryset=None,
        empty_label="Kies een begeleider",
        error_messages={
            "required": "Kies een begeleider.",
            "invalid_choice": "Kies een begeleider uit de lijst.",
        },
    )
    note = forms.CharField(label="Toelichting (optioneel)", required=False, max_length=500)

    def __init__(self, *args, professionals, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = professionals
        self.fields["professional"].label_from_instance = lambda u: u.get_full_name() or u.username


class PartTwoSignatureForm(UtrechtFormMixin, forms.Form):
    expected_changes = text(
        "Te verwachten wijzigingen binnen het arrangement", required=False, rows=3
    )
    signature_kind = forms.ChoiceField(
        label="De inwoner ondertekent het hele POP", choices=SIGNATURE_KINDS
    )
    signer_name = forms.CharField(label="Naam ondertekenaar", max_length=200)
    signed_on = date_field("Datum ondertekening", initial_today=True)
    signature_method = forms.ChoiceField(label="Wijze van ondertekenen", choices=SIGNATURE_METHODS)


class StartForm(UtrechtFormMixin, forms.Form):
    started_on = date_field("Eerste dag van de ondersteuning", initial_today=True)


class LogEntryForm(UtrechtFormMixin, forms.Form):
    on = date_field("Datum", initial_today=True)
    kind = forms.ChoiceField(label="Soort", choices=[(k.value, v) for k, v in LOG_LABELS.items()])
    note = text("Verslag", rows=4)


class WeeklyDeploymentForm(UtrechtFormMixin, forms.Form):
    week = date_field(
        "Week", initial_today=True, help_text="Een dag in de week; de maandag telt als begin."
    )

    def __init__(self, *args, support_forms=(), bandwidths=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bandwidths = bandwidths or {}
        self.support_forms = list(support_forms)
        for form in self.support_forms:
            band = bandwidths.get(form.code)
            hint = f"Bandbreedte {band[0]}–{band[1]} per week." if band else ""
            self.fields[f"sf_{form.pk}"] = amount_field(
                f"{form.name} ({form.get_unit_display()})", help_text=hint
            )
        self.style_fields()

    def amounts(self) -> dict:
        return {f: self.cleaned_data.get(f"sf_{f.pk}") for f in self.support_forms}


class SignalForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Wat is er veranderd?", choices=[(k.value, v) for k, v in SIGNAL_LABELS.items()]
    )
    description = text("Toelichting voor de gemeente", rows=5)


class StopForm(UtrechtFormMixin, forms.Form):
    stopped_on = date_field("Laatste dag van de ondersteuning", initial_today=True)
    reason_code = forms.ChoiceField(label="Reden beëindiging (iWmo-codelijst WMO588)")
    explanation = text("Toelichting", rows=4)

    def __init__(self, *args, reasons=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = [("", "Kies een reden")] + [
            (c.code, c.display) for c in reasons
        ]


class HandoverForm(UtrechtFormMixin, forms.Form):
    text = text(
        "Warme overdracht voor de nieuwe aanbieder",
        rows=8,
        help_text="Wat werkt bij deze inwoner, wat is bereikt, afspraken, aandachtspunten, "
        "wie in het netwerk belangrijk is.",
    )


class EvaluationForm(UtrechtFormMixin, forms.Form):
    held_on = date_field("Datum evaluatiegesprek", initial_today=True)
    advice = forms.ChoiceField(
        label="Vervolgadvies",
        choices=[("", "Kies een vervolgadvies")] + [(k.value, v) for k, v in ADVICE_LABELS.items()],
    )
    explanation = text("Toelichting op het vervolgadvies", rows=4)
    signature_kind = forms.ChoiceField(label="Ondertekening inwoner", choices=SIGNATURE_KINDS)
    signer_name = forms.CharField(label="Naam ondertekenaar", max_length=200)
    signed_on = date_field("Datum ondertekening", initial_today=True)
    signature_method = forms.ChoiceField(label="Wijze van ondertekenen", choices=SIGNATURE_METHODS)


class DelegationForm(UtrechtFormMixin, forms.Form):
    delegate = forms.ModelChoiceField(
        label="Medewerker van de onderaannemer",
        queryset=None,
        empty_label="Kies een medewerker",
        error_messages={"required": "Kies een medewerker."},
    )
    reason = text("Waarom heeft deze medewerker inzage nodig?", rows=3)

    def __init__(self, *args, delegates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = delegates
        self.fields["delegate"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.last_name})"
        )


class PartTwoForm(UtrechtFormMixin, forms.Form):
    """POP deel II (seed 002 "Het formulier deel II", seed 004 bijlage 2 deel 2): results per
    goal, SMART how, deployment per support form, the household-help table where household
    help is part of the arrangement, activities with result code where the region has a
    results matrix, subcontractors, and the client's signature of the whole POP."""

    expected_changes = text(
        "Te verwachten wijzigingen binnen het arrangement", required=False, rows=3
    )
    signature_kind = forms.ChoiceField(
        label="De inwoner ondertekent het hele POP", choices=SIGNATURE_KINDS
    )
    signer_name = forms.CharField(label="Naam ondertekenaar", max_length=200)
    signed_on = date_field("Datum ondertekening", initial_today=True)
    signature_method = forms.ChoiceField(label="Wijze van ondertekenen", choices=SIGNATURE_METHODS)

    def __init__(
        self,
        *args,
        goals=(),
        support_forms=(),
        bandwidths=None,
        household=False,
        result_codes=(),
        members=(),
        activity_rows=5,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        bandwidths = bandwidths or {}
        self.goals = list(goals)
        self.support_forms = list(support_forms)
        self.household = household
        self.result_codes = list(result_codes)
        self.members = list(members)
        self.activity_rows = activity_rows if self.result_codes else 0
        fields = self.fields
        for i, goal in enumerate(self.goals):
            fields[f"r{i}_result"] = text(f"Resultaat bij doel: {goal}", rows=2)
            fields[f"r{i}_by_client"] = text("Wat de inwoner zelf doet", required=False, rows=2)
            fields[f"r{i}_by_general_facility"] = text(
                "Wat een algemene voorziening doet (met naam)", required=False, rows=2
            )
            fields[f"r{i}_by_support"] = text(
                "Wat de maatwerkondersteuning doet", required=False, rows=2
            )
        for sf in self.support_forms:
            band = bandwidths.get(sf.code)
            fields[f"d{sf.pk}_per_week"] = amount_field(
                f"{sf.name}: verwachte gemiddelde inzet per week ({sf.get_unit_display()})",
                help_text=f"Bandbreedte van dit niveau: {band[0]}–{band[1]} per week."
                if band
                else "",
            )
            fields[f"d{sf.pk}_intensity"] = forms.CharField(
                label=f"{sf.name}: intensiteit en toelichting", required=False, max_length=300
            )
        if household:
            for task, task_label in HOUSEHOLD_TASKS.items():
                for room, room_label in HOUSEHOLD_ROOMS.items():
                    field = amount_field(f"{task_label}, {room_label}: uren per jaar")
                    field.max_digits = 6
                    field.widget.attrs["aria-label"] = field.label
                    field.widget.attrs["inputmode"] = "decimal"
                    field.widget.attrs["size"] = "4"
                    fields[f"hh_{task}_{room}"] = field
        for i in range(self.activity_rows):
            fields[f"a{i}_result_code"] = forms.ChoiceField(
                label=f"Activiteit {i + 1}: resultaatcode",
                required=False,
                choices=[("", "–")] + [(c.code, f"{c.code} {c.name}") for c in self.result_codes],
            )
            fields[f"a{i}_activity"] = forms.CharField(
                label=f"Activiteit {i + 1}: concrete activiteit", required=False, max_length=300
            )
            fields[f"a{i}_frequency"] = forms.CharField(
                label=f"Activiteit {i + 1}: frequentie", required=False, max_length=100
            )
        for member in self.members:
            fields[f"sub{member.pk}"] = forms.CharField(
                label=f"{member.provider.name}: wat levert deze partner (leeg: niets)",
                required=False,
                max_length=300,
            )
        self.style_fields()
        # Move the signature fields to the end.
        for name in [
            "expected_changes",
            "signature_kind",
            "signer_name",
            "signed_on",
            "signature_method",
        ]:
            fields[name] = fields.pop(name)

    def result_rows(self):
        return [
            (
                goal,
                [
                    self[f"r{i}_{k}"]
                    for k in ("result", "by_client", "by_general_facility", "by_support")
                ],
            )
            for i, goal in enumerate(self.goals)
        ]

    def deployment_rows(self):
        return [
            (sf, self[f"d{sf.pk}_per_week"], self[f"d{sf.pk}_intensity"])
            for sf in self.support_forms
        ]

    def activity_table(self):
        return [
            [self[f"a{i}_result_code"], self[f"a{i}_activity"], self[f"a{i}_frequency"]]
            for i in range(self.activity_rows)
        ]

    def member_fields(self):
        return [self[f"sub{m.pk}"] for m in self.members]

    def household_raw(self) -> dict:
        if not self.household:
            return {}
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {t: {r: data.get(f"hh_{t}_{r}") for r in HOUSEHOLD_ROOMS} for t in HOUSEHOLD_TASKS}


class IwmoRequestForm(UtrechtFormMixin, forms.Form):
    """A verzoek om toewijzing (a product more) or om wijziging (another end date)."""

    kind = forms.ChoiceField(
        label="Soort verzoek",
        choices=[
            ("vot", "Verzoek om toewijzing (WMO315): een product erbij"),
            ("vow", "Verzoek om wijziging (WMO317): andere einddatum van de toewijzing"),
        ],
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(
        label="Product (uit de productcodelijst van de gemeente)", required=False
    )
    start_on = date_field("Gewenste ingangsdatum", required=False)
    end_on = date_field("Gewenste einddatum", required=False)
    volume = forms.IntegerField(label="Volume", min_value=1, max_value=99999999, required=False)
    unit = forms.ChoiceField(label="Eenheid (WJ756)", required=False)
    frequency = forms.ChoiceField(label="Frequentie (WMO757)", required=False)

    def __init__(self, *args, levels=(), units=(), frequencies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in levels}
        self.fields["level"].choices = [("", "Kies een product")] + [
            (str(level.pk), f"{level.product_category} {level.product_code} – {level.name}")
            for level in levels
        ]
        self.fields["unit"].choices = [("", "Kies een eenheid")] + [
            (c.code, c.display) for c in units
        ]
        self.fields["frequency"].choices = [("", "Kies een frequentie")] + [
            (c.code, c.display) for c in frequencies
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "vot":
            for name in ("level", "start_on", "volume", "unit", "frequency"):
                if not data.get(name):
                    self.add_error(name, "Vul dit in voor een verzoek om toewijzing.")
        elif data.get("kind") == "vow" and not data.get("end_on"):
            self.add_error("end_on", "Vul de gewenste einddatum in.")
        return data
