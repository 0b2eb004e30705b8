"""Forms of conventions (issue 9, H1): create and edit a convention, change its status, add or edit a party. They
validate and normalise with French messages; the services check the rules (STYLE.md §13)."""

import datetime

from django import forms
from django.db.models import QuerySet

from operations.conventions.models import (
    DELIBERATING_KINDS,
    Convention,
    ConventionKind,
    ConventionStatus,
    Signatory,
)
from operations.conventions.services.conventions import CONVENTION_FIELDS, TRANSITIONS
from partners.models import Organisation
from programmes.models import Deliberation
from pvd.accounts.models import User
from pvd.forms import DATE, VersionedForm, native_widgets

# The kinds a convention is created with (an avenant is prepared from the convention it amends).
CREATABLE_KINDS = [
    (value, label) for value, label in ConventionKind.choices if value != ConventionKind.AMENDMENT
]


class ConventionForm(VersionedForm):
    """Create (with its kind) or edit (title, object, dates) a convention."""

    class Meta:
        model = Convention
        fields = ("kind", *CONVENTION_FIELDS)
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "starts_on": "Laissez vide si elle entre en vigueur à sa signature.",
            "ends_on": "En général, la fin du programme.",
        }

    def __init__(self, *args: object, housing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]  # the kind of a convention does not change
        elif housing:
            self.fields["kind"].choices = [(ConventionKind.HOUSING, ConventionKind.HOUSING.label)]
            self.fields["kind"].initial = ConventionKind.HOUSING
            self.fields[
                "kind"
            ].disabled = True  # whatever is posted, a housing programme's convention is « housing »
            self.fields[
                "kind"
            ].help_text = "Une convention d'un dispositif habitat est une convention d'OPAH ou de PIG."
        else:
            self.fields["kind"].choices = [("", "---------"), *CREATABLE_KINDS]
            self.fields[
                "kind"
            ].help_text = "Ses articles partent du modèle de ce type de convention ; ses parties usuelles sont ajoutées."
        native_widgets(self)

    def _post_clean(self) -> None:
        # The model's constraints (a programme or a housing programme…) are the service's to check: the form only
        # knows the fields it shows.
        pass

    def clean(self) -> dict[str, object]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "La fin de la convention ne peut pas précéder son entrée en vigueur.")
        return data

    def fields_for_service(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in CONVENTION_FIELDS}


class StatusForm(forms.Form):
    """Move a convention to `target` on a date, with a comment; `version` refuses a stale page."""

    on = forms.DateField(
        label="Date d'effet",
        widget=DATE,
        help_text="La date de signature pour « Signée », de fin pour « Terminée ».",
    )
    comment = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, convention: Convention, today: datetime.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"on": today, "version": convention.version})


def target_of(convention: Convention, value: str | None) -> str | None:
    """The status `value` names if the workflow allows it from the convention's current one."""
    return (
        value
        if value in TRANSITIONS.get(convention.status, ()) and value in ConventionStatus.values
        else None
    )


def party_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user).order_by("kind", "name", "pk")


def authorising_deliberations(user: User) -> QuerySet[Deliberation]:
    """Deliberations the user sees, adopted by local authorities (the service checks the authority)."""
    return (
        Deliberation.objects.visible_to(user)
        .filter(organisation__kind__in=sorted(DELIBERATING_KINDS))
        .select_related("organisation")
        .order_by("organisation__name", "-adopted_on", "number", "pk")
    )


class SignatoryForm(VersionedForm):
    """Add (no version) or edit a party of a convention."""

    class Meta:
        model = Signatory
        fields = ("organisation", "signer_name", "signer_capacity", "deliberation", "order")
        help_texts = {
            "signer_name": "Nom de la personne qui signe (facultatif tant qu'elle n'est pas connue).",
            "deliberation": "Pour une commune, une intercommunalité, un département ou une région : la délibération "
            "de cette même collectivité qui approuve la convention et autorise la signature.",
            "order": "Ordre d'apparition dans la liste des parties.",
        }

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = party_organisations(user)
        self.fields["organisation"].label_from_instance = lambda o: f"{o.name} ({o.get_kind_display()})"
        self.fields["deliberation"].queryset = authorising_deliberations(user)
        self.fields["deliberation"].label_from_instance = lambda d: (
            f"{d.organisation.name} — n° {d.number} du {d.adopted_on:%d/%m/%Y} — {d.subject}"
        )
        self.fields["deliberation"].empty_label = "Aucune pour l'instant"

    def _post_clean(self) -> None:
        # The unique party per convention is checked by the service, which knows the convention.
        pass

    def fields_for_service(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
