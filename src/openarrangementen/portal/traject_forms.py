"""Forms of the traject pages. They check types and shapes; the rules live in the services."""

from django import forms
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import User
from openarrangementen.cases.domain import CLOSED, STATUS_LABELS, TrajectStatus
from openarrangementen.cases.models import Intake, Traject
from openarrangementen.catalog.models import Level
from openarrangementen.clients.models import Client
from openarrangementen.core.identifiers import IdentifierError, clean_bsn
from openarrangementen.decisions.domain import FOLLOW_UP_LABELS
from openarrangementen.plans.domain import CONSULTATION_LABELS, SHAREABLE_FIELDS
from openarrangementen.plans.models import PartOne, Signature

from .forms import UtrechtFormMixin

DATE = {"type": "date"}
DATE_ERRORS = {"invalid": "Vul een geldige datum in, bijvoorbeeld 01-03-2026."}


def date_field(label: str, *, required: bool = True, initial_today: bool = False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        initial=timezone.localdate if initial_today else None,
        help_text=help_text,
    )


def text(label: str, *, required: bool = True, rows: int = 3, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class MeldingForm(UtrechtFormMixin, forms.Form):
    channel = forms.ChoiceField(label="Kanaal", choices=Traject.Channel.choices)
    received_on = date_field(
        "Datum melding", initial_today=True, help_text="Deze datum start de wettelijke termijnen."
    )
    question = text("Hulpvraag", rows=4)
    reported_by = forms.ChoiceField(label="Gemeld door", choices=Traject.Reporter.choices)
    reporter_name = forms.CharField(
        label="Naam melder (als dat niet de inwoner is)", required=False, max_length=200
    )


class NewClientForm(UtrechtFormMixin, forms.Form):
    """A client not yet known: the BSN is checked with the 11-proef."""

    bsn = forms.CharField(
        label="BSN", max_length=11, help_text="9 cijfers; wordt gecontroleerd met de elfproef."
    )
    initials = forms.CharField(label="Voorletters", max_length=20, required=False)
    family_name_prefix = forms.CharField(label="Voorvoegsel", max_length=20, required=False)
    family_name = forms.CharField(label="Achternaam", max_length=200)
    birth_date = date_field("Geboortedatum")
    gender = forms.ChoiceField(label="Geslacht", choices=Client._meta.get_field("gender").choices)
    street = forms.CharField(label="Straat", max_length=200, required=False)
    house_number = forms.IntegerField(label="Huisnummer", required=False, min_value=1)
    postcode = forms.CharField(
        label="Postcode",
        max_length=7,
        required=False,
        validators=Client._meta.get_field("postcode").validators,
    )
    city = forms.CharField(label="Woonplaats", max_length=100, required=False)
    phone = forms.CharField(label="Telefoonnummer", max_length=30, required=False)
    municipality = forms.ModelChoiceField(label="Gemeente", queryset=None, empty_label=None)

    def __init__(self, *args, municipalities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities

    def clean_bsn(self) -> str:
        try:
            return clean_bsn(self.cleaned_data["bsn"])
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ReasonForm(UtrechtFormMixin, forms.Form):
    reason = text("Toelichting", rows=4)


class IntakePlanForm(UtrechtFormMixin, forms.Form):
    planned_for = date_field("Datum gesprek")
    location = forms.CharField(label="Plaats", max_length=200, initial="bij de inwoner thuis")
    participants = forms.CharField(
        label="Deelnemers", max_length=300, help_text="Bijvoorbeeld: inwoner, dochter, wijkwerker."
    )
    client_support = forms.CharField(
        label="Cliëntondersteuner (indien aanwezig)", max_length=200, required=False
    )


class PlanOfApproachForm(UtrechtFormMixin, forms.Form):
    """Held-on date, summary, and per ZRM domain a score, notes and goals."""

    held_on = date_field("Gesprek gevoerd op", initial_today=True)
    summary = text("Verslag van het gesprek", required=False, rows=4)

    def __init__(self, *args, intake: Intake, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = {s.domain_id: s for s in intake.scores.all()}
        level_choices = [("", "Niet gescoord")] + [
            (str(n), f"{n} – {intake.matrix.level_name(n)}") for n in range(1, 6)
        ]
        self.domains = list(intake.matrix.domains.all())
        for domain in self.domains:
            score = existing.get(domain.pk)
            self.fields[f"score_{domain.pk}"] = forms.TypedChoiceField(
                label=f"Score {domain.name}",
                choices=level_choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(score.score) if score and score.score else "",
            )
            self.fields[f"notes_{domain.pk}"] = forms.CharField(
                label=f"Notities {domain.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.notes if score else "",
            )
            self.fields[f"goals_{domain.pk}"] = forms.CharField(
                label=f"Doelen {domain.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.goals if score else "",
            )
        if intake.held_on:
            self.fields["held_on"].initial = intake.held_on
        self.fields["summary"].initial = intake.summary
        self.style_fields()

    def rows(self):
        return [
            (
                domain,
                self[f"score_{domain.pk}"],
                self[f"notes_{domain.pk}"],
                self[f"goals_{domain.pk}"],
            )
            for domain in self.domains
        ]

    def scores(self) -> dict[int, tuple[int | None, str, str]]:
        data = self.cleaned_data
        return {
            d.pk: (data[f"score_{d.pk}"], data[f"notes_{d.pk}"], data[f"goals_{d.pk}"])
            for d in self.domains
        }


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, level: Level) -> str:
        return f"{level.arrangement.code} {level.arrangement.name} – {level.name}"


class PartOneForm(UtrechtFormMixin, forms.Form):
    reason = forms.ChoiceField(label="Aanleiding", choices=PartOne.Reason.choices)
    delivery_form = forms.ChoiceField(
        label="Verstrekkingsvorm",
        choices=PartOne.DeliveryForm.choices,
        help_text="Arrangementen worden alleen in natura verstrekt.",
    )
    relevant_domains = forms.MultipleChoiceField(
        label="Relevante leefgebieden (hun notities komen in POP deel I)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    own_strength = text(
        "Eigen kracht en inzet netwerk", help_text="Kan het netwerk voldoende ondersteuning bieden?"
    )
    prior_facilities = text("Wettelijk voorliggende voorzieningen")
    general_facilities = text(
        "Algemene voorzieningen",
        help_text="Kan een algemene voorziening de ondersteuningsbehoefte opvangen?",
    )
    customised_support = text("Beschrijving inzet maatwerkvoorziening")
    level = LevelChoiceField(
        label="Arrangement en niveau",
        queryset=Level.objects.none(),
        empty_label="Kies arrangement en niveau",
    )
    suffers_from = text("De inwoner heeft last van")
    cannot_do = text("De inwoner kan niet")
    is_diagnosed = forms.TypedChoiceField(
        label="Gediagnosticeerd",
        choices=[("nee", "Nee"), ("ja", "Ja")],
        coerce=lambda v: v == "ja",
        help_text="Een diagnose is niet nodig om een arrangement te kiezen.",
    )
    diagnosis = forms.CharField(label="Diagnose (indien bekend)", required=False, max_length=300)
    level_argumentation = text(
        "Argumentatie keuze niveau", help_text="Toekomstperspectief en kenmerken van de inwoner."
    )
    start_on = date_field("Begindatum")
    end_on = date_field("Einddatum")
    goals = text("Doelen voor maatwerkondersteuning", rows=4, help_text="Eén doel per regel.")
    deviation_motivation = text(
        "Motivatie bij afwijking van de uitkomst van het beoordelingsinstrument", required=False
    )
    transport = forms.ChoiceField(
        label="Vervoer", choices=PartOne.Transport.choices, required=False
    )
    short_stay_nights = forms.IntegerField(
        label="Kortdurend verblijf (etmalen per 4 weken)", required=False, min_value=0, max_value=28
    )
    client_agrees = forms.TypedChoiceField(
        label="Zijn inwoner en wijkwerker het eens over het arrangement?",
        choices=[("ja", "Ja"), ("nee", "Nee")],
        coerce=lambda v: v == "ja",
    )
    disagreement = text("Waarover verschillen zij van mening?", required=False)
    second_opinion_by = forms.ModelChoiceField(
        label="Tweede wijkwerker (vierogenprincipe)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Niet van toepassing",
    )
    second_opinion_agrees = forms.TypedChoiceField(
        label="Uitkomst tweede blik",
        choices=[
            ("", "Niet van toepassing"),
            ("ja", "Inwoner en wijkwerkers nu eens"),
            ("nee", "Nog steeds geen overeenstemming"),
        ],
        coerce=lambda v: v == "ja",
        empty_value=None,
        required=False,
    )
    second_opinion_notes = text("Bevindingen tweede wijkwerker", required=False)

    def __init__(self, *args, traject: Traject, version, intake: Intake | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = (
            Level.objects.filter(
                arrangement__catalog_version=version, arrangement__kind="arrangement"
            )
            .select_related("arrangement")
            .order_by("arrangement__rank", "arrangement__code", "rank")
        )
        self.fields["relevant_domains"].choices = [
            (str(s.domain_id), f"{s.domain.name} (score {s.score or '–'})")
            for s in (intake.scores.select_related("domain") if intake else [])
        ]
        self.fields["second_opinion_by"].queryset = (
            User.objects.filter(
                role_assignments__role=Role.WIJKWERKER.value,
                role_assignments__municipality=traject.municipality,
            )
            .exclude(pk=traject.wijkwerker_id or 0)
            .distinct()
        )
        self.criteria = []
        instrument = getattr(version, "assessment_instrument", None) if version else None
        if instrument is not None:
            for criterion in instrument.criteria.all():
                name = f"criterion_{criterion.number}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{criterion.number}. {criterion.text} "
                    f"(A = {criterion.low_label}, E = {criterion.high_label})",
                    choices=[("", "Kies")] + [(x, x) for x in "ABCDE"],
                )
                self.criteria.append((criterion, name))
        self.style_fields()

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", "De einddatum ligt vóór de begindatum.")
        return data

    def assessment_scores(self) -> dict[int, str]:
        return {c.number: self.cleaned_data[name] for c, name in self.criteria}


class ConsultationForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Soort", choices=[(k.value, v) for k, v in CONSULTATION_LABELS.items()]
    )
    consulted = forms.CharField(label="Wie is geraadpleegd", max_length=200)
    question = text("Vraag")
    asked_on = date_field("Gevraagd op", initial_today=True)
    answer = text("Antwoord", required=False)
    answered_on = date_field("Beantwoord op", required=False)


class ProviderChoiceForm(UtrechtFormMixin, forms.Form):
    provider = forms.ModelChoiceField(
        label="Gekozen aanbieder", queryset=None, required=False, empty_label="Nog geen keuze"
    )
    cannot_choose = forms.BooleanField(label="De inwoner kan niet kiezen", required=False)
    referred_to = forms.CharField(
        label="Verwezen naar",
        max_length=200,
        required=False,
        help_text="Bijvoorbeeld: MEE, onafhankelijke cliëntondersteuning.",
    )
    chosen_on = date_field("Datum", initial_today=True)

    def __init__(self, *args, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ConsentForm(UtrechtFormMixin, forms.Form):
    is_given = forms.TypedChoiceField(
        label="Geeft de inwoner toestemming om POP deel I met de aanbieder te delen?",
        choices=[("ja", "Ja"), ("nee", "Nee")],
        coerce=lambda v: v == "ja",
    )
    shared_fields = forms.MultipleChoiceField(
        label="Welke onderdelen mag de aanbieder zien?",
        choices=list(SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=list(SHAREABLE_FIELDS),
        help_text="Arrangement en doelen zijn nodig om POP deel II te maken.",
    )
    given_on = date_field("Datum", initial_today=True)


class SignatureForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Ondertekend", choices=Signature._meta.get_field("kind").choices)
    signer_name = forms.CharField(label="Naam ondertekenaar", max_length=200)
    signer_capacity = forms.CharField(label="Hoedanigheid", max_length=100, initial="inwoner")
    signed_on = date_field("Datum ondertekening", initial_today=True)
    method = forms.ChoiceField(label="Manier", choices=Signature._meta.get_field("method").choices)


class DraftDecisionForm(UtrechtFormMixin, forms.Form):
    considerations = text(
        "Overwegingen",
        rows=5,
        help_text="Waarom de gemeente deze ondersteuning toekent; dit komt in de beschikking.",
    )
    application_received_on = date_field(
        "Aanvraag ontvangen op",
        initial_today=True,
        help_text="De door de inwoner ondertekende aanvraag; de beslistermijn van 2 weken "
        "loopt vanaf deze datum.",
    )


class ReviseDecisionForm(UtrechtFormMixin, forms.Form):
    considerations = text("Overwegingen", rows=5)


class ReviewNoteForm(UtrechtFormMixin, forms.Form):
    note = text("Opmerking (optioneel)", required=False)


class SuspensionForm(UtrechtFormMixin, forms.Form):
    starts_on = date_field("Vanaf", initial_today=True)
    days = forms.IntegerField(
        label="Aantal dagen",
        min_value=1,
        max_value=365,
        help_text="De termijnen schuiven dit aantal kalenderdagen op.",
    )
    reason = text("Reden", help_text="Bijvoorbeeld: zorgmijdende inwoner, wacht op medisch advies.")


class ObjectionForm(UtrechtFormMixin, forms.Form):
    received_on = date_field("Bezwaar ontvangen op", initial_today=True)
    grounds = text("Gronden van het bezwaar", rows=4)


class StartForm(UtrechtFormMixin, forms.Form):
    started_on = date_field("Ondersteuning gestart op", initial_today=True)


class StartCheckForm(UtrechtFormMixin, forms.Form):
    done_on = date_field("Gebeld op", initial_today=True)
    started_in_time = forms.TypedChoiceField(
        label="Is de ondersteuning op tijd gestart?",
        choices=[("ja", "Ja"), ("nee", "Nee")],
        coerce=lambda v: v == "ja",
    )
    within_arrangement = forms.TypedChoiceField(
        label="Past de ondersteuning binnen het arrangement?",
        choices=[("ja", "Ja"), ("nee", "Nee")],
        coerce=lambda v: v == "ja",
    )
    satisfaction = forms.IntegerField(label="Tevredenheid (1-10)", min_value=1, max_value=10)
    remarks = text("Opmerkingen", required=False)


class FollowUpForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Vervolg", choices=[(k.value, v) for k, v in FOLLOW_UP_LABELS.items()]
    )
    evaluation_summary = text("Samenvatting van de evaluatie", rows=4)
    explanation = text("Toelichting op het besluit", rows=4)


class ChangeForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Wat verandert er?",
        choices=[("ander_arrangement", "Arrangement of niveau"), ("andere_aanbieder", "Aanbieder")],
    )
    reason = text("Reden", rows=3)


class WorkListFilterForm(UtrechtFormMixin, forms.Form):
    state = forms.ChoiceField(
        label="Termijnen",
        required=False,
        choices=[
            ("", "Alle open trajecten"),
            ("dreigt", "Dreigt te verlopen"),
            ("verlopen", "Verlopen"),
            ("opgeschort", "Opgeschort"),
        ],
    )
    status = forms.ChoiceField(
        label="Fase",
        required=False,
        choices=[("", "Alle open fasen")]
        + [(s.value, STATUS_LABELS[s]) for s in TrajectStatus if s not in CLOSED],
    )


class SignalResponseForm(UtrechtFormMixin, forms.Form):
    response = text("Reactie aan de aanbieder (optioneel)", required=False, rows=3)
