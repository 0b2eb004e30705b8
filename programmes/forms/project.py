"""Forms of the revitalisation project: the vision, axes, objectives and the référent's decision.

Forms validate and normalise; the views hand `cleaned_data` to the services (STYLE.md §13). A hidden
`version` refuses a form edited from a stale page.
"""

import datetime

from django import forms

from partners.models import Theme
from programmes.models import Axis, Objective, Programme, RevitalisationProject, Stake
from pvd.accounts import policy


class VersionForm(forms.Form):
    """A button that acts on a version (submit): carries the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ProjectVisionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RevitalisationProject
        fields = ["title", "vision"]
        labels = {"title": "Titre du projet", "vision": "Vision"}
        help_texts = {"vision": "Le territoire que le programme veut atteindre, en quelques paragraphes."}
        widgets = {"vision": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class StakeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, stake: Stake) -> str:
        where = stake.commune.name if stake.commune_id else "tout le programme"
        return f"{stake.title} ({stake.theme.name}, {where})"


class _LinkedForm(forms.ModelForm):
    """An axis or an objective: title, description, themes and the programme's stakes it addresses."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes",
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stakes = StakeChoiceField(
        label="Enjeux traités",
        queryset=Stake.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("order", "pk")
        self.fields["stakes"].queryset = (
            Stake.objects.filter(programme=programme)
            .select_related("theme", "commune")
            .order_by("theme__order", "priority", "title", "pk")
        )
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if self.instance.pk and data.get("version") is None:
            raise forms.ValidationError("Le formulaire est incomplet : rechargez la page.")
        return data


class AxisForm(_LinkedForm):
    class Meta:
        model = Axis
        fields = ["title", "description", "themes", "stakes"]
        labels = {"title": "Intitulé de l'axe"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ObjectiveForm(_LinkedForm):
    class Meta:
        model = Objective
        fields = ["title", "description", "themes", "stakes"]
        labels = {"title": "Intitulé de l'objectif opérationnel"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Monter"), ("down", "Descendre")])


class Decision:
    VALIDATE = "validate"
    RETURN = "return"
    CHOICES = [
        (VALIDATE, "Valider cette version du projet"),
        (RETURN, "Renvoyer le projet en brouillon à l'équipe projet"),
    ]


class ValidationDecisionForm(forms.Form):
    """The élu référent's decision on a submitted version."""

    decision = forms.ChoiceField(label="Décision", choices=Decision.CHOICES, widget=forms.RadioSelect)
    on = forms.DateField(
        label="Date de la décision",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Par défaut aujourd'hui ; indiquez la date de la délibération ou du comité si elle diffère.",
    )
    deliberation_reference = forms.CharField(
        label="Référence de la délibération",
        max_length=200,
        required=False,
        help_text="Par exemple : Délibération du conseil communautaire n° 2023-041.",
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour renvoyer le projet : dites à l'équipe projet ce qui doit être revu.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, project: RevitalisationProject, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"on": policy.today(), "version": project.version})

    def clean_on(self) -> datetime.date:
        on = self.cleaned_data["on"]
        if on > policy.today():
            raise forms.ValidationError("La date de la décision ne peut pas être dans le futur.")
        return on

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("decision") == Decision.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez ce qui doit être revu pour renvoyer le projet.")
        return data
