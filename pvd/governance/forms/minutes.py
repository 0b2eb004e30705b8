"""The minutes form (issue 8): rich text, sanitised by the service with the convention articles' allow-list."""

from django import forms

from pvd.forms import VersionedForm
from pvd.governance.models import Meeting


class MinutesForm(VersionedForm):
    class Meta:
        model = Meeting
        fields = ["minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 18, "data-richtext": "true"})}
        help_texts = {
            "minutes": "Titres, paragraphes, listes, gras et italique, tableaux. Les liens, styles et scripts sont "
            "retirés à l'enregistrement."
        }
