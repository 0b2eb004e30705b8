"""Forms of bodies (instances) and their members: they validate, the services write (issue 8, H1)."""

from django import forms

from operations.models import HousingProgramme
from partners.models import Organisation, Person
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.forms import VersionedForm, native_widgets
from pvd.governance.models import Committee, CommitteeMember


class CommitteeForm(VersionedForm):
    class Meta:
        model = Committee
        fields = ["kind", "name", "frequency", "housing_programme", "organisation", "role", "active"]
        widgets = {"role": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["housing_programme"].queryset = HousingProgramme.objects.filter(
            programme=programme
        ).order_by("name", "pk")
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("name", "pk")
        native_widgets(self)


class CommitteeMemberForm(VersionedForm):
    class Meta:
        model = CommitteeMember
        fields = ["organisation", "person", "role", "voting", "valid_from", "valid_until"]
        help_texts = {"valid_until": "Pour mettre fin à un mandat, indiquez sa date de fin."}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("name", "pk")
        self.fields["person"].queryset = Person.objects.visible_to(user).order_by(
            "last_name", "first_name", "pk"
        )
        native_widgets(self)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("organisation") and not data.get("person"):
            raise forms.ValidationError("Indiquez un organisme ou une personne.")
        return data
