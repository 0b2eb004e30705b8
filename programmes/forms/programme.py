from django import forms

from programmes.models import Programme


class ProgrammeKeyDatesForm(forms.ModelForm):
    """The programme's key dates; `version` refuses a form edited from a stale page."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Programme
        fields = ["selected_on", "adhesion_signed_on", "framework_signed_on", "ends_on", "description"]
        widgets = {
            "selected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "adhesion_signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "framework_signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
