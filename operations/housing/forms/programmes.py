"""Forms of a housing programme's convention: the programme's perimeter and convention fields, an avenant, the
targets grid (category × year), the envelopes grid (funder × kind × year, plus a row for a new funder), a
perimeter sector and a local top-up rule. They validate and normalise (French messages); the services decide.
"""

from decimal import Decimal

from django import forms
from django.db.models import Q

from operations.housing.models import EnvelopeKind, IncomeCategory, TargetCategory
from operations.models import (
    Contract,
    HousingAmendment,
    HousingProgramme,
    HousingSector,
    Operation,
    TopUpRule,
)
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import VersionedForm
from pvd.forms import native_widgets as _dates


def _years(housing_programme: HousingProgramme) -> list[int]:
    return list(range(housing_programme.starts_on.year, housing_programme.ends_on.year + 1))


def _communes_for(housing_programme: HousingProgramme):
    """Communes of the perimeter's EPCIs (and the current perimeter): never the whole national list."""
    current = housing_programme.communes.all()
    epcis = Organisation.objects.filter(pk__in=current.values("epci_id")).values("pk")
    return (
        Organisation.objects.filter(kind="commune")
        .filter(
            Q(pk__in=current.values("pk"))
            | Q(epci_id__in=epcis)
            | Q(pk=housing_programme.owner_id)
            | Q(epci_id=housing_programme.owner_id)
        )
        .order_by("name")
    )


class HousingProgrammeForm(VersionedForm):
    class Meta:
        model = HousingProgramme
        fields = (
            "communes",
            "perimeter_description",
            "anah_convention_reference",
            "anah_convention_signed_on",
            "operator_contract",
            "operation",
            "retention_years",
        )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = _communes_for(self.instance)
        self.fields["communes"].widget.attrs["size"] = 8
        self.fields["operator_contract"].queryset = policy.visible_to(
            Contract.objects.select_related("lot__consultation", "holder"), user
        )
        self.fields["operator_contract"].help_text = "Le marché de suivi-animation attribué à l'opérateur."
        _operation_field(self, self.instance.programme_id, user)
        _dates(self)


def _operation_field(form: forms.BaseForm, programme_id: int | None, user: User) -> None:
    """The fiche-action carrying the housing programme: an operation of its PVD programme (none without one)."""
    field = form.fields["operation"]
    field.queryset = (
        policy.visible_to(Operation.objects.filter(programme_id=programme_id), user).order_by("code")
        if programme_id
        else Operation.objects.none()
    )
    field.label_from_instance = lambda operation: f"{operation.code} — {operation.title}"


class HousingProgrammeCreateForm(forms.ModelForm):
    """A new housing programme of a PVD programme: perimeter within the programme's EPCI."""

    class Meta:
        model = HousingProgramme
        fields = (
            "kind",
            "name",
            "owner",
            "communes",
            "operator",
            "starts_on",
            "ends_on",
            "operation",
            "perimeter_description",
            "anah_convention_reference",
            "anah_convention_signed_on",
        )

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        communes = Organisation.objects.filter(kind="commune", epci_id=programme.epci_id).order_by("name")
        self.fields["communes"].queryset = communes
        self.fields["communes"].widget.attrs["size"] = 8
        self.fields["owner"].queryset = Organisation.objects.filter(
            Q(pk=programme.epci_id) | Q(pk__in=programme.communes.values("pk"))
        ).order_by("kind", "name")
        self.fields["owner"].help_text = "L'intercommunalité ou une commune du programme."
        self.fields["operator"].queryset = policy.visible_to(
            Organisation.objects.exclude(kind__in=["commune", "epci"]), user
        ).order_by("name")
        self.fields["operator"].help_text = "Vide tant que le marché de suivi-animation n'est pas attribué."
        _operation_field(self, programme.pk, user)
        _dates(self)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "La fin du dispositif doit suivre son début.")
        return data


class HousingAmendmentForm(forms.ModelForm):
    class Meta:
        model = HousingAmendment
        fields = ("signed_on", "subject", "deliberation")
        help_texts = {"subject": "Par exemple : prorogation d'un an, révision des objectifs de 2025."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)


class _AmendmentChoice(forms.Form):
    def _add_amendment(self, housing_programme: HousingProgramme) -> None:
        self.fields["amendment"] = forms.ModelChoiceField(
            label="Modification fixée par",
            queryset=housing_programme.amendments.order_by("number"),
            required=False,
            empty_label="la convention initiale",
            help_text="Les cellules modifiées sont rattachées à cet avenant dans l'historique.",
        )


class TargetsGridForm(_AmendmentChoice):
    """One integer per category and year of the programme; empty: no target."""

    def __init__(self, *args: object, housing_programme: HousingProgramme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.housing_programme = housing_programme
        self.years = _years(housing_programme)
        existing = {(t.category, t.year): t.count for t in housing_programme.targets.all()}
        self.rows: list[tuple[str, list[forms.BoundField]]] = []
        for category, label in TargetCategory.choices:
            for year in self.years:
                name = f"t__{category}__{year}"
                self.fields[name] = forms.IntegerField(
                    label=f"{label} — {year}",
                    required=False,
                    min_value=0,
                    initial=existing.get((category, year)),
                    error_messages={"min_value": "Un objectif ne peut pas être négatif."},
                )
        self._add_amendment(housing_programme)
        for category, label in TargetCategory.choices:
            self.rows.append((str(label), [self[f"t__{category}__{year}"] for year in self.years]))

    def counts(self) -> dict[tuple[str, int], int | None]:
        return {
            (category, year): self.cleaned_data.get(f"t__{category}__{year}")
            for category in TargetCategory.values
            for year in self.years
        }


class EnvelopesGridForm(_AmendmentChoice):
    """One amount per existing (funder, kind) and year, and a blank row to add a funder's envelopes."""

    def __init__(self, *args: object, housing_programme: HousingProgramme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.housing_programme = housing_programme
        self.years = _years(housing_programme)
        envelopes = list(housing_programme.envelopes.select_related("funder"))
        values = {(e.funder_id, e.kind, e.year): e.amount for e in envelopes}
        keys = sorted(
            {(e.funder_id, e.kind, f"{e.funder.name} — {e.get_kind_display()}") for e in envelopes},
            key=lambda k: (k[2], k[0], k[1]),
        )
        self.keys = [(funder_id, kind) for funder_id, kind, _ in keys]
        kwargs_amount = {
            "required": False,
            "max_digits": 14,
            "decimal_places": 2,
            "min_value": Decimal(0),
            "error_messages": {"min_value": "Une enveloppe ne peut pas être négative."},
        }
        for funder_id, kind, label in keys:
            for year in self.years:
                self.fields[f"e__{funder_id}__{kind}__{year}"] = forms.DecimalField(
                    label=f"{label} — {year}", initial=values.get((funder_id, kind, year)), **kwargs_amount
                )
        self.fields["new_funder"] = forms.ModelChoiceField(
            label="Nouveau financeur",
            queryset=Organisation.objects.filter(
                ~Q(kind="commune") | Q(pk__in=housing_programme.communes.values("pk"))
            ).order_by("name"),
            required=False,
        )
        self.fields["new_kind"] = forms.ChoiceField(
            label="Nature", choices=EnvelopeKind.choices, initial=EnvelopeKind.WORKS
        )
        for year in self.years:
            self.fields[f"new__{year}"] = forms.DecimalField(
                label=f"Nouveau financeur — {year}", **kwargs_amount
            )
        self._add_amendment(housing_programme)
        self.rows = [
            (label, [self[f"e__{funder_id}__{kind}__{year}"] for year in self.years])
            for funder_id, kind, label in keys
        ]
        self.new_row = [self[f"new__{year}"] for year in self.years]
        _dates(self)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        new_amounts = [data.get(f"new__{year}") for year in self.years]
        funder = data.get("new_funder")
        if any(a is not None for a in new_amounts) and funder is None:
            self.add_error("new_funder", "Choisissez le financeur de la nouvelle ligne.")
        if funder is not None and (funder.pk, data.get("new_kind")) in self.keys:
            self.add_error("new_funder", "Ce financeur a déjà une ligne de cette nature : complétez-la.")
        return data

    def amounts(self) -> dict[tuple[int, str, int], Decimal | None]:
        result: dict[tuple[int, str, int], Decimal | None] = {
            (funder_id, kind, year): self.cleaned_data.get(f"e__{funder_id}__{kind}__{year}")
            for funder_id, kind in self.keys
            for year in self.years
        }
        funder = self.cleaned_data.get("new_funder")
        if funder is not None:
            for year in self.years:
                amount = self.cleaned_data.get(f"new__{year}")
                if amount is not None:
                    result[(funder.pk, self.cleaned_data["new_kind"], year)] = amount
        return result


class HousingSectorForm(forms.ModelForm):
    class Meta:
        model = HousingSector
        fields = ("name", "commune", "streets", "in_ort")

    def __init__(self, *args: object, housing_programme: HousingProgramme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instance.housing_programme = housing_programme
        self.fields["commune"].queryset = housing_programme.communes.order_by("name")
        self.fields["streets"].widget.attrs["rows"] = 3


class TopUpRuleForm(forms.ModelForm):
    income_categories = forms.MultipleChoiceField(
        label="Catégories de ressources",
        choices=IncomeCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : sans condition de ressources.",
    )

    class Meta:
        model = TopUpRule
        fields = (
            "funder",
            "label",
            "owner_type",
            "income_categories",
            "theme",
            "base",
            "rate",
            "flat_amount",
            "cap",
            "valid_from",
            "valid_until",
            "conditions",
        )
        help_texts = {"rate": "En fraction : 0,1 pour 10 %.", "cap": "Vide : sans plafond."}

    def __init__(self, *args: object, housing_programme: HousingProgramme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instance.housing_programme = housing_programme
        self.fields["funder"].queryset = Organisation.objects.filter(
            Q(pk=housing_programme.owner_id)
            | Q(pk__in=housing_programme.communes.values("pk"))
            | ~Q(kind="commune")
        ).order_by("name")
        self.fields["conditions"].widget.attrs["rows"] = 3
        _dates(self)
