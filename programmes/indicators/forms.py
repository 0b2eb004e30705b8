"""Forms of the indicator pages (they validate and normalise; services write)."""

from decimal import Decimal
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from partners.models import Organisation
from programmes.forms.documents import PROGRAMME_WIDE, programme_communes
from programmes.indicators.importer import MAX_UPLOAD_BYTES
from programmes.indicators.models import (
    Indicator,
    IndicatorComputation,
    IndicatorDirection,
    IndicatorFrequency,
    IndicatorTemplate,
    Measurement,
)
from programmes.models import Objective, Programme
from pvd.forms import DATE, VersionedForm

CUSTOM = ""  # the template choice of a custom indicator


def _value(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )


def programme_objectives(programme: Programme) -> QuerySet[Objective]:
    return (
        Objective.objects.filter(axis__project__programme=programme)
        .select_related("axis")
        .order_by("axis__order", "order", "pk")
    )


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.axis.title} — {obj.title}"


def library_choices() -> list[tuple[str, object]]:
    """The library grouped by theme, after the « indicateur personnalisé » choice."""
    templates = IndicatorTemplate.objects.select_related("theme").order_by("theme__order", "order", "pk")
    choices: list[tuple[str, object]] = [(CUSTOM, "Indicateur personnalisé (définition ci-dessous)")]
    for theme, rows in groupby(templates, key=lambda t: t.theme):
        choices.append(
            (theme.name if theme else "Autres", [(str(t.pk), f"{t.name} ({t.unit})") for t in rows])
        )
    return choices


class IndicatorCreateForm(forms.Form):
    template = forms.ChoiceField(
        label="Indicateur de la bibliothèque",
        required=False,
        help_text="Reprend le nom, l'unité, la source, la méthode, la fréquence et le sens de l'indicateur.",
    )
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Organisation.objects.none(), required=False, empty_label="Tout le programme"
    )
    name = forms.CharField(
        label="Nom",
        max_length=200,
        required=False,
        help_text="Obligatoire pour un indicateur personnalisé ; "
        "pour un indicateur de la bibliothèque, remplace son nom.",
    )
    unit = forms.CharField(
        label="Unité", max_length=30, required=False, help_text="Par exemple %, m², logements."
    )
    source = forms.CharField(label="Source", max_length=250, required=False)
    method = forms.CharField(
        label="Méthode de calcul", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    frequency = forms.ChoiceField(label="Fréquence", choices=IndicatorFrequency.choices, initial="yearly")
    direction = forms.ChoiceField(label="Sens souhaité", choices=IndicatorDirection.choices, initial="up")
    baseline_on = forms.DateField(label="État zéro : date", required=False, widget=DATE)
    baseline_value = _value("État zéro : valeur", required=False)
    baseline_source = forms.CharField(label="État zéro : source", max_length=250, required=False)
    objectives = ObjectiveChoiceField(
        label="Objectifs du projet",
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = library_choices()
        self.fields["commune"].queryset = programme_communes(programme)
        self.fields["objectives"].queryset = programme_objectives(programme)

    def clean_template(self) -> IndicatorTemplate | None:
        value = self.cleaned_data.get("template")
        if not value:
            return None
        try:
            return IndicatorTemplate.objects.get(pk=value)
        except (IndicatorTemplate.DoesNotExist, ValueError) as error:
            raise ValidationError("Choisissez un indicateur de la bibliothèque.") from error

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("template") is None and "template" not in self.errors:
            for field, label in (("name", "Le nom"), ("unit", "L'unité")):
                if not (data.get(field) or "").strip():
                    self.add_error(field, f"{label} est obligatoire pour un indicateur personnalisé.")
        if (data.get("baseline_on") is None) != (data.get("baseline_value") is None):
            self.add_error("baseline_value", "L'état zéro demande une date et une valeur.")
        return data

    def service_arguments(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["computation"] = IndicatorComputation.MANUAL
        return data


class IndicatorForm(VersionedForm):
    baseline_value = _value("État zéro : valeur", required=False)

    class Meta:
        model = Indicator
        fields = [
            "name",
            "commune",
            "unit",
            "source",
            "method",
            "frequency",
            "direction",
            "computation",
            "baseline_on",
            "baseline_value",
            "baseline_source",
            "objectives",
            "archived",
        ]
        widgets = {
            "method": forms.Textarea(attrs={"rows": 3}),
            "baseline_on": DATE,
            "objectives": forms.CheckboxSelectMultiple,
        }
        field_classes = {"objectives": ObjectiveChoiceField}
        help_texts = {"archived": "Un indicateur archivé garde ses mesures mais quitte les listes."}

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = programme_communes(programme)
        self.fields["commune"].empty_label = "Tout le programme"
        self.fields["objectives"].queryset = programme_objectives(programme)


class TargetForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100, required=False)
    value = _value("Cible", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        year, value = data.get("year"), data.get("value")
        if (year is None) != (value is None) and not self.errors:
            raise ValidationError("Indiquez l'année et la valeur de la cible, ou laissez la ligne vide.")
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            if year in seen:
                raise ValidationError(f"L'année {year} figure deux fois : une seule cible par année.")
            seen.add(year)

    def targets(self) -> list[tuple[int, Decimal]]:
        return [
            (form.cleaned_data["year"], form.cleaned_data["value"])
            for form in self.forms
            if form.cleaned_data.get("year") is not None
        ]


TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=3, max_num=60, validate_max=True
)


class MeasurementForm(forms.ModelForm):
    value = _value("Valeur")

    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "source", "comment"]
        widgets = {"measured_on": DATE}

    def __init__(self, *args: object, indicator: Indicator, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.fields["value"].label = f"Valeur ({indicator.unit})"


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des mesures (.csv)",
        help_text="Séparateur point-virgule (ou virgule), encodage UTF-8 ; 2 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("Le fichier dépasse 2 Mo.")
        return upload


class IndicatorFilter(forms.Form):
    commune = forms.ChoiceField(label="Commune", required=False)

    def __init__(self, *args: object, communes: list[Organisation], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [
            ("", "Toutes"),
            (PROGRAMME_WIDE, "Tout le programme"),
            *((str(c.pk), c.name) for c in communes),
        ]

    def apply(self, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
        if not self.is_valid():
            return queryset
        value = self.cleaned_data.get("commune")
        if value == PROGRAMME_WIDE:
            return queryset.filter(commune__isnull=True)
        if value:
            return queryset.filter(commune_id=value)
        return queryset
