"""Forms of subsidy requests: the request (create, edit), its status change with the evidence, its allocation
to operations, a payment, a receipt, a reduction or repayment, and the pipeline's filters.

They validate and normalise with French messages (dates in order, amounts not negative, received after asked);
the services write and check the rules (caps, transitions) — STYLE.md §13.
"""

from decimal import Decimal

from django import forms
from django.db.models import Q

from budget.models import (
    AdjustmentKind,
    BudgetAccount,
    BudgetDirection,
    BudgetLine,
    FinancingLine,
    PaymentKind,
    SubsidyAdjustment,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from budget.services.subsidies import (
    DESCRIPTIVE_FIELDS,
    EDITABLE_FIELDS,
    EVENT_DATE,
    REASON_REQUIRED,
    allowed_targets,
    date_order_errors,
)
from operations.models import Operation
from partners.models import Offer, OfferKind, Organisation, OrganisationKind
from programmes.forms.documents import VersionedForm
from programmes.models import Programme
from pvd.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"step": "0.01", "min": "0"}


def _dates(form: forms.ModelForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DATE
        if isinstance(field, forms.DecimalField):
            field.widget.attrs.update(MONEY)


def _limit_choices(form: forms.ModelForm, user: User, programme: Programme) -> None:
    organisations = Organisation.objects.visible_to(user)
    if "beneficiary" in form.fields:
        form.fields["beneficiary"].queryset = organisations.filter(
            ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI])
            | Q(pk=programme.epci_id)
            | Q(pk__in=programme.communes.values("pk"))
        ).order_by("name", "pk")
    if "funder" in form.fields:
        form.fields["funder"].queryset = organisations.exclude(
            Q(kind=OrganisationKind.COMMUNE) & ~Q(pk__in=programme.communes.values("pk"))
        ).order_by("name", "pk")
    if "scheme" in form.fields:
        form.fields["scheme"].queryset = (
            Offer.objects.visible_to(user).filter(kind=OfferKind.FUNDING).order_by("name", "pk")
        )
    if "revenue_account" in form.fields:
        form.fields["revenue_account"].queryset = BudgetAccount.objects.filter(
            direction="revenue", is_active=True
        ).order_by("code")


def _check_amounts(form: forms.Form, data: dict[str, object]) -> None:
    for amount, base in (("requested_amount", "requested_base_ht"), ("awarded_amount", "awarded_base_ht")):
        a, b = data.get(amount), data.get(base)
        if a is not None and b is not None and a > b:
            form.add_error(amount, "Le montant ne peut pas dépasser l'assiette (taux supérieur à 100 %).")


class SubsidyRequestForm(forms.ModelForm):
    """A new request (to prepare); optionally the operation and the plan line it finances."""

    operation = forms.ModelChoiceField(
        label="Opération financée",
        queryset=Operation.objects.none(),
        required=False,
        help_text="Le montant demandé lui est affecté ; répartissez ensuite sur plusieurs opérations si besoin.",
    )
    financing_line = forms.ModelChoiceField(
        label="Ligne du plan de financement", queryset=FinancingLine.objects.none(), required=False
    )

    class Meta:
        model = SubsidyRequest
        fields = list(DESCRIPTIVE_FIELDS)

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, user, programme)
        _dates(self)
        operations = Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")
        self.fields["operation"].queryset = operations
        self.fields["financing_line"].queryset = (
            FinancingLine.objects.visible_to(user)
            .filter(plan__operation__in=operations, allocation__isnull=True)
            .select_related("plan__operation", "scheme", "funder")
            .order_by("plan__operation__code", "position", "pk")
        )
        self.fields["financing_line"].label_from_instance = lambda line: (
            f"{line.plan.operation.code} — {line.funder.name} — {line}"
        )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        _check_amounts(self, data)
        line, operation = data.get("financing_line"), data.get("operation")
        if line is not None:
            if operation is None:
                data["operation"] = line.plan.operation
            elif line.plan.operation_id != operation.pk:
                self.add_error("financing_line", "Cette ligne appartient au plan d'une autre opération.")
        return data

    def _post_clean(self) -> None:
        """The service validates the whole object (full_clean)."""


class SubsidyRequestEditForm(VersionedForm):
    """What the request is, its chain of dates and its amounts (the status moves on the request's page)."""

    class Meta:
        model = SubsidyRequest
        fields = list(EDITABLE_FIELDS)
        widgets = {"conditions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, user, programme)
        _dates(self)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        _check_amounts(self, data)
        for name, message in date_order_errors(data).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def _post_clean(self) -> None:
        """The service validates the whole object (full_clean)."""


class StatusForm(forms.Form):
    """A status change and its evidence: the date of the event (filing, decision, notification…), the
    decision's amount and base for an award, a reference, the reason for a refusal, lapse or withdrawal."""

    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    event_on = forms.DateField(label="Date de l'événement", required=False, widget=DATE)
    reference = forms.CharField(
        label="Référence (délibération, dossier, décision)", required=False, max_length=100
    )
    awarded_amount = forms.DecimalField(
        label="Montant attribué (€)", required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    awarded_base_ht = forms.DecimalField(
        label="Assiette retenue (€ HT)", required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    conditions = forms.CharField(
        label="Conditions de la décision", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un rejet, une caducité ou un retrait.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, request: SubsidyRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, SubsidyStatus(s).label) for s in allowed_targets(request.status)]
        for name in ("awarded_amount", "awarded_base_ht"):
            self.fields[name].widget.attrs.update(MONEY)
        if not self.is_bound:
            self.initial["version"] = request.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        status = data.get("status")
        if status in EVENT_DATE and not data.get("event_on"):
            self.add_error("event_on", f"Indiquez la date : {SubsidyStatus(status).label.lower()}.")
        if status == SubsidyStatus.AWARDED and data.get("awarded_amount") is None:
            self.add_error("awarded_amount", "Indiquez le montant attribué par la décision.")
        amount, base = data.get("awarded_amount"), data.get("awarded_base_ht")
        if amount is not None and base is not None and amount > base:
            self.add_error("awarded_amount", "Le montant attribué ne peut pas dépasser l'assiette retenue.")
        if status in REASON_REQUIRED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif.")
        return data

    def evidence(self) -> dict[str, object]:
        """The service's keyword arguments for the chosen status."""
        data = self.cleaned_data
        status = data["status"]
        evidence: dict[str, object] = {}
        if status in EVENT_DATE:
            evidence[EVENT_DATE[status]] = data["event_on"]
        reference_field = {
            SubsidyStatus.DELIBERATED: "deliberation_reference",
            SubsidyStatus.FILED: "platform_reference",
            SubsidyStatus.AWARDED: "decision_reference",
            SubsidyStatus.REJECTED: "decision_reference",
        }.get(status)
        if reference_field and data.get("reference"):
            evidence[reference_field] = data["reference"]
        if status == SubsidyStatus.AWARDED:
            evidence["awarded_amount"] = data.get("awarded_amount")
            evidence["awarded_base_ht"] = data.get("awarded_base_ht")
            if data.get("conditions"):
                evidence["conditions"] = data["conditions"]
        return evidence


class AllocationForm(forms.Form):
    operation = forms.ModelChoiceField(label="Opération", queryset=Operation.objects.none())
    financing_line = forms.ModelChoiceField(
        label="Ligne du plan de financement", queryset=FinancingLine.objects.none(), required=False
    )
    amount = forms.DecimalField(
        label="Montant affecté (€)", min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    def __init__(self, *args: object, operations: object, lines: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations
        self.fields["financing_line"].queryset = lines
        self.fields["financing_line"].label_from_instance = lambda line: (
            f"{line.plan.operation.code} — {line.funder.name} — {line}"
        )
        self.fields["amount"].widget.attrs.update(MONEY)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        line, operation = data.get("financing_line"), data.get("operation")
        if line is not None and operation is not None and line.plan.operation_id != operation.pk:
            self.add_error("financing_line", "Cette ligne appartient au plan d'une autre opération.")
        return data


class BaseAllocationFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            operation = form.cleaned_data["operation"]
            if operation.pk in seen:
                raise forms.ValidationError(f"L'opération {operation.code} figure deux fois.")
            seen.add(operation.pk)

    def allocations(self) -> list[tuple[Operation, FinancingLine | None, Decimal]]:
        return [
            (f.cleaned_data["operation"], f.cleaned_data.get("financing_line"), f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


AllocationFormSet = forms.formset_factory(
    AllocationForm, formset=BaseAllocationFormSet, extra=2, can_delete=True
)


def allocation_formset(
    data: object, *, request: SubsidyRequest, user: User, initial: list[dict[str, object]] | None = None
) -> forms.BaseFormSet:
    operations = (
        Operation.objects.visible_to(user).filter(programme_id=request.programme_id).order_by("code", "pk")
    )
    lines = (
        FinancingLine.objects.visible_to(user)
        .filter(plan__operation__in=operations)
        .filter(Q(allocation__isnull=True) | Q(allocation__request=request))
        .select_related("plan__operation", "funder", "scheme")
        .order_by("plan__operation__code", "position", "pk")
    )
    return AllocationFormSet(
        data, initial=initial, prefix="affectations", form_kwargs={"operations": operations, "lines": lines}
    )


class PaymentForm(forms.ModelForm):
    class Meta:
        model = SubsidyPayment
        fields = [
            "kind",
            "amount",
            "requested_on",
            "received_on",
            "revenue_order_reference",
            "budget_line",
            "note",
        ]

    def __init__(self, *args: object, subsidy: SubsidyRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)
        self.fields["kind"].choices = PaymentKind.choices
        # The revenue lines of the beneficiary's budget in this programme, latest year first.
        line = self.fields["budget_line"]
        line.queryset = (
            BudgetLine.objects.filter(
                programme_id=subsidy.programme_id,
                organisation_id=subsidy.beneficiary_id,
                direction=BudgetDirection.REVENUE,
            )
            .select_related("account")
            .order_by("-year", "account__code", "pk")
        )
        line.label_from_instance = lambda obj: f"{obj.year} · {obj.account.code} · {obj.label}"
        line.help_text = "Pour suivre le titre de recette dans le budget du programme (facultatif)."

    def clean(self) -> dict[str, object]:
        data = super().clean()
        asked, received = data.get("requested_on"), data.get("received_on")
        if asked and received and received < asked:
            self.add_error("received_on", "L'encaissement ne peut pas précéder la demande de versement.")
        amount = data.get("amount")
        if amount is not None and amount <= 0:
            self.add_error("amount", "Un versement est un montant positif.")
        return data

    def _post_clean(self) -> None:
        """The service validates the whole object."""


class ReceiptForm(forms.Form):
    received_on = forms.DateField(label="Encaissé le", widget=DATE)
    revenue_order_reference = forms.CharField(label="Titre de recette", max_length=60)

    def __init__(self, *args: object, payment: SubsidyPayment, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.payment = payment

    def clean_received_on(self) -> object:
        day = self.cleaned_data["received_on"]
        if day < self.payment.requested_on:
            raise forms.ValidationError(
                f"L'encaissement ne peut pas précéder la demande de versement "
                f"({self.payment.requested_on:%d/%m/%Y})."
            )
        return day


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = SubsidyAdjustment
        fields = ["kind", "amount", "decided_on", "reference", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)
        self.fields["kind"].choices = AdjustmentKind.choices

    def clean_amount(self) -> object:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Le montant est positif.")
        return amount

    def _post_clean(self) -> None:
        """The service validates the whole object."""


class PipelineFilterForm(forms.Form):
    """The pipeline's filters, in the URL."""

    statut = forms.MultipleChoiceField(
        label="Statut", choices=SubsidyStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    financeur = forms.TypedChoiceField(label="Financeur", required=False, coerce=int, empty_value=None)
    dispositif = forms.TypedChoiceField(label="Dispositif", required=False, coerce=int, empty_value=None)
    operation = forms.TypedChoiceField(label="Opération", required=False, coerce=int, empty_value=None)
    echeance = forms.IntegerField(
        label="Échéance dans les N jours", required=False, min_value=0, max_value=3650
    )

    def __init__(self, *args: object, choices: dict[str, list[tuple[int, str]]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", "Tous")]
        self.fields["financeur"].choices = everything + choices["funders"]
        self.fields["dispositif"].choices = everything + choices["schemes"]
        self.fields["operation"].choices = [("", "Toutes")] + choices["operations"]
