"""Forms of a household file's grants: a grant (create, edit), its commitment or cancellation, a payment.

They validate and normalise with French messages; the services check the rules (transitions, caps, order of
the payments) — STYLE.md §13.
"""

import datetime

from django import forms

from operations.housing.models import GrantPaymentKind, HousingFile, HousingGrant, HousingGrantPayment
from operations.models import AidScheme, TopUpRule
from partners.models import Organisation
from pvd.forms import DATE
from pvd.forms import native_widgets as _widgets


class GrantForm(forms.ModelForm):
    class Meta:
        model = HousingGrant
        fields = ("funder", "label", "scheme", "top_up_rule", "eligible_amount_ht", "rate", "amount")
        help_texts = {
            "rate": "En fraction : 0,8 pour 80 %. Vide si l'aide n'est pas un pourcentage.",
            "scheme": "Pour une aide de l'Anah : la version en vigueur au dépôt.",
            "top_up_rule": "Pour une aide complémentaire du règlement d'aides du dispositif.",
        }

    def __init__(self, *args: object, file: HousingFile, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Organisation.objects.order_by("name")
        self.fields["scheme"].queryset = AidScheme.objects.select_related("funder").order_by(
            "code", "-valid_from"
        )
        self.fields["top_up_rule"].queryset = (
            TopUpRule.objects.filter(housing_programme_id=file.housing_programme_id)
            .select_related("funder")
            .order_by("label")
        )
        _widgets(self)

    def _post_clean(self) -> None:
        # The service validates the whole grant (with its file); the form only checks the fields.
        pass


class GrantCommitForm(forms.Form):
    committed_on = forms.DateField(label="Engagée le", widget=DATE)
    comment = forms.CharField(label="Commentaire (décision, délibération)", required=False, max_length=500)


class GrantCancelForm(forms.Form):
    comment = forms.CharField(label="Motif de l'annulation", max_length=500)


class PaymentForm(forms.ModelForm):
    class Meta:
        model = HousingGrantPayment
        fields = ("kind", "amount", "paid_on")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = GrantPaymentKind.choices
        _widgets(self)
        if not self.is_bound:
            self.initial.setdefault("paid_on", datetime.date.today())

    def _post_clean(self) -> None:
        pass
