"""Forms of meetings: the meeting, an agenda item, the suggestions, attendance and documents (issue 8, H1)."""

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from budget.models import SubsidyRequest
from operations.models import Operation
from programmes.models import EngineeringNeed, Programme
from programmes.validators import allowed_labels, format_megabytes, validate_upload
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import VersionedForm
from pvd.governance.models import AgendaItem, Arbitration, Attendance, AttendanceStatus, Meeting

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(VersionedForm):
    comment = forms.CharField(
        label="Commentaire du changement de statut", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "ends_at", "place", "purpose", "status"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
        if not self.instance.pk:
            del self.fields["status"]
            del self.fields["comment"]


def _arbitrations(user: User, programme: Programme) -> QuerySet[Arbitration]:
    return policy.visible_to(Arbitration.objects.filter(programme=programme), user).order_by(
        "reference", "pk"
    )


class AgendaItemForm(VersionedForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "description", "operation", "need", "arbitration", "subsidy_request"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = policy.visible_to(
            Operation.objects.filter(programme=programme), user
        ).order_by("title", "pk")
        self.fields["need"].queryset = policy.visible_to(
            EngineeringNeed.objects.filter(programme=programme), user
        ).order_by("pk")
        self.fields["arbitration"].queryset = _arbitrations(user, programme)
        self.fields["subsidy_request"].queryset = policy.visible_to(
            SubsidyRequest.objects.filter(programme=programme), user
        ).order_by("pk")


class SuggestionsForm(forms.Form):
    def __init__(self, *args: object, suggestions: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = {s.key: s for s in suggestions}
        self.fields["keys"] = forms.MultipleChoiceField(
            label="Points à ajouter",
            choices=[(s.key, s.title) for s in suggestions],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choisissez au moins un point à ajouter."},
        )

    def chosen(self) -> list:
        return [self.suggestions[key] for key in self.cleaned_data["keys"]]


class AttendanceRowForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(label="E-mail", required=False)
    status = forms.ChoiceField(label="Présence", choices=AttendanceStatus.choices)


AttendanceFormSet = forms.formset_factory(AttendanceRowForm, extra=0)


class NewAttendanceForm(forms.Form):
    name = forms.CharField(label="Nom du participant à ajouter", max_length=200, required=False)
    email = forms.EmailField(label="Son e-mail", required=False)
    status = forms.ChoiceField(
        label="Sa présence", choices=AttendanceStatus.choices, initial=AttendanceStatus.INVITED
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("email") and not data.get("name"):
            self.add_error("name", "Indiquez le nom du participant.")
        return data


def attendance_initial(rows: list[Attendance]) -> list[dict]:
    return [{"id": a.pk, "version": a.version, "email": a.email, "status": a.status} for a in rows]


class MeetingDocumentForm(forms.Form):
    """A document of the meeting; its content is checked like every upload of the app (programmes.validators)."""

    title = forms.CharField(label="Titre", max_length=250)
    file = forms.FileField(label="Fichier")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        limit = format_megabytes(settings.UPLOAD_MAX_BYTES)
        self.fields["file"].help_text = f"Formats acceptés : {allowed_labels()} ; {limit} Mo au plus."

    def clean_file(self) -> object:
        value = self.cleaned_data["file"]
        validate_upload(value, name=value.name or "", size=value.size or 0)
        return value
