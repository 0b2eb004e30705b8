"""Forms of arbitration notes (issue 8, H3): they validate, the services write.

The lists of choices are scoped to the note's programme and to what the user sees (operations, subsidy requests,
contracts, bodies); the edit form carries the `version` it was displayed with (a stale form is refused).
"""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from budget.models import SubsidyRequest
from operations.models import Operation
from operations.procurement.models import Contract
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.forms import VersionedForm, native_widgets
from pvd.governance.models import (
    ARBITRATION_LEVELS,
    Arbitration,
    ArbitrationOption,
    ArbitrationOutcome,
    Committee,
    Meeting,
)
from pvd.governance.services.arbitrations import BODY_DECISION_CHOICES, DECISION_CHOICES

CREATE_FIELDS = [
    "title",
    "context",
    "question",
    "decision_level",
    "committee",
    "operations",
    "subsidy_requests",
    "contracts",
    "due_on",
    "deliberation_needed",
]
EDIT_FIELDS = [*CREATE_FIELDS, "recommendation", "recommended_option", "follow_up"]


def committees_of(user: User, programme: Programme) -> QuerySet[Committee]:
    return (
        Committee.objects.visible_to(user)
        .filter(programme=programme, active=True)
        .order_by("kind", "name", "pk")
    )


class ArbitrationForm(VersionedForm):
    class Meta:
        model = Arbitration
        fields = EDIT_FIELDS
        widgets = {
            "context": forms.Textarea(attrs={"rows": 5}),
            "question": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "operations": forms.CheckboxSelectMultiple,
            "subsidy_requests": forms.CheckboxSelectMultiple,
            "contracts": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "decision_level": "Qui décide : l'élu(e) référent(e) en ligne, ou une instance en réunion.",
            "committee": "Pour une décision d'instance : l'instance du programme, de la nature du niveau choisi.",
            "question": "La question à trancher, en une ou deux phrases.",
            "recommended_option": "L'une des options de la note (ajoutez les options sur la page de la note).",
        }

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_level"].choices = [(level.value, level.label) for level in ARBITRATION_LEVELS]
        self.fields["committee"].queryset = committees_of(user, programme)
        self.fields["operations"].queryset = (
            Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")
        )
        self.fields["subsidy_requests"].queryset = (
            SubsidyRequest.objects.visible_to(user).filter(programme=programme).order_by("title", "pk")
        )
        self.fields["contracts"].queryset = (
            Contract.objects.visible_to(user)
            .filter(lot__consultation__programme=programme)
            .select_related("lot")
            .order_by("number", "pk")
        )
        if self.instance.pk:
            self.fields["recommended_option"].queryset = ArbitrationOption.objects.filter(
                arbitration=self.instance
            ).order_by("letter", "pk")
        else:
            for name in ("recommendation", "recommended_option", "follow_up"):
                del self.fields[name]
        native_widgets(self)


class DecideForm(forms.Form):
    """The decision on a submitted note: an option approved, rejected, postponed or returned for more work."""

    outcome = forms.ChoiceField(label="Décision", choices=DECISION_CHOICES, widget=forms.RadioSelect)
    option = forms.ModelChoiceField(
        label="Option retenue",
        queryset=ArbitrationOption.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Pour une approbation : l'option que vous retenez.",
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour un rejet, un ajournement ou un renvoi pour complément.",
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Les conditions dont vous assortissez la décision, le cas échéant.",
    )

    def __init__(self, *args: object, arbitration: Arbitration, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = ArbitrationOption.objects.filter(arbitration=arbitration).order_by(
            "letter", "pk"
        )
        self.fields["option"].label_from_instance = lambda option: f"Option {option.letter} — {option.title}"

    def clean(self) -> dict[str, object]:
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == ArbitrationOutcome.APPROVED and not data.get("option"):
            self.add_error("option", "Choisissez l'option retenue.")
        if outcome and outcome != ArbitrationOutcome.APPROVED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Motivez la décision : le commentaire est obligatoire.")
        return data


class BodyDecisionForm(DecideForm):
    """The decision a body took in a held meeting, recorded by the manager."""

    meeting = forms.ModelChoiceField(
        label="Réunion où l'instance a décidé",
        queryset=Meeting.objects.none(),
        empty_label="Choisissez la réunion",
    )

    def __init__(
        self, *args: object, arbitration: Arbitration, meetings: QuerySet[Meeting], **kwargs: object
    ) -> None:
        super().__init__(*args, arbitration=arbitration, **kwargs)
        self.fields["outcome"].choices = BODY_DECISION_CHOICES
        self.fields["comment"].help_text = "Obligatoire pour un rejet ou un ajournement."
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda meeting: (
            f"{meeting.committee.name} — {timezone.localtime(meeting.starts_at):%d/%m/%Y}"
        )
        self.order_fields(["meeting", "outcome", "option", "comment", "conditions"])
