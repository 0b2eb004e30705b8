"""Forms of a contract's execution: the contract's edit, its status change with the event's date, an
amendment, an invoice (create, edit: suspension, payment order, payment), a sub-contractor and the decision on
it, a service order, a purchase order.

They validate and normalise with French messages (the model's constraints run on the form); the services
check the rules (caps, thresholds, transitions) — STYLE.md §13.
"""

from django import forms
from django.db.models import Q

from operations.models import (
    Contract,
    ContractAmendment,
    ContractStatus,
    Invoice,
    PurchaseOrder,
    ServiceOrder,
    Subcontractor,
)
from operations.procurement.services.contracts import (
    EDITABLE_FIELDS,
    EVENT_DATE,
    INVOICE_FIELDS,
    allowed_targets,
)
from partners.models import Organisation, OrganisationKind
from programmes.forms.documents import VersionedForm
from pvd.accounts.models import User
from pvd.forms import DATE
from pvd.forms import native_widgets as _widgets


class ContractForm(VersionedForm):
    class Meta:
        model = Contract
        fields = EDITABLE_FIELDS
        help_texts = {
            "vat_rate": "En fraction : 0,2 pour 20 %.",
            "advance_rate": "En fraction : 0,05 pour 5 % (obligatoire au-delà de 50 000 € HT et 2 mois).",
            "retention_rate": "En fraction, au plus 0,05 (5 %).",
            "retention_released_on": "Pas avant la fin de la garantie de parfait achèvement.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _widgets(self)


class ContractStatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    event_on = forms.DateField(
        label="Date de l'événement",
        required=False,
        widget=DATE,
        help_text="Notification, réception, notification du décompte général, signature du DGD.",
    )
    reserves = forms.CharField(
        label="Réserves à la réception", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour une résiliation.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, contract: Contract, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.fields["status"].choices = [
            (s, ContractStatus(s).label) for s in allowed_targets(contract.status)
        ]
        if not self.is_bound:
            self.initial["version"] = contract.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        status = data.get("status")
        field = EVENT_DATE.get(status or "")
        if field and not data.get("event_on") and getattr(self.contract, field) is None:
            self.add_error("event_on", f"Indiquez la date : {ContractStatus(status).label.lower()}.")
        if status == ContractStatus.TERMINATED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif de la résiliation.")
        if data.get("reserves") and status != ContractStatus.ACCEPTED:
            self.add_error("reserves", "Les réserves accompagnent la réception.")
        return data


class AmendmentForm(forms.ModelForm):
    class Meta:
        model = ContractAmendment
        fields = ("signed_on", "ground", "amount_ht", "duration_months", "description", "cao_opinion_on")
        help_texts = {
            "amount_ht": "Négatif pour une diminution.",
            "cao_opinion_on": "Obligatoire quand le marché attribué par la CAO augmente de plus de 5 % (CGCT L1414-4).",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _widgets(self)


class InvoiceForm(VersionedForm):
    class Meta:
        model = Invoice
        fields = INVOICE_FIELDS
        help_texts = {
            "suspended_on": "Demande de pièces justificatives : le délai de 30 jours est suspendu.",
            "resumed_on": "Réception des pièces : le délai reprend.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _widgets(self)
        if not self.instance.pk:
            del self.fields["late_interest_paid"]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        received, ordered, paid = data.get("received_on"), data.get("ordered_on"), data.get("paid_on")
        suspended, resumed = data.get("suspended_on"), data.get("resumed_on")
        if ordered and received and ordered < received:
            self.add_error("ordered_on", "Le mandatement ne peut pas précéder la réception de la facture.")
        if paid and not ordered:
            self.add_error("paid_on", "Indiquez d'abord la date de mandatement.")
        elif paid and ordered and paid < ordered:
            self.add_error("paid_on", "Le paiement ne peut pas précéder le mandatement.")
        if resumed and not suspended:
            self.add_error("resumed_on", "Le délai ne peut reprendre que s'il a été suspendu.")
        elif resumed and suspended and resumed < suspended:
            self.add_error("resumed_on", "Le délai reprend après sa suspension.")
        return data


class SubcontractorForm(forms.ModelForm):
    class Meta:
        model = Subcontractor
        fields = ("organisation", "siret", "scope", "amount_ttc", "declared_on")
        help_texts = {"amount_ttc": "Paiement direct par l'acheteur à partir de 600 € TTC (R2193-10)."}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.visible_to(user)
            .filter(~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI]))
            .order_by("name", "pk")
        )
        _widgets(self)


class SubcontractorDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accept", "Accepter"), ("refuse", "Refuser")], widget=forms.RadioSelect
    )
    on = forms.DateField(label="Date de la décision", widget=DATE)


class ServiceOrderForm(forms.ModelForm):
    class Meta:
        model = ServiceOrder
        fields = ("kind", "issued_on", "effective_on", "description")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _widgets(self)


class PurchaseOrderForm(forms.ModelForm):
    class Meta:
        model = PurchaseOrder
        fields = ("number", "issued_on", "amount_ht", "amount_ttc", "description")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _widgets(self)
