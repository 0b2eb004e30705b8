"""Forms of mailing lists and information letters. They validate and normalise (French messages); the services
decide (consent, draft only, list of the programme)."""

from django import forms
from django.utils import timezone

from operations.models import InformationLetter, MailingList
from partners.models import Person
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import DATE, VersionedForm, native_widgets


class MailingListForm(VersionedForm):
    class Meta:
        model = MailingList
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.last_name.upper()} {obj.first_name} — {obj.organisation.name} ({obj.email})"


class SubscriptionForm(forms.Form):
    """A contact of the directory (one the manager sees, with an e-mail address) and the proof of consent."""

    person = ContactChoiceField(
        label="Contact",
        queryset=Person.objects.none(),
        help_text="Les contacts de l'annuaire qui ont une adresse e-mail et ne sont pas déjà inscrits.",
        error_messages={"required": "Choisissez le contact à inscrire."},
    )
    consent_on = forms.DateField(
        label="Consentement recueilli le",
        widget=DATE,
        error_messages={
            "required": "Sans consentement, pas d'inscription : indiquez quand il a été recueilli."
        },
    )
    consent_source = forms.CharField(
        label="Recueilli comment",
        max_length=200,
        help_text="Ex. : formulaire signé en réunion publique, réponse à un courriel.",
        error_messages={"required": "Indiquez comment le consentement a été recueilli."},
    )

    def __init__(self, *args: object, mailing_list: MailingList, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        subscribed = mailing_list.subscriptions.filter(withdrawn_on__isnull=True).values("person_id")
        self.fields["person"].queryset = (
            policy.visible_to(Person.objects.select_related("organisation"), user)
            .exclude(email="")
            .exclude(pk__in=subscribed)
            .order_by("last_name", "first_name", "pk")
        )

    def clean_consent_on(self) -> object:
        value = self.cleaned_data["consent_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("Le consentement ne peut pas être daté d'un jour à venir.")
        return value


class LetterForm(VersionedForm):
    class Meta:
        model = InformationLetter
        fields = ("title", "period_start", "period_end", "introduction", "mailing_list")
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "period_start": "La lettre présente l'actualité du programme sur cette période.",
            "introduction": "Le mot d'accueil, en tête de la lettre. Le reste est composé à partir de l'avancement.",
        }

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mailing_list"].queryset = MailingList.objects.filter(programme=programme).order_by(
            "name"
        )
        self.fields[
            "mailing_list"
        ].help_text = "Obligatoire pour l'envoi ; modifiable tant que la lettre est un brouillon."
        native_widgets(self)


class LetterSendForm(forms.Form):
    """The version the manager saw when deciding to send (a letter edited since is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
