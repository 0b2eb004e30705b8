"""Forms of deliberations and ORT perimeters (issue 9): they validate, the services write.

Edit forms carry the `version` they were displayed with (optimistic locking, docs/decisions/0004). Files are checked
on their content (programmes.validators) and, here, restricted to fewer types: a deliberation is a PDF, a perimeter
map a PDF or an image.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from partners.models import Organisation
from programmes.models import Deliberation, OrtSector, Programme
from programmes.services.deliberations import LOCAL_AUTHORITY_KINDS
from programmes.validators import FILE_TYPES, format_megabytes, validate_upload
from pvd.accounts.models import User
from pvd.forms import VersionedForm, native_widgets

DELIBERATION_TYPES = ("pdf",)
MAP_TYPES = ("pdf", "png", "jpeg")


def _labels(codes: tuple[str, ...]) -> str:
    return ", ".join(FILE_TYPES[code].label for code in codes)


def _help(codes: tuple[str, ...]) -> str:
    return f"Formats acceptés : {_labels(codes)} ; {format_megabytes(settings.UPLOAD_MAX_BYTES)} Mo au plus."


def check_upload(value: object, codes: tuple[str, ...]) -> object:
    """The upload if its content is one of `codes` (and within the size limit), else a French ValidationError."""
    if not isinstance(value, UploadedFile):
        return value
    name = value.name or ""
    file_type = validate_upload(value, name=name, size=value.size or 0)
    if file_type.code not in codes:
        raise ValidationError(
            "Le format « %(label)s » n'est pas accepté ici. Formats acceptés : %(allowed)s.",
            code="extension",
            params={"label": file_type.label, "allowed": _labels(codes)},
        )
    return value


def local_authorities(user: User) -> QuerySet[Organisation]:
    """The authorities that deliberate (communes, EPCI, departments, regions) the user sees."""
    return Organisation.objects.visible_to(user).filter(kind__in=LOCAL_AUTHORITY_KINDS).order_by("name", "pk")


class DeliberationForm(VersionedForm):
    file = forms.FileField(label="Délibération (PDF)", required=False, widget=forms.ClearableFileInput)

    class Meta:
        model = Deliberation
        fields = [
            "organisation",
            "body",
            "number",
            "adopted_on",
            "subject",
            "published_on",
            "transmitted_on",
            "file",
        ]
        help_texts = {
            "number": "Le numéro donné par la collectivité, par exemple « 2026-044 ».",
            "published_on": "Publication électronique (ou affichage pour une petite commune qui n'a pas opté).",
            "transmitted_on": "Date de l'accusé de réception de la préfecture (contrôle de légalité).",
        }

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = local_authorities(user)
        self.fields["file"].help_text = _help(DELIBERATION_TYPES)
        native_widgets(self)

    def clean_file(self) -> object:
        return check_upload(self.cleaned_data.get("file"), DELIBERATION_TYPES)


class OrtSectorForm(VersionedForm):
    map_file = forms.FileField(label="Carte du périmètre", required=False, widget=forms.ClearableFileInput)

    class Meta:
        model = OrtSector
        fields = ["name", "commune", "is_town_centre", "description", "order", "map_file"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = programme.communes.order_by("name", "pk")
        self.fields["map_file"].help_text = _help(MAP_TYPES)

    def clean_map_file(self) -> object:
        return check_upload(self.cleaned_data.get("map_file"), MAP_TYPES)
