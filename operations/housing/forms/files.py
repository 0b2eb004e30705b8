"""Forms of household files: create and edit (the household, the dwelling, the works; the receipt and the works
extension once filed and decided), and the status change with its evidence. They validate and normalise with
French messages; the services check the pipeline's rules (STYLE.md §13)."""

from django import forms
from django.db.models import Q

from operations.housing.models import (
    AidScheme,
    FileStatus,
    HousingFile,
    HousingSector,
    IncomeCategory,
    RejectionKind,
)
from operations.housing.services.files import EDITABLE_FIELDS, allowed_targets
from operations.models import HousingProgramme
from pvd.accounts.models import User
from pvd.forms import DATE, VersionedForm
from pvd.forms import native_widgets as _widgets

CREATE_FIELDS = tuple(
    name for name in EDITABLE_FIELDS if name not in ("receipt_on", "works_extension_months")
)


class HousingFileForm(VersionedForm):
    """Create (no version, no receipt, no extension) or edit a file of `housing_programme`."""

    class Meta:
        model = HousingFile
        fields = EDITABLE_FIELDS
        help_texts = {
            "reference_income": "Revenu fiscal de référence du dernier avis d'imposition : la catégorie est "
            "calculée au dépôt avec le barème de l'année de dépôt, puis conservée.",
            "receipt_on": "Le délai de décision de l'Anah court à partir de cette date.",
            "works_extension_months": "Prorogation accordée par le délégué de l'Anah (au plus celle du règlement).",
        }

    def __init__(
        self, *args: object, housing_programme: HousingProgramme, user: User, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            for name in ("receipt_on", "works_extension_months"):
                del self.fields[name]
        self.fields["commune"].queryset = housing_programme.communes.order_by("name", "pk")
        self.fields["sector"].queryset = HousingSector.objects.filter(
            housing_programme=housing_programme
        ).order_by("name", "pk")
        assignees = User.objects.filter(is_active=True).filter(
            Q(memberships__housing_programme=housing_programme) | Q(pk=user.pk)
        )
        if self.instance.assigned_to_id:
            assignees = assignees | User.objects.filter(pk=self.instance.assigned_to_id)
        self.fields["assigned_to"].queryset = assignees.distinct().order_by("full_name", "pk")
        _widgets(self)


class HousingFileStatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    on = forms.DateField(
        label="Date de l'événement", widget=DATE, help_text="Visite, dépôt, décision, début des travaux…"
    )
    receipt_on = forms.DateField(
        label="Accusé de réception de l'Anah",
        required=False,
        widget=DATE,
        help_text="Au dépôt, s'il est déjà reçu.",
    )
    scheme_code = forms.ChoiceField(
        label="Aide Anah demandée",
        required=False,
        choices=[],
        help_text="Au dépôt : la version en vigueur le jour du dépôt est enregistrée sur le dossier.",
    )
    declared_category = forms.ChoiceField(
        label="Catégorie indiquée par la décision de l'Anah",
        required=False,
        choices=[("", "—"), *IncomeCategory.choices],
        help_text="Seulement si le barème de l'année de dépôt n'est pas chargé : la catégorie n'est jamais devinée.",
    )
    rejection_kind = forms.ChoiceField(
        label="Nature du rejet", required=False, choices=[("", "—"), *RejectionKind.choices]
    )
    works_completed_on = forms.DateField(
        label="Fin des travaux", required=False, widget=DATE, help_text="Avec la demande de paiement."
    )
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un abandon.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, file: HousingFile, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.file = file
        self.fields["status"].choices = [(s, FileStatus(s).label) for s in allowed_targets(file.status)]
        codes = AidScheme.objects.order_by("code", "-valid_from").values_list("code", "name")
        seen: dict[str, str] = {}
        for code, name in codes:
            seen.setdefault(code, name)
        self.fields["scheme_code"].choices = [("", "—"), *seen.items()]
        if not self.is_bound:
            self.initial["version"] = file.version
            if file.scheme_id:
                self.initial["scheme_code"] = file.scheme.code

    def clean(self) -> dict[str, object]:
        data = super().clean()
        status = data.get("status")
        if status == FileStatus.ABANDONED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif de l'abandon.")
        if (
            status == FileStatus.PAYMENT_REQUESTED
            and not data.get("works_completed_on")
            and not self.file.works_completed_on
        ):
            self.add_error("works_completed_on", "Indiquez la date de fin des travaux.")
        return data

    def evidence(self) -> dict[str, object]:
        """The evidence the service takes for the chosen status."""
        data = self.cleaned_data
        status = data["status"]
        evidence: dict[str, object] = {}
        if status == FileStatus.FILED:
            evidence.update(
                receipt_on=data.get("receipt_on"),
                scheme_code=data.get("scheme_code") or "",
                declared_category=data.get("declared_category") or "",
            )
        elif status == FileStatus.REJECTED:
            evidence["rejection_kind"] = data.get("rejection_kind") or RejectionKind.EXPRESS
        elif status == FileStatus.PAYMENT_REQUESTED:
            evidence["works_completed_on"] = data.get("works_completed_on")
        return evidence
