"""Forms of the programme budget: PPI and CP grids (one row per year), AP, revision, AP status, budget
line, expense, expense step. They validate and normalise; budget.services.programme_budget writes and
checks the money rules (with the figures)."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from budget.models import (
    AuthorisationRevision,
    BudgetAccount,
    BudgetLine,
    Expense,
    ExpenseStatus,
    ProgrammeAuthorisation,
)
from budget.services import programme_budget as services
from operations.models import Contract, Invoice, Operation
from partners.models import Organisation
from programmes.forms.documents import VersionedForm
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount(label: str, *, required: bool = True, allow_negative: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=None if allow_negative else Decimal(0),
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )


def owner_choices(programme: Programme) -> QuerySet[Organisation]:
    """The budgets that can carry the programme: its EPCI and its communes."""
    ids = [o.pk for o in services.budget_owners(programme)]
    return Organisation.objects.filter(pk__in=ids).order_by("kind", "name", "pk")


def operation_choices(user: User, programme: Programme) -> QuerySet[Operation]:
    return Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")


# --- Yearly grids (PPI, CP) --------------------------------------------------------------------------------


class YearAmountForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    amount = _amount("Montant (€ TTC)", required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BaseYearFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            if year in seen:
                raise forms.ValidationError(f"L'année {year} figure deux fois.")
            seen.add(year)

    def rows(self) -> tuple[dict[int, Decimal | None], dict[int, int]]:
        """{year: amount or None (emptied: remove the year)}, and {year: version seen} for existing rows."""
        rows: dict[int, Decimal | None] = {}
        versions: dict[int, int] = {}
        for form in self.forms:
            data = form.cleaned_data
            if data.get("year") is None:
                continue
            if data.get("amount") is None and data.get("version") is None:
                continue  # an empty new row
            rows[data["year"]] = data.get("amount")
            if data.get("version") is not None:
                versions[data["year"]] = data["version"]
        return rows, versions


YearFormSet = forms.formset_factory(
    YearAmountForm, formset=BaseYearFormSet, extra=0, max_num=60, validate_max=True
)


def year_formset(
    data: object, existing: list, *, field: str, first_year: int, span: int = 6
) -> BaseYearFormSet:
    """A grid of years: every existing row, then the missing years from `first_year` over `span` years."""
    initial = [{"year": row.year, "amount": getattr(row, field), "version": row.version} for row in existing]
    known = {row.year for row in existing}
    start = max([first_year, *(y + 1 for y in known if y >= first_year)]) if known else first_year
    initial += [{"year": year} for year in range(first_year, start + span) if year not in known][:span]
    initial.sort(key=lambda row: row["year"])
    return YearFormSet(data, initial=initial, prefix="annees")


# --- AP ------------------------------------------------------------------------------------------------------


class AuthorisationForm(VersionedForm):
    initial_amount = _amount("Montant initial (€ TTC)")

    class Meta:
        model = ProgrammeAuthorisation
        fields = [
            "organisation",
            "number",
            "label",
            "voted_on",
            "deliberation_reference",
            "initial_amount",
            "operations",
        ]
        widgets = {"voted_on": DATE, "operations": forms.CheckboxSelectMultiple}
        help_texts = {
            "number": "Unique dans le budget de la collectivité.",
            "operations": "Les opérations du programme que l'AP finance.",
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = owner_choices(programme)
        self.fields["operations"].queryset = operation_choices(user, programme)
        self.fields["operations"].required = False
        if self.instance.pk:
            del self.fields["organisation"]  # the budget owner of a voted AP does not change

    def validate_unique(self) -> None:  # the service checks the number with a French message
        pass

    def service_values(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RevisionForm(forms.ModelForm):
    delta = _amount("Variation (€ TTC)", allow_negative=True)

    class Meta:
        model = AuthorisationRevision
        fields = ["voted_on", "deliberation_reference", "delta", "reason"]
        widgets = {"voted_on": DATE}
        help_texts = {"delta": "Positive pour augmenter l'AP, négative pour la réduire."}


class AuthorisationStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(label="Nouveau statut")
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, authorisation: ProgrammeAuthorisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        targets = services.authorisation_targets(authorisation.status)
        self.fields["to"].choices = [(t, ProgrammeAuthorisation.Status(t).label) for t in targets]
        if not self.is_bound:
            self.initial["version"] = authorisation.version


# --- Budget lines --------------------------------------------------------------------------------------------


class BudgetLineForm(VersionedForm):
    voted_amount = _amount("Budget primitif (€ TTC)")
    amendments_amount = _amount("Décisions modificatives (€ TTC)", allow_negative=True)

    class Meta:
        model = BudgetLine
        fields = [
            "organisation",
            "year",
            "section",
            "direction",
            "account",
            "label",
            "operation",
            "authorisation",
            "voted_amount",
            "amendments_amount",
        ]
        help_texts = {
            "amendments_amount": "Total des décisions modificatives de l'exercice ; négatif pour une réduction.",
            "authorisation": "Pour une dépense d'investissement gérée en AP/CP.",
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = owner_choices(programme)
        self.fields["account"].queryset = BudgetAccount.objects.filter(is_active=True).order_by("code")
        self.fields["account"].label_from_instance = lambda a: (
            f"{a.code} — {a.label} (chap. {a.chapter}, {a.get_section_display().lower()}, "
            f"{a.get_direction_display().lower()})"
        )
        self.fields["operation"].queryset = operation_choices(user, programme)
        self.fields["authorisation"].queryset = (
            policy.visible_to(ProgrammeAuthorisation.objects.all(), user)
            .filter(programme=programme)
            .order_by("number", "pk")
        )
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("amendments_amount", Decimal(0))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        account = data.get("account")
        section, direction = data.get("section"), data.get("direction")
        if (
            account
            and section
            and direction
            and (account.section != section or account.direction != direction)
        ):
            self.add_error(
                "account",
                f"Le compte {account.code} relève de la section « {account.get_section_display()} » en "
                f"« {account.get_direction_display().lower()} » : il ne convient pas à cette ligne.",
            )
        voted, amendments = data.get("voted_amount"), data.get("amendments_amount")
        if voted is not None and amendments is not None and voted + amendments < 0:
            self.add_error(
                "amendments_amount",
                "Les crédits de la ligne (budget primitif + DM) ne peuvent pas être négatifs.",
            )
        return data

    def service_values(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- Expenses ------------------------------------------------------------------------------------------------


class ExpenseForm(VersionedForm):
    amount_ht = _amount("Montant (€ HT)")
    amount_ttc = _amount("Montant (€ TTC)")

    class Meta:
        model = Expense
        fields = [
            "label",
            "supplier",
            "operation",
            "amount_ht",
            "amount_ttc",
            "committed_on",
            "commitment_reference",
            "contract",
            "invoice",
            "contract_reference",
            "invoice_reference",
        ]
        widgets = {"committed_on": DATE}
        help_texts = {
            "committed_on": "Date de l'engagement juridique : signature du marché, du devis ou du bon de commande.",
            "contract_reference": "Référence du marché ou du bon de commande.",
        }

    def __init__(self, *args: object, user: User, line: BudgetLine, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operation_choices(user, line.programme)
        if not self.is_bound and not self.instance.pk and line.operation_id:
            self.initial["operation"] = line.operation_id
        # The programme's contracts and their invoices (procurement), to pay a contract's invoice.
        contracts = Contract.objects.visible_to(user).filter(lot__consultation__programme=line.programme)
        self.fields["contract"].queryset = contracts.select_related("holder").order_by("number")
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} — {c.holder}"
        invoices = Invoice.objects.filter(contract__in=contracts).select_related("contract")
        self.fields["invoice"].queryset = invoices.order_by("contract__number", "received_on", "pk")
        self.fields["invoice"].label_from_instance = lambda i: (
            f"{i.number} du {i.received_on:%d/%m/%Y} — marché {i.contract.number}"
        )
        self.fields["invoice"].help_text = "La facture du marché que cette dépense paie (facultatif)."

    def clean(self) -> dict[str, object]:
        data = super().clean()
        ht, ttc = data.get("amount_ht"), data.get("amount_ttc")
        if ht is not None and ttc is not None and ttc < ht:
            self.add_error("amount_ttc", "Le montant TTC ne peut pas être inférieur au montant HT.")
        return data

    def service_values(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


STEP_LABELS = {
    ExpenseStatus.LIQUIDATED: "Liquider (service fait)",
    ExpenseStatus.ORDERED: "Mandater",
    ExpenseStatus.PAID: "Enregistrer le paiement",
    ExpenseStatus.CANCELLED: "Annuler l'engagement",
}


class ExpenseStepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(label="Étape", widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )
    reference = forms.CharField(
        label="Référence",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        help_text="Numéro du mandat (obligatoire pour mandater) ou de la facture (liquidation).",
    )
    comment = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args: object, expense: Expense, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(t, STEP_LABELS[t]) for t in services.expense_targets(expense.status)]
        if not self.is_bound:
            self.initial["version"] = expense.version
            self.initial["date"] = policy.today()
