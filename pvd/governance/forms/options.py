"""Forms of an arbitration's options and of their financing changes (issue 8, H4): they validate, the services
(`pvd.governance.services.options`) write and apply the rules (programme, workflow, TTC ≥ HT).

The choices are scoped: the operation among the note's programme's operations the user sees (its linked
operations first), the new status among those the operation's workflow allows (checked by the service), the lines
among those of the option's operation's plan only.
"""

from decimal import Decimal

from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When

from budget.models import FinancingLine, FundingCategory
from operations.models import Operation, OperationStatus
from partners.models import Offer, Organisation
from pvd.accounts.models import User
from pvd.forms import MONEY, VersionedForm, native_widgets
from pvd.governance.models import Arbitration, ArbitrationOption, FinancingChangeAction


def operations_for(user: User, arbitration: Arbitration) -> QuerySet[Operation]:
    """The programme's operations the user sees, the note's linked operations first."""
    linked = list(arbitration.operations.values_list("pk", flat=True))
    return (
        Operation.objects.visible_to(user)
        .filter(programme_id=arbitration.programme_id)
        .annotate(
            linked=Case(When(pk__in=linked, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("linked", "code", "pk")
    )


class OptionForm(VersionedForm):
    new_status = forms.ChoiceField(
        label="Nouveau statut de l'opération",
        required=False,
        choices=[("", "Inchangé"), *OperationStatus.choices],
        help_text="Seul un statut que le workflow de l'opération permet depuis son statut actuel est accepté.",
    )

    class Meta:
        model = ArbitrationOption
        fields = [
            "letter",
            "title",
            "description",
            "operation",
            "new_cost_ht",
            "new_vat_rate",
            "new_cost_ttc",
            "shift_days",
            "new_status",
            "risks",
            "partner_opinions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "risks": forms.Textarea(attrs={"rows": 3}),
            "partner_opinions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "letter": "Laissez vide pour la prochaine lettre libre.",
            "new_cost_ht": "Laissez vide si l'option ne change pas le coût.",
            "new_vat_rate": "En fraction : 0,2 pour 20 %. Le TTC est alors calculé.",
            "new_cost_ttc": "À saisir seulement sans taux de TVA ; il ne peut pas être inférieur au HT.",
        }

    def __init__(self, *args: object, user: User, arbitration: Arbitration, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter"].required = False
        self.fields["operation"].queryset = operations_for(user, arbitration)
        self.fields["operation"].empty_label = "Aucune (option sans effet sur une opération)"
        native_widgets(self)


class FinancingChangeForm(forms.Form):
    action = forms.ChoiceField(label="Changement", choices=[("", "—"), *FinancingChangeAction.choices])
    line = forms.ModelChoiceField(
        label="Ligne du plan (modifier, retirer)", queryset=FinancingLine.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label="Catégorie (ajout)", choices=[("", "—"), *FundingCategory.choices], required=False
    )
    funder = forms.ModelChoiceField(
        label="Financeur (ajout)", queryset=Organisation.objects.none(), required=False
    )
    scheme = forms.ModelChoiceField(label="Dispositif (ajout)", queryset=Offer.objects.none(), required=False)
    label = forms.CharField(label="Précision (ajout)", max_length=200, required=False)
    amount_ht = forms.DecimalField(
        label="Montant HT", min_value=Decimal(0), max_digits=14, decimal_places=2, required=False
    )
    amount_ttc = forms.DecimalField(
        label="Montant TTC",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="Vide : égal au HT.",
    )

    def __init__(
        self, *args: object, lines: QuerySet, funders: QuerySet, schemes: QuerySet, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda line: (
            f"{line} — {line.funder.name} — {line.amount_ht} € HT ({line.get_status_display().lower()})"
        )
        self.fields["funder"].queryset = funders
        self.fields["scheme"].queryset = schemes
        for name in ("amount_ht", "amount_ttc"):
            self.fields[name].widget.attrs.update(MONEY)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class BaseFinancingFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[dict[str, object]]:
        """The rows kept (not deleted, not left empty)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("action")
        ]


FinancingFormSet = forms.formset_factory(
    FinancingChangeForm, formset=BaseFinancingFormSet, extra=2, can_delete=True
)


def financing_formset(
    data: object, *, option: ArbitrationOption, user: User, lines: QuerySet[FinancingLine]
) -> forms.BaseFormSet:
    initial = [
        {
            "action": change.action,
            "line": change.line_id,
            "category": change.category,
            "funder": change.funder_id,
            "scheme": change.scheme_id,
            "label": change.label,
            "amount_ht": change.amount_ht,
            "amount_ttc": change.amount_ttc,
        }
        for change in option.financing_changes.order_by("pk")
    ]
    funders = Organisation.objects.visible_to(user).order_by("name", "pk")
    schemes = Offer.objects.filter(kind="funding").order_by("name", "pk")
    return FinancingFormSet(
        data,
        initial=initial,
        prefix="financement",
        form_kwargs={"lines": lines, "funders": funders, "schemes": schemes},
    )
