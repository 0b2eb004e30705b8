"""Forms of the analysis of offers: a bid (with a new company), its admissibility, its scores, the award of a
lot and the signature of its contract. They validate and normalise; services/bids.py writes."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from operations.models import Bid, Ccag, Criterion, Lot, PriceForm
from operations.procurement.scoring import BidResult
from operations.procurement.services.bids import (
    ADVANCE_AMOUNT_HT,
    ADVANCE_MIN_RATE,
    ADVANCE_MONTHS,
    advance_required,
)
from partners.models import Organisation, OrganisationKind
from pvd.accounts.models import User
from pvd.money import format_euros

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
BIDDER_KINDS = [OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION, OrganisationKind.OTHER]
HUNDRED = Decimal(100)


def _siret_field() -> forms.CharField:
    return forms.RegexField(
        label="SIRET du candidat",
        regex=r"^\d{14}$",
        max_length=14,
        error_messages={"invalid": "Le SIRET compte 14 chiffres."},
        help_text="14 chiffres, sans espace ; les 9 premiers sont le SIREN.",
    )


def _price_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Prix de l'offre (€ HT)", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


def _received_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label="Reçue le",
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text="Date et heure de réception.",
    )


class BidForm(forms.Form):
    bidder = forms.ModelChoiceField(
        label="Candidat",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Une entreprise de l'annuaire ; sinon, indiquez ci-dessous le nom d'une nouvelle entreprise.",
    )
    new_bidder_name = forms.CharField(label="Ou nouvelle entreprise (nom)", max_length=200, required=False)
    bidder_siret = _siret_field()
    received_at = _received_field()
    price_ht = _price_field()
    note = forms.CharField(label="Observations", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: object, user: User, lot: Lot, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bidder"].queryset = (
            Organisation.objects.visible_to(user)
            .filter(kind__in=BIDDER_KINDS)
            .exclude(pk__in=lot.bids.values("bidder_id"))
            .order_by("name", "pk")
        )

    def clean(self) -> dict:
        data = super().clean()
        bidder, name = data.get("bidder"), (data.get("new_bidder_name") or "").strip()
        if bidder is None and not name:
            self.add_error("bidder", "Choisissez le candidat ou indiquez le nom d'une nouvelle entreprise.")
        elif bidder is not None and name:
            self.add_error(
                "new_bidder_name",
                "Choisissez un candidat de la liste ou une nouvelle entreprise, pas les deux.",
            )
        return data


class BidEditForm(forms.Form):
    bidder_siret = _siret_field()
    received_at = _received_field()
    price_ht = _price_field()
    admissible = forms.BooleanField(label="Offre recevable", required=False)
    inadmissibility_reason = forms.CharField(
        label="Motif d'irrecevabilité",
        max_length=250,
        required=False,
        help_text="Obligatoire si l'offre est écartée : irrégulière, inacceptable, inappropriée…",
    )
    note = forms.CharField(label="Observations", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: object, bid: Bid, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "bidder_siret": bid.bidder_siret,
                "received_at": timezone.localtime(bid.received_at),
                "price_ht": bid.price_ht,
                "admissible": bid.admissible,
                "inadmissibility_reason": bid.inadmissibility_reason,
                "note": bid.note,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("admissible") and not (data.get("inadmissibility_reason") or "").strip():
            self.add_error("inadmissibility_reason", "Indiquez le motif pour lequel l'offre est écartée.")
        return data


def score_field_name(criterion: Criterion) -> str:
    return f"criterion_{criterion.pk}"


class ScoresForm(forms.Form):
    """One field per criterion entered by hand, labelled « Note sur N — critère »."""

    def __init__(
        self, *args: object, criteria: list[Criterion], current: dict[int, Decimal], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            scale = criterion.max_score.normalize()
            parent = f" ({criterion.parent.name})" if criterion.parent_id else ""
            self.fields[score_field_name(criterion)] = forms.DecimalField(
                label=f"Note sur {scale:f} — {criterion.name}{parent}",
                min_value=Decimal(0),
                max_value=criterion.max_score,
                max_digits=5,
                decimal_places=2,
                required=False,
                initial=current.get(criterion.pk),
                help_text=f"Pondération {criterion.weight * HUNDRED:.2f} %".replace(".", ","),
                error_messages={
                    "max_value": f"La note de « {criterion.name} » ne peut pas dépasser {scale:f}.",
                    "min_value": "Une note ne peut pas être négative.",
                },
            )

    def scores(self) -> dict[Criterion, Decimal]:
        return {
            c: self.cleaned_data[score_field_name(c)]
            for c in self.criteria
            if self.cleaned_data.get(score_field_name(c)) is not None
        }


class AwardForm(forms.Form):
    bid = forms.TypedChoiceField(label="Offre retenue", coerce=int, widget=forms.RadioSelect)
    decided_on = forms.DateField(label="Date de la décision d'attribution", widget=DATE)
    reason = forms.CharField(
        label="Motif (si l'offre retenue n'est pas la mieux classée)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: object, results: list[BidResult], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.results = {r.bid.pk: r for r in results if r.admissible}
        self.fields["bid"].choices = [
            (r.bid.pk, f"{r.bid.bidder.name} — {format_euros(r.bid.price_ht)} HT — rang {r.rank or '—'}")
            for r in results
            if r.admissible
        ]
        best = [r for r in results if r.rank == 1]
        if len(best) == 1 and not self.is_bound:
            self.initial.setdefault("bid", best[0].bid.pk)

    def clean(self) -> dict:
        data = super().clean()
        chosen = self.results.get(data.get("bid"))
        if chosen is not None and chosen.rank != 1 and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", "Cette offre n'est pas la mieux classée : indiquez le motif pour la retenir."
            )
        return data


class PercentField(forms.DecimalField):
    """A rate typed as a percentage (20) and returned as a fraction (0.20)."""

    def __init__(self, *, label: str, maximum: Decimal = HUNDRED, **kwargs: object) -> None:
        super().__init__(
            label=label, min_value=Decimal(0), max_value=maximum, max_digits=7, decimal_places=2, **kwargs
        )

    def clean(self, value: object) -> Decimal | None:
        cleaned = super().clean(value)
        return None if cleaned is None else cleaned / HUNDRED


class SignForm(forms.Form):
    number = forms.CharField(label="Numéro du marché", max_length=16)
    signed_on = forms.DateField(label="Signé le", widget=DATE)
    notified_on = forms.DateField(label="Notifié le", widget=DATE, required=False)
    duration_months = forms.IntegerField(label="Durée (mois)", min_value=1, max_value=32767)
    vat_rate = PercentField(label="Taux de TVA (%)", initial=Decimal(20))
    advance_rate = PercentField(label="Taux de l'avance (%)", initial=Decimal(0))
    retention_rate = PercentField(
        label="Retenue de garantie (%)", maximum=Decimal(5), initial=Decimal(0), help_text="Au plus 5 %."
    )
    price_form = forms.ChoiceField(
        label="Forme du prix", choices=PriceForm.choices, initial=PriceForm.LUMP_SUM
    )
    ccag = forms.ChoiceField(label="CCAG de référence", choices=Ccag.choices)

    def __init__(self, *args: object, amount_ht: Decimal, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.amount_ht = amount_ht
        self.fields["advance_rate"].help_text = (
            f"Obligatoire, au moins 5 %, si le marché dépasse {format_euros(ADVANCE_AMOUNT_HT)} HT et "
            f"{ADVANCE_MONTHS} mois (R2191-3). Montant de l'offre : {format_euros(amount_ht)} HT."
        )

    def clean(self) -> dict:
        data = super().clean()
        duration, advance = data.get("duration_months"), data.get("advance_rate")
        if (
            duration
            and advance is not None
            and advance_required(self.amount_ht, duration)
            and advance < ADVANCE_MIN_RATE
        ):
            self.add_error(
                "advance_rate",
                f"Marché de {format_euros(self.amount_ht)} HT sur {duration} mois : l'avance est "
                "obligatoire (R2191-3), au moins 5 %.",
            )
        notified, signed = data.get("notified_on"), data.get("signed_on")
        if notified and signed and notified < signed:
            self.add_error("notified_on", "La notification suit la signature.")
        return data
