"""The form of a decision recorded on an agenda item (issue 8): it validates, the service writes.

Its choices are the programme's objects the user sees: operations, engineering needs, arbitrations (notes the user
reads) and deliberations. The vote is checked here (French messages on the fields) and again by the service.
"""

from django import forms
from django.core.exceptions import ValidationError

from operations.models import Operation
from programmes.models import Deliberation, EngineeringNeed, Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import VersionedForm
from pvd.governance.models import Arbitration, Decision, Meeting
from pvd.governance.services.decisions import check_vote, voting_members_present


class DecisionForm(VersionedForm):
    class Meta:
        model = Decision
        fields = [
            "text",
            "vote",
            "votes_for",
            "votes_against",
            "abstentions",
            "operation",
            "need",
            "arbitration",
            "deliberation",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 5}), "vote": forms.RadioSelect}
        help_texts = {
            "votes_for": "Pour un vote : le nombre de voix pour (facultatif à l'unanimité).",
            "abstentions": "Pour, contre et abstentions ne peuvent dépasser les membres à voix délibérative présents.",
            "deliberation": "La délibération qui porte la décision, s'il y en a une (elle doit être rattachée au "
            "programme).",
        }

    def __init__(
        self, *args: object, user: User, programme: Programme, meeting: Meeting, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        operation = self.fields["operation"]
        operation.queryset = (
            Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")
        )
        operation.label_from_instance = lambda o: f"{o.code} — {o.title}"
        self.fields["need"].queryset = policy.visible_to(
            EngineeringNeed.objects.filter(programme=programme), user
        ).order_by("title", "pk")
        self.fields["arbitration"].queryset = (
            Arbitration.objects.visible_to(user).filter(programme=programme).order_by("-requested_on", "-pk")
        )
        self.fields["arbitration"].label_from_instance = lambda a: f"{a.reference} — {a.title}"
        deliberation = self.fields["deliberation"]
        deliberation.queryset = (
            Deliberation.objects.visible_to(user)
            .filter(programme=programme)
            .select_related("organisation")
            .order_by("-adopted_on", "-pk")
        )
        deliberation.label_from_instance = lambda d: (
            f"n° {d.number} du {d.adopted_on:%d/%m/%Y} — {d.organisation.name} : {d.subject}"
        )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if not self.errors:
            try:
                check_vote(
                    vote=data.get("vote") or "none",
                    votes_for=data.get("votes_for"),
                    votes_against=data.get("votes_against"),
                    abstentions=data.get("abstentions"),
                    present=voting_members_present(self.meeting),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return data

    def service_fields(self) -> dict[str, object]:
        """The cleaned values the services take."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
