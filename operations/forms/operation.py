"""Forms of the action plan: an operation, its status change, and the bulk status change of the list.

They validate and normalise; the services write (STYLE.md §13). The edit form carries the version it was
displayed with (optimistic locking, docs/decisions/0004).
"""

from django import forms
from django.db.models import F, Q

from operations.models import Operation, OperationStatus
from operations.services.operation import allowed_targets
from partners.models import Organisation, OrganisationKind, Person, Theme
from programmes.forms.documents import VersionedForm
from programmes.models import Axis, Indicator, Objective, Programme
from pvd.accounts.models import User


class OperationForm(VersionedForm):
    class Meta:
        model = Operation
        fields = [
            "code",
            "title",
            "communes",
            "owner",
            "axis",
            "objective",
            "themes",
            "in_ort",
            "ort_sector",
            "description",
            "objectives",
            "expected_results",
            "partners",
            "estimated_cost_ht",
            "estimated_cost_ttc",
            "priority",
            "maturity",
            "elected_in_charge",
            "technician_in_charge",
            "manual_progress",
            "indicators",  # issue 10
        ]
        widgets = {
            "communes": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,  # issue 10
            "description": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.visible_to(user)
        self.fields["communes"].queryset = programme.communes.order_by("name", "pk")
        # The owner: a commune or the EPCI of the programme, or a third party (landlord, SEM, company…).
        self.fields["owner"].queryset = organisations.filter(
            ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI])
            | Q(pk=programme.epci_id)
            | Q(pk__in=programme.communes.values("pk"))
        ).order_by("name", "pk")
        self.fields["partners"].queryset = organisations.exclude(kind=OrganisationKind.COMMUNE).order_by(
            "name", "pk"
        )
        self.fields["axis"].queryset = (
            Axis.objects.filter(project__programme=programme)
            .select_related("project")
            .order_by("-project__number", "order", "pk")
        )
        self.fields["axis"].label_from_instance = lambda a: f"{a.title} (version {a.project.number})"
        self.fields["objective"].queryset = (
            Objective.objects.filter(axis__project__programme=programme)
            .select_related("axis__project")
            .order_by("-axis__project__number", "axis__order", "order", "pk")
        )
        self.fields["objective"].label_from_instance = lambda o: (
            f"{o.title} — axe « {o.axis.title} » (version {o.axis.project.number})"
        )
        self.fields["themes"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.fields["elected_in_charge"].queryset = (
            Person.objects.visible_to(user).select_related("organisation").order_by("last_name", "first_name")
        )
        self.fields["technician_in_charge"].queryset = (
            User.objects.filter(memberships__programme=programme).distinct().order_by("full_name", "pk")
        )
        self.fields["ort_sector"].help_text = "Seulement pour une opération dans le périmètre ORT."
        self.fields["manual_progress"].widget.attrs.update(step="0.01", min="0", max="1")
        self._limit_indicators(programme)

    def _limit_indicators(self, programme: Programme) -> None:
        """Issue 10: the programme's indicators not archived (and those already linked, so that archiving one
        does not silently unlink it)."""
        field = self.fields["indicators"]
        linked = Q(pk__in=self.instance.indicators.values("pk")) if self.instance.pk else Q(pk__in=[])
        field.queryset = (
            Indicator.objects.filter(Q(programme=programme) & (Q(archived=False) | linked))
            .select_related("commune")
            .order_by(F("commune__name").asc(nulls_first=True), "name", "pk")  # programme-wide first
        )
        field.label_from_instance = lambda i: f"{i.name} ({i.commune.name})" if i.commune else i.name
        field.help_text = "Les indicateurs du programme que l'opération fait progresser."
        field.error_messages["invalid_choice"] = (
            "Cet indicateur n'est pas suivi par le programme de l'opération : choisissez parmi ceux de la liste."
        )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        ht, ttc = data.get("estimated_cost_ht"), data.get("estimated_cost_ttc")
        if ht is not None and ttc is not None and ttc < ht:
            self.add_error(
                "estimated_cost_ttc", "Le coût TTC ne peut pas être inférieur au coût HT (TTC ≥ HT)."
            )
        return data

    def _post_clean(self) -> None:
        """The services validate the whole object (full_clean); the form does not duplicate it, so a
        unique-code or TTC message comes once."""


class StatusForm(forms.Form):
    """The status change of one operation (its page): the target is one of the allowed transitions."""

    to = forms.ChoiceField(label="Nouveau statut", choices=[])
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, operation: Operation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, OperationStatus(s).label) for s in allowed_targets(operation.status)]
        if not self.is_bound:
            self.initial["version"] = operation.version


class BulkStatusForm(forms.Form):
    """The bulk status change of the list: the checked operations (ids), a target, a comment."""

    operations = forms.ModelMultipleChoiceField(
        label="Opérations",
        queryset=Operation.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": "Cochez au moins une opération."},
    )
    to = forms.ChoiceField(label="Nouveau statut", choices=OperationStatus.choices)
    comment = forms.CharField(label="Commentaire", required=False, max_length=2000)

    def __init__(self, *args: object, operations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operations"].queryset = operations
