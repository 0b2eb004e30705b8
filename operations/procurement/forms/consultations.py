"""Forms of consultations: the consultation (create, edit), a lot, the award criteria (a formset), the status
change with its evidence, and the filters of the procurement list. They validate with French messages; the
services check the rules (thresholds, transitions, weights) — STYLE.md §13."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from operations.models import Operation
from operations.procurement.models import (
    Consultation,
    ConsultationStatus,
    CriterionKind,
    Lot,
    Procedure,
    PurchaseNature,
)
from operations.procurement.services.consultations import DESCRIPTIVE_FIELDS, EVENT_DATE, allowed_targets
from operations.procurement.thresholds import LEGAL_GROUNDS
from partners.models import Organisation, OrganisationKind
from programmes.forms.documents import VersionedForm
from programmes.models import Programme
from pvd.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONEY = {"step": "0.01", "min": "0"}
GROUNDS_HELP = "Fondements possibles : " + " ; ".join(
    label for code, label in LEGAL_GROUNDS if code != "other"
)


def _buyers(user: User, programme: Programme):
    return (
        Organisation.objects.visible_to(user)
        .filter(
            Q(pk=programme.epci_id)
            | Q(pk__in=programme.communes.values("pk"))
            | ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI, "company"])
        )
        .order_by("name", "pk")
    )


class ConsultationForm(VersionedForm):
    """What the consultation is: the need (nature, value, launch date) decides the required procedure."""

    operations = forms.ModelMultipleChoiceField(
        label="Opérations concernées", queryset=Operation.objects.none(), required=False
    )

    class Meta:
        model = Consultation
        fields = [*DESCRIPTIVE_FIELDS, "operations"]
        widgets = {
            "launch_date": DATE,
            "procedure_ground": forms.Textarea(attrs={"rows": 2}),
            "estimated_value_ht": forms.NumberInput(attrs=MONEY),
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = _buyers(user, programme)
        self.fields["operations"].queryset = (
            Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")
        )
        procedure = self.fields["procedure"]
        procedure.required = False
        procedure.choices = [("", "— Celle qu'imposent les seuils —"), *Procedure.choices]
        procedure.help_text = (
            "Laissez vide pour appliquer la procédure requise par les seuils en vigueur à la date de lancement ; "
            "une procédure plus exigeante est toujours possible, une moins exigeante exige un fondement."
        )
        self.fields["procedure_ground"].help_text = GROUNDS_HELP
        if self.instance.pk:
            self.initial.setdefault("operations", list(self.instance.operations.values_list("pk", flat=True)))

    def _post_clean(self) -> None:
        """The service validates the whole object (full_clean) and computes the procedure."""


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["number", "title", "estimated_value_ht", "operation"]
        widgets = {"estimated_value_ht": forms.NumberInput(attrs=MONEY)}

    def __init__(self, *args: object, user: User, consultation: Consultation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["operation"].queryset = (
            Operation.objects.visible_to(user)
            .filter(programme=consultation.programme_id)
            .order_by("code", "pk")
        )
        if self.instance.pk is None:
            self.fields["number"].required = False
            self.fields["number"].help_text = "Laissez vide pour numéroter après le dernier lot."

    def _post_clean(self) -> None:
        """The service validates (full_clean)."""


class CriterionForm(forms.Form):
    key = forms.IntegerField(label="N°", min_value=1, max_value=99)
    kind = forms.ChoiceField(label="Nature", choices=CriterionKind.choices)
    name = forms.CharField(label="Critère", max_length=200)
    weight_percent = forms.DecimalField(
        label="Pondération (%)",
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text="Pour un sous-critère : sa part (en %) de la pondération du critère principal.",
    )
    max_score = forms.DecimalField(
        label="Note maximale", min_value=Decimal(1), max_digits=5, decimal_places=2, initial=Decimal(10)
    )
    parent_key = forms.IntegerField(
        label="Sous-critère du n°",
        min_value=1,
        max_value=99,
        required=False,
        help_text="Vide : critère principal.",
    )


class BaseCriteriaFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        keys = [
            f.cleaned_data["key"] for f in self.forms if f.cleaned_data and not self._should_delete_form(f)
        ]
        if len(keys) != len(set(keys)):
            raise forms.ValidationError("Deux critères portent le même numéro.")

    def rows(self) -> list[dict[str, object]]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]


CriteriaFormSet = forms.formset_factory(CriterionForm, formset=BaseCriteriaFormSet, extra=2, can_delete=True)


class StatusForm(forms.Form):
    """A status change and its evidence: the date of the event, the offers deadline at publication, a reason
    for an unsuccessful or cancelled consultation."""

    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    event_on = forms.DateField(label="Date de l'événement", required=False, widget=DATE)
    offers_deadline = forms.DateTimeField(
        label="Date limite de remise des offres",
        required=False,
        widget=DATETIME,
        help_text="Pour la publication.",
    )
    questions_deadline = forms.DateField(
        label="Date limite des questions", required=False, widget=DATE, help_text="Pour la publication."
    )
    award_decision_reference = forms.CharField(
        label="Référence de la décision d'attribution", required=False, max_length=100
    )
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour une consultation infructueuse ou abandonnée.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, consultation: Consultation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, ConsultationStatus(s).label) for s in allowed_targets(consultation)
        ]
        if not self.is_bound:
            self.initial["version"] = consultation.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        status = data.get("status")
        if status in EVENT_DATE and not data.get("event_on"):
            self.add_error("event_on", f"Indiquez la date : {ConsultationStatus(status).label.lower()}.")
        if status == ConsultationStatus.PUBLISHED and not data.get("offers_deadline"):
            self.add_error("offers_deadline", "Indiquez la date limite de remise des offres.")
        if (
            status in (ConsultationStatus.UNSUCCESSFUL, ConsultationStatus.CANCELLED)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Indiquez le motif.")
        return data

    def evidence(self) -> dict[str, object]:
        data = self.cleaned_data
        status = data["status"]
        evidence: dict[str, object] = {}
        if status in EVENT_DATE:
            evidence[EVENT_DATE[status]] = data["event_on"]
        if status == ConsultationStatus.PUBLISHED:
            evidence["offers_deadline"] = data["offers_deadline"]
            evidence["questions_deadline"] = data["questions_deadline"]
        if status == ConsultationStatus.AWARDED and data["award_decision_reference"]:
            evidence["award_decision_reference"] = data["award_decision_reference"]
        return evidence


class FilterForm(forms.Form):
    statut = forms.MultipleChoiceField(
        label="Statut",
        choices=ConsultationStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nature = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes"), *PurchaseNature.choices], required=False
    )
    procedure = forms.ChoiceField(
        label="Procédure", choices=[("", "Toutes"), *Procedure.choices], required=False
    )
    annee = forms.TypedChoiceField(
        label="Année de lancement", choices=[], required=False, coerce=int, empty_value=None
    )
    operation = forms.ModelChoiceField(label="Opération", queryset=Operation.objects.none(), required=False)

    def __init__(self, *args: object, choices: dict[str, object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes"), *choices["years"]]
        self.fields["operation"].queryset = choices["operations"]
