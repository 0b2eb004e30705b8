"""Forms and filters of engineering needs: the need itself, and one small form per status action."""

import django_filters
from django import forms
from django.db.models import QuerySet

from partners.models import Offer, Theme
from programmes.forms.documents import VersionedForm, commune_choices, filter_by_commune, programme_communes
from programmes.models import EngineeringNeed, NeedKind, NeedStatus, Programme
from programmes.selectors.strategy import offers_for_request
from pvd.accounts import policy
from pvd.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedForm(VersionedForm):
    class Meta:
        model = EngineeringNeed
        fields = ["title", "theme", "commune", "kind", "scope", "deliverable", "estimated_cost_ht", "stakes"]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 4}),
            "deliverable": forms.Textarea(attrs={"rows": 3}),
            "stakes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.fields["commune"].queryset = programme_communes(programme)
        self.fields["commune"].empty_label = "Tout le programme"
        self.fields["stakes"].queryset = programme.stakes.select_related("theme").order_by(
            "theme__order", "priority", "title", "pk"
        )


# The actions of the detail page: (action, target status, button label).
ACTIONS: dict[str, tuple[str, str]] = {
    "request": (NeedStatus.REQUESTED, "Solliciter le partenaire"),
    "grant": (NeedStatus.GRANTED, "Enregistrer l'accord du partenaire"),
    "refuse": (NeedStatus.IDENTIFIED, "Enregistrer le refus du partenaire"),
    "start": (NeedStatus.IN_PROGRESS, "Enregistrer le démarrage"),
    "deliver": (NeedStatus.DELIVERED, "Enregistrer la livraison"),
    "drop": (NeedStatus.DROPPED, "Abandonner le besoin"),
    "reopen": (NeedStatus.IDENTIFIED, "Rouvrir le besoin"),
}

# Which actions each status offers (their targets follow services.needs.TRANSITIONS).
ACTIONS_BY_STATUS: dict[str, list[str]] = {
    NeedStatus.IDENTIFIED: ["request", "drop"],
    NeedStatus.REQUESTED: ["grant", "refuse", "drop"],
    NeedStatus.GRANTED: ["start", "drop"],
    NeedStatus.IN_PROGRESS: ["deliver", "drop"],
    NeedStatus.DROPPED: ["reopen"],
    NeedStatus.DELIVERED: [],
}

DATE_LABELS = {
    "request": "Sollicité le",
    "grant": "Réponse reçue le",
    "refuse": "Réponse reçue le",
    "start": "Démarré le",
    "deliver": "Livré le",
}


class NeedTransitionForm(forms.Form):
    """One status action; the page renders one per action with `prefix=action`, so ids stay unique, and
    posts the action's name unprefixed (`action`) next to it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label="Date", required=False, widget=DATE, help_text="Aujourd'hui si vide.")
    offer = forms.ModelChoiceField(
        label="Offre mobilisée",
        queryset=Offer.objects.none(),
        required=False,
        empty_label="Choisir une offre…",
    )
    answer = forms.CharField(
        label="Réponse du partenaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: object, user: User, need: EngineeringNeed, action: str | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = Offer.objects.visible_to(user).select_related("organisation")
        if action is not None:  # an unbound form shown on the page: only the fields the action needs
            self.initial.update(version=need.version, on=policy.today())
            if action == "request":  # the select offers what is valid today; suggestions are above it
                self.fields["offer"].queryset = offers_for_request(user, policy.today())
            else:
                del self.fields["offer"]
            if action not in {"grant", "refuse"}:
                del self.fields["answer"]
            else:
                self.fields["answer"].required = action == "refuse"
            if action in DATE_LABELS:
                self.fields["on"].label = DATE_LABELS[action]
            else:
                del self.fields["on"]


# --- Filters -----------------------------------------------------------------------------------------------


class NeedFilter(django_filters.FilterSet):
    theme = django_filters.ModelChoiceFilter(label="Thème", queryset=Theme.objects.none(), empty_label="Tous")
    commune = django_filters.ChoiceFilter(
        label="Commune", choices=[], method="on_commune", empty_label="Toutes"
    )
    status = django_filters.ChoiceFilter(label="Statut", choices=NeedStatus.choices, empty_label="Tous")
    kind = django_filters.ChoiceFilter(label="Nature", choices=NeedKind.choices, empty_label="Toutes")

    class Meta:
        model = EngineeringNeed
        fields: list[str] = []

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.filters["commune"].extra["choices"] = commune_choices(programme)

    def on_commune(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_commune(queryset, value)
