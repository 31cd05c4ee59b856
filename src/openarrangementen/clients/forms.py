"""Forms of the inwoner's file."""

from django import forms

from openarrangementen.portal.forms import UtrechtFormMixin

from .models import Representative


class RepresentativeForm(UtrechtFormMixin, forms.ModelForm):
    """A representative or supporter of the inwoner. The BSN is asked of a legal
    representative only: with it they sign in with their own DigiD and act for the inwoner
    (ADR 0011)."""

    class Meta:
        model = Representative
        fields = [
            "kind",
            "legal_basis",
            "name",
            "organisation",
            "relation",
            "phone",
            "email",
            "bsn",
        ]
        error_messages = {
            "name": {"required": "Vul de naam in."},
            "kind": {"required": "Kies wat voor vertegenwoordiger dit is."},
        }

    def __init__(self, *args, client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client
        self.fields["legal_basis"].help_text = "Alleen bij een wettelijk vertegenwoordiger."
        self.fields["bsn"].help_text = (
            "Alleen bij een wettelijk vertegenwoordiger, als die met de eigen DigiD wil "
            "meekijken in het dossier van de inwoner."
        )
        self.style_fields()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Representative.Kind.LEGAL and not data.get("legal_basis"):
            self.add_error("legal_basis", "Kies de grondslag: voogdij, bewind, mentorschap, …")
        bsn = data.get("bsn")
        if bsn and bsn == self.instance.client.bsn:
            self.add_error("bsn", "Dit is het BSN van de inwoner zelf.")
        return data
