"""Forms of annual reports (issue 10, H5): they validate, pvd.dashboards.services writes."""

from django import forms

from programmes.indicators.models import AnnualReport
from pvd.forms import VersionedForm


class AnnualReportCreateForm(forms.Form):
    year = forms.IntegerField(
        label="Année",
        min_value=2000,
        max_value=2100,
        help_text="L'année évaluée ; un seul rapport par année.",
    )


class AssessmentForm(VersionedForm):
    class Meta:
        model = AnnualReport
        fields = ["assessment"]
        widgets = {"assessment": forms.Textarea(attrs={"rows": 10})}
