"""The filters of the alerts list (issue 8): validated by a form, so that a bad value gets a French message and
never a 500. Choices are what the user may see: the programmes whose alerts they read, the rules and communes of
those alerts."""

import copy

from django import forms

from partners.models import Organisation
from programmes.models import Programme
from pvd.forms import native_widgets
from pvd.governance.models import AlertLevel, AlertStatus

ACTIVE = "active"
ALL = "all"
STATUS_CHOICES = [
    (ACTIVE, "En cours (ouvertes, prises en compte, remontées)"),
    *AlertStatus.choices,
    (ALL, "Toutes"),
]


class AlertFilterForm(forms.Form):
    programme = forms.ModelChoiceField(label="Programme", queryset=Programme.objects.none(), required=False)
    niveau = forms.TypedChoiceField(
        label="Niveau",
        choices=[("", "Tous"), *AlertLevel.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    statut = forms.ChoiceField(label="Statut", choices=STATUS_CHOICES, required=False)
    regle = forms.ChoiceField(label="Règle", choices=[("", "Toutes")], required=False)
    commune = forms.ModelChoiceField(label="Commune", queryset=Organisation.objects.none(), required=False)
    echeance_avant = forms.DateField(
        label="Échéance au plus tard le", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: object,
        programmes: list[Programme],
        kinds: list[tuple[str, str]],
        communes: list[Organisation],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(pk__in=[p.pk for p in programmes])
        self.fields["programme"].choices = [("", "Tous"), *((p.pk, p.name) for p in programmes)]
        self.fields["regle"].choices = [("", "Toutes"), *kinds]
        self.fields["commune"].queryset = Organisation.objects.filter(pk__in=[c.pk for c in communes])
        self.fields["commune"].choices = [("", "Toutes"), *((c.pk, c.name) for c in communes)]
        native_widgets(self)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget = copy.deepcopy(
                field.widget
            )  # native_widgets shares one date widget: never mutate it
            field.widget.attrs["class"] = css

    @property
    def status(self) -> str:
        return (self.cleaned_data.get("statut") if self.is_valid() else "") or ACTIVE

    def active_filters(self) -> dict[str, object]:
        """The valid filters given (an invalid form filters nothing but the active status)."""
        if not self.is_valid():
            return {"statut": ACTIVE}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
