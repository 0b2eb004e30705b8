"""Forms of the network and capitalisation pages: a network event with its notes, a good-practice sheet, and the
small forms of publication. They validate and normalise (French messages); the services decide."""

from django import forms
from django.db.models import Q

from operations.models import NetworkEvent, Operation, PracticeSheet
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import VersionedForm, native_widgets


def _partners_and_programme(programme: Programme, current: int | None) -> Q:
    """Partner organisations (every kind but communes), the programme's EPCI and communes: never the national
    list of 35,000 communes."""
    return (
        ~Q(kind="commune")
        | Q(pk__in=programme.communes.values("pk"))
        | Q(pk=programme.epci_id)
        | Q(pk=current or 0)
    )


def _themes(form: forms.BaseForm) -> None:
    field = form.fields["themes"]
    field.queryset = Theme.objects.order_by("order", "pk")
    field.required = False


class NetworkEventForm(VersionedForm):
    class Meta:
        model = NetworkEvent
        fields = (
            "kind",
            "title",
            "date",
            "organiser",
            "place",
            "url",
            "attendees",
            "themes",
            "notes",
            "takeaways",
        )
        widgets = {"themes": forms.CheckboxSelectMultiple}
        help_texts = {
            "attendees": "Les membres de l'équipe présents (fonctions plutôt que noms).",
            "takeaways": "Ce que le programme en retient : idées, contacts de structures, suites à donner.",
        }

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = Organisation.objects.filter(
            _partners_and_programme(programme, self.instance.organiser_id)
        ).order_by("name")
        _themes(self)
        native_widgets(self)


class PracticeSheetForm(VersionedForm):
    class Meta:
        model = PracticeSheet
        fields = (
            "title",
            "operation",
            "summary",
            "context",
            "actions",
            "cost_ht",
            "funding",
            "results",
            "difficulties",
            "lessons",
            "contact_organisation",
            "contact_service",
            "themes",
            "communes",
        )
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "funding": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "communes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": "Deux ou trois phrases ; requis pour publier.",
            "actions": "Requis pour publier.",
            "lessons": "Ce qu'une autre commune doit savoir avant de se lancer ; requis pour publier.",
            "funding": "Les financeurs et leurs montants, sans nom de personne.",
            "contact_service": "Par exemple « Service urbanisme » ou « Cheffe de projet PVD » : pas de nom, "
            "d'adresse e-mail ni de téléphone personnels (la fiche publiée est publique).",
        }

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = policy.visible_to(
            Operation.objects.filter(programme=programme), user
        ).order_by("code")
        self.fields["contact_organisation"].queryset = Organisation.objects.filter(
            _partners_and_programme(programme, self.instance.contact_organisation_id)
        ).order_by("name")
        communes = self.fields["communes"]
        communes.queryset = programme.communes.order_by("name")
        communes.required = False
        _themes(self)
        native_widgets(self)


class VersionForm(forms.Form):
    """A publication button: the version the page was displayed with."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UnpublishForm(VersionForm):
    comment = forms.CharField(label="Motif du retrait", required=False, max_length=500)
