"""Forms of communication actions: create and edit (channel, date, audience, message, reach, linked operations
and communes, the financers credited, the proof) and the status change. They validate and normalise with French
messages; the services check the rules (STYLE.md §13)."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from operations.models import CommunicationAction
from operations.participation.models import CommunicationStatus
from operations.participation.selectors.communication import visible_operations
from operations.participation.services.communication import EDITABLE_FIELDS, allowed_targets
from partners.models import Organisation
from programmes.models import Programme
from programmes.validators import allowed_labels, format_megabytes, validate_upload
from pvd.accounts.models import User
from pvd.forms import VersionedForm, native_widgets

LINKS = ("operations", "communes", "funders_credited")


class CommunicationActionForm(VersionedForm):
    """Create (no version) or edit an action of `programme`; the status changes with its own form."""

    clear_proof = forms.BooleanField(label="Retirer le justificatif actuel", required=False)

    class Meta:
        model = CommunicationAction
        fields = (*EDITABLE_FIELDS[:6], "operations", "communes", "funders_credited", "proof", "proof_note")
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "operations": forms.SelectMultiple(attrs={"size": 8}),
            "communes": forms.CheckboxSelectMultiple,
            "funders_credited": forms.SelectMultiple(attrs={"size": 8}),
            "proof": forms.FileInput,
        }
        help_texts = {
            "operations": "Opérations du programme dont l'action parle (Ctrl ou Cmd pour en choisir plusieurs). "
            "Leurs communes sont ajoutées d'office.",
            "funders_credited": "Financeurs dont le logo ou la mention figure sur le support : c'est ce que vérifie "
            "la page des obligations de publicité.",
            "proof_note": "Lien vers l'article, emplacement de la photo du panneau…",
        }

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operations"].queryset = visible_operations(user, programme)
        self.fields["operations"].label_from_instance = lambda op: f"{op.code} — {op.title}"
        self.fields["communes"].queryset = programme.communes.order_by("name", "pk")
        self.fields["funders_credited"].queryset = (
            Organisation.objects.visible_to(user).exclude(kind="commune").order_by("name", "pk")
        )
        self.fields["proof"].help_text = (
            f"Photo du panneau, copie de l'article… Formats acceptés : {allowed_labels()} ; "
            f"{format_megabytes(settings.UPLOAD_MAX_BYTES)} Mo au plus."
        )
        if not self.instance.pk or not self.instance.proof:
            del self.fields["clear_proof"]
        native_widgets(self)

    def clean_proof(self) -> object:
        value = self.cleaned_data.get("proof")
        if isinstance(value, UploadedFile):
            validate_upload(value, name=value.name or "", size=value.size or 0)
        return value

    def service_arguments(self) -> dict[str, object]:
        """The cleaned data as the services take them: fields, links, the new proof (or None)."""
        data = dict(self.cleaned_data)
        proof = data.pop("proof", None)
        return {
            "fields": {name: data[name] for name in EDITABLE_FIELDS},
            "links": {name: list(data[name]) for name in LINKS},
            "proof": proof if isinstance(proof, UploadedFile) else None,
            "clear_proof": bool(data.get("clear_proof")),
            "version": data.get("version"),
        }


class CommunicationStatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour une annulation.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, action: CommunicationAction, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, CommunicationStatus(s).label) for s in allowed_targets(action.status)
        ]
        if not self.is_bound:
            self.initial["version"] = action.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("status") == CommunicationStatus.CANCELLED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif de l'annulation.")
        return data
