"""Forms of the financing plan: its header, a line, a line's status (they validate and normalise with French
messages; budget.services.financing writes and applies the defaults: category from the scheme, TTC = HT)."""

from django import forms
from django.db.models import Q, QuerySet

from budget.models import FinancingLine, FinancingLineStatus, FinancingPlan, FundingCategory
from budget.services.financing import allowed_targets
from operations.models import Operation
from partners.models import Offer, OfferKind, Organisation, OrganisationKind
from programmes.forms.documents import VersionedForm
from pvd.accounts.models import User


class PlanForm(VersionedForm):
    class Meta:
        model = FinancingPlan
        fields = [
            "eligible_cost_ht",
            "eligible_cost_ttc",
            "expense_year",
            "fctva_excluded_ttc",
            "fctva_exclusion_reason",
            "lead_authority",
            "own_share_derogation",
            "derogation_ground",
            "derogation_reference",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "eligible_cost_ht": "La dépense subventionnable prévisionnelle : les taux des financeurs s'y rapportent.",
            "eligible_cost_ttc": "Ce que le maître d'ouvrage paie ; base du FCTVA.",
            "derogation_reference": "Arrêté ou décision du préfet autorisant la dérogation (CGCT L1111-10 III).",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expense_year"].min_value = 2000
        self.fields["expense_year"].max_value = 2100
        self.fields["expense_year"].widget.attrs.update(min=2000, max=2100)
        self.fields["fctva_excluded_ttc"].required = False

    def clean_expense_year(self) -> int | None:
        year = self.cleaned_data.get("expense_year")
        if year is not None and not 2000 <= year <= 2100:
            raise forms.ValidationError("L'année est comprise entre 2000 et 2100.")
        return year

    def clean(self) -> dict[str, object]:
        data = super().clean()
        ht, ttc = data.get("eligible_cost_ht"), data.get("eligible_cost_ttc")
        if ht is not None and ttc is not None and ttc < ht:
            self.add_error("eligible_cost_ttc", "La dépense TTC ne peut pas être inférieure à la dépense HT.")
        excluded = data.get("fctva_excluded_ttc")
        if excluded is not None and ttc is not None and excluded > ttc:
            self.add_error(
                "fctva_excluded_ttc", "La part non éligible au FCTVA ne peut pas dépasser la dépense TTC."
            )
        if data.get("own_share_derogation"):
            if not data.get("derogation_ground"):
                self.add_error("derogation_ground", "Indiquez le motif de la dérogation.")
            if not (data.get("derogation_reference") or "").strip():
                self.add_error(
                    "derogation_reference", "Indiquez la décision du préfet qui accorde la dérogation."
                )
        return data

    def service_values(self) -> dict[str, object]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


def funder_choices(user: User, operation: Operation) -> QuerySet[Organisation]:
    """Partners (State services, agencies, Région, Département, companies…), the programme's EPCI, its
    communes and the operation's owner: not every commune of France."""
    programme = operation.programme
    return (
        Organisation.objects.visible_to(user)
        .filter(
            ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI])
            | Q(pk=programme.epci_id)
            | Q(pk__in=programme.communes.values("pk"))
            | Q(pk=operation.owner_id)
        )
        .order_by("name", "pk")
    )


def scheme_choices(user: User) -> QuerySet[Offer]:
    return Offer.objects.visible_to(user).filter(kind=OfferKind.FUNDING).order_by("name", "pk")


class LineForm(VersionedForm):
    status = forms.ChoiceField(
        label="Statut",
        choices=FinancingLineStatus.choices,
        initial=FinancingLineStatus.ENVISAGED,
        help_text="Pour une ligne déjà demandée ou accordée ; ensuite, le statut change par son bouton.",
    )

    class Meta:
        model = FinancingLine
        fields = ["funder", "scheme", "category", "label", "base_ht", "amount_ht", "amount_ttc"]
        help_texts = {
            "scheme": "Choisir un dispositif remplit la catégorie selon ses règles en vigueur.",
            "base_ht": "Vide : la dépense éligible HT du plan. Le taux est calculé sur cette assiette.",
            "amount_ttc": "Vide : égal au montant HT (une subvention). L'autofinancement porte aussi la TVA.",
        }

    def __init__(self, *args: object, user: User, operation: Operation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funder_choices(user, operation)
        self.fields["scheme"].queryset = scheme_choices(user)
        self.fields["category"].required = False
        self.fields["category"].choices = [("", "— selon le dispositif —"), *FundingCategory.choices]
        self.fields["amount_ttc"].required = False
        self.fields["funder"].error_messages["required"] = "Indiquez le financeur."
        if self.instance.pk:
            del self.fields["status"]  # the status moves through its own action
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("funder", operation.owner_id)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        ht, ttc, base = data.get("amount_ht"), data.get("amount_ttc"), data.get("base_ht")
        if ht is not None and ttc is not None and ttc < ht:
            self.add_error("amount_ttc", "Le montant TTC ne peut pas être inférieur au montant HT.")
        if ht is not None and base is not None and ht > base:
            self.add_error("amount_ht", "Le montant ne peut pas dépasser l'assiette éligible (taux > 100 %).")
        return data

    def service_values(self) -> dict[str, object]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class LineStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Nouveau statut",
        choices=FinancingLineStatus.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    comment = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args: object, line: FinancingLine | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if line is not None:
            self.fields["status"].choices = [
                (s, FinancingLineStatus(s).label) for s in allowed_targets(line.status)
            ]
            self.initial["version"] = line.version
            self.auto_id = f"id_line{line.pk}_%s"


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
