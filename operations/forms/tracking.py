"""Forms of an operation's follow-up: phases, manual progress, journal entries, risks (they validate and
normalise; operations.services.tracking writes). Progress is typed in percent and handed over as a fraction.
"""

from decimal import Decimal

from django import forms
from django.conf import settings

from operations.models import Phase, ProgressReport, Risk, RiskStatus
from programmes.forms.documents import VersionedForm
from programmes.validators import allowed_labels, format_megabytes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HUNDRED = Decimal(100)


def percent_field(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="En pourcentage, de 0 à 100.",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class PhaseForm(VersionedForm):
    progress_percent = percent_field("Avancement (%)")

    class Meta:
        model = Phase
        fields = [
            "name",
            "order",
            "weight",
            "baseline_start",
            "baseline_end",
            "forecast_start",
            "forecast_end",
            "actual_start",
            "actual_end",
            "slip_reason",
        ]
        widgets = {
            **dict.fromkeys(
                (
                    "baseline_start",
                    "baseline_end",
                    "forecast_start",
                    "forecast_end",
                    "actual_start",
                    "actual_end",
                ),
                DATE,
            ),
            "slip_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "forecast_end": "Si elle dépasse la fin prévue, indiquez le motif du glissement.",
            "slip_reason": "Obligatoire quand la fin prévisionnelle dépasse la fin prévue (référence).",
            "weight": "Part de la phase dans l'avancement de l'opération.",
        }

    field_order = ["name", "order", "weight", "progress_percent"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("progress_percent", (self.instance.progress or 0) * HUNDRED)

    def service_values(self) -> dict[str, object]:
        """The cleaned values as the service takes them (progress as a fraction, no version)."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        data["progress"] = data.pop("progress_percent") / HUNDRED
        return data


class TemplateForm(forms.Form):
    start = forms.DateField(
        label="Début de la première phase",
        widget=DATE,
        help_text="Les phases s'enchaînent à partir de cette date.",
    )


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ManualProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    progress_percent = percent_field("Avancement technique (%)", required=False)

    def progress(self) -> Decimal | None:
        value = self.cleaned_data.get("progress_percent")
        return None if value is None else value / HUNDRED


class ReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["reported_on", "weather", "text", "attachment"]
        widgets = {
            "reported_on": DATE,
            "weather": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weather"].choices = ProgressReport.Weather.choices  # no empty choice with radios
        self.fields["attachment"].help_text = (
            f"Facultative. Formats acceptés : {allowed_labels()} ; "
            f"{format_megabytes(settings.UPLOAD_MAX_BYTES)} Mo au plus."
        )


class RiskForm(VersionedForm):
    class Meta:
        model = Risk
        fields = ["kind", "description", "level", "owner", "mitigation", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk or self.instance.status not in {RiskStatus.OPEN, RiskStatus.MITIGATED}:
            del self.fields["status"]  # a new risk is open; escalated and closed ones change by their action
        else:
            self.fields["status"].choices = [
                (RiskStatus.OPEN.value, RiskStatus.OPEN.label),
                (RiskStatus.MITIGATED.value, RiskStatus.MITIGATED.label),
            ]


class RiskCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Pourquoi clore", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskEscalateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label="Remontée le", widget=DATE)
    note = forms.CharField(
        label="Question posée à l'instance de décision",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui est demandé (arbitrage, décision, appui) : la note d'arbitrage partira de ce texte.",
    )
