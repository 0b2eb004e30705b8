"""Forms of the directory: they validate and normalise; the views hand cleaned_data to partners.services.

Edit forms carry the `version` they were displayed with (optimistic locking, docs/decisions/0004).
"""

from decimal import Decimal

from django import forms

from partners.models import TERRITORIAL_KINDS, Mandate, Offer, Organisation, OrganisationKind, Person, Theme
from pvd.forms import DATE, VersionedForm

HUNDRED = Decimal(100)


class OrganisationForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Type",
        choices=[
            (value, label) for value, label in OrganisationKind.choices if value not in TERRITORIAL_KINDS
        ],
        help_text="Les communes et intercommunalités viennent de la géographie officielle.",
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "siren", "website", "email", "phone", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_siren(self) -> str | None:
        return self.cleaned_data["siren"] or None


class PersonForm(VersionedForm):
    class Meta:
        model = Person
        fields = [
            "organisation",
            "civility",
            "first_name",
            "last_name",
            "function",
            "email",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, organisations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["civility"].choices = [("", "—"), *Person.Civility.choices]
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class MandateForm(VersionedForm):
    class Meta:
        model = Mandate
        fields = ["role", "title", "organisation", "valid_from", "valid_until"]
        widgets = {"valid_from": DATE, "valid_until": DATE}

    def __init__(self, *args: object, organisations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class OfferForm(VersionedForm):
    """Rates are typed as percentages (75 for 75 %) and stored as fractions (0.75)."""

    max_rate_percent = forms.DecimalField(
        label="Taux maximal (%)",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=2,
        help_text="Par exemple 75 pour 75 %. Laisser vide s'il n'est pas connu.",
    )
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes", queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Offer
        fields = [
            "organisation",
            "name",
            "kind",
            "themes",
            "code",
            "description",
            "conditions",
            "max_rate_percent",
            "cap_amount",
            "cap_period",
            "valid_from",
            "valid_until",
            "url",
            "legal_reference",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "valid_from": DATE,
            "valid_until": DATE,
        }

    def __init__(self, *args: object, organisations: object, themes: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["themes"].queryset = themes
        if not self.is_bound and self.instance.max_rate is not None:
            self.initial["max_rate_percent"] = (self.instance.max_rate * HUNDRED).normalize()

    def clean_code(self) -> str | None:
        return self.cleaned_data["code"] or None

    def offer_fields(self) -> dict[str, object]:
        """cleaned_data as partners.services.OfferData's fields (the rate back to a fraction)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        percent = data.pop("max_rate_percent")
        data["max_rate"] = None if percent is None else percent / HUNDRED
        return data
