"""Forms of concertation (issue 11): a plan line, an event (create and edit), its status change, its attendance
breakdown (one formset), a contribution, and the events list's filters. They validate and normalise with French
messages; the services decide (operations limited to the programme's, communes to the programme's communes)."""

from django import forms
from django.db.models import Q

from operations.models import ConcertationEvent, ConcertationPlanItem, Contribution, Operation
from operations.participation.models import (
    EFFECT_OUTCOMES,
    AttendeeProfile,
    EventFormat,
    EventStatus,
    LegalFrame,
)
from operations.participation.services.concertation import (
    EVENT_FIELDS,
    PLAN_FIELDS,
    allowed_targets,
)
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.forms import VersionedForm
from pvd.forms import native_widgets as _widgets


def _operations(field: forms.Field, programme: Programme, user: User) -> None:
    field.queryset = policy.visible_to(Operation.objects.filter(programme=programme), user).order_by(
        "code", "pk"
    )
    field.label_from_instance = lambda operation: f"{operation.code} — {operation.title}"


def _communes(field: forms.Field, programme: Programme) -> None:
    field.queryset = programme.communes.order_by("name", "pk")


class PlanItemForm(VersionedForm):
    class Meta:
        model = ConcertationPlanItem
        fields = (*PLAN_FIELDS, "operations", "communes")
        help_texts = {
            "expected_sessions": "Le suivi compare les séances tenues à ce nombre une fois la période écoulée.",
            "operations": "Les opérations du programme que la démarche concerne.",
        }

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _operations(self.fields["operations"], programme, user)
        _communes(self.fields["communes"], programme)
        _widgets(self)


STATUS_ON_CREATE = [(EventStatus.PLANNED.value, "Prévu"), (EventStatus.HELD.value, "Déjà tenu")]


class EventForm(VersionedForm):
    """Create (with its initial status: planned, or already held) or edit an event of `programme`."""

    initial_status = forms.ChoiceField(
        label="Statut",
        choices=STATUS_ON_CREATE,
        initial=EventStatus.PLANNED,
        help_text="« Déjà tenu » pour enregistrer un temps passé ; ensuite, le statut change depuis sa page.",
    )

    class Meta:
        model = ConcertationEvent
        fields = (*EVENT_FIELDS, "communes", "operations", "themes")
        help_texts = {
            "attendance_count": "Nombre total de personnes présentes (ou de répondants pour une enquête). "
            "Aucune donnée personnelle.",
            "feedback": "Ce qui a été dit ou envoyé aux participants après le temps de concertation.",
            "bilan_deliberation_on": "Concertation L103-2 seulement : elle n'est terminée qu'une fois son bilan "
            "adopté par délibération.",
            "bilan_deliberation_reference": "Par exemple : délibération n° 2026-45 du conseil communautaire.",
        }

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["initial_status"]
        self.fields["plan_item"].queryset = ConcertationPlanItem.objects.filter(programme=programme).order_by(
            "planned_from", "pk"
        )
        _operations(self.fields["operations"], programme, user)
        _communes(self.fields["communes"], programme)
        self.fields["themes"].queryset = Theme.objects.order_by("order", "pk")
        self.fields["organiser"].queryset = policy.visible_to(
            Organisation.objects.filter(
                Q(pk=programme.epci_id)
                | Q(pk__in=programme.communes.values("pk"))
                | ~Q(kind__in=["commune", "epci"])
            ),
            user,
        ).order_by("name", "pk")
        _widgets(self)
        self.fields["start_time"].widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

    def clean(self) -> dict[str, object]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "La fin de la période doit suivre son début.")
        return data

    def values(self) -> tuple[dict[str, object], dict[str, list]]:
        """(the event's fields, its many-to-many lists) for the services."""
        data = self.cleaned_data
        return (
            {name: data[name] for name in EVENT_FIELDS},
            {name: list(data[name]) for name in ("communes", "operations", "themes")},
        )


class EventStatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=[])
    comment = forms.CharField(
        label="Commentaire ou motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour une annulation.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, event: ConcertationEvent, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, EventStatus(s).label) for s in allowed_targets(event.status)]
        if not self.is_bound:
            self.initial["version"] = event.version

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("status") == EventStatus.CANCELLED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif de l'annulation.")
        return data


class ProfileCountForm(forms.Form):
    profile = forms.ChoiceField(choices=AttendeeProfile.choices, widget=forms.HiddenInput)
    count = forms.IntegerField(label="Participants", required=False, min_value=0)


class BaseAttendanceFormSet(forms.BaseFormSet):
    event: ConcertationEvent

    def counts(self) -> dict[str, int | None]:
        return {form.cleaned_data["profile"]: form.cleaned_data.get("count") for form in self.forms}

    def clean(self) -> None:
        """The total of the profiles may not exceed the participants recorded (the service checks it again)."""
        if any(form.errors for form in self.forms):
            return
        total = sum(value or 0 for value in self.counts().values())
        recorded = self.event.attendance_count
        if total and recorded is None:
            raise forms.ValidationError(
                "Indiquez d'abord le nombre de participants du temps de concertation (page « Modifier »)."
            )
        if recorded is not None and total > recorded:
            raise forms.ValidationError(
                f"La répartition compte {total} participants, plus que les {recorded} enregistrés pour ce temps "
                "de concertation : corrigez les nombres ou le nombre de participants."
            )

    def add_error(self, field: str | None, errors: object) -> None:
        """A refusal of the service, shown with the formset's own errors (pvd.actions.run_service)."""
        messages = errors if isinstance(errors, list) else [errors]
        self._non_form_errors = self.error_class([*self.non_form_errors(), *map(str, messages)])


AttendanceFormSet = forms.formset_factory(
    ProfileCountForm,
    formset=BaseAttendanceFormSet,
    extra=0,
    min_num=len(AttendeeProfile.values),
    max_num=len(AttendeeProfile.values),
    validate_min=True,
    validate_max=True,
)


def attendance_formset(event: ConcertationEvent, data: object = None) -> BaseAttendanceFormSet:
    """One line per profile, with the counts recorded."""
    recorded = {p.profile: p.count for p in event.attendance_profiles.all()}
    initial = [{"profile": value, "count": recorded.get(value)} for value in AttendeeProfile.values]
    formset = AttendanceFormSet(data or None, initial=initial, prefix="profils")
    formset.event = event
    labels = dict(AttendeeProfile.choices)
    for form, row in zip(formset.forms, initial, strict=False):
        form.fields["count"].label = labels[row["profile"]]
    return formset


class ContributionForm(VersionedForm):
    class Meta:
        model = Contribution
        fields = (
            "subject",
            "theme",
            "count",
            "notable",
            "text",
            "outcome",
            "effect_operation",
            "effect_description",
            "effect_on",
            "answer",
        )
        help_texts = {
            "text": "Le texte d'une contribution marquante, sans nom ni donnée personnelle.",
            "effect_operation": "L'opération du programme que la contribution a fait évoluer (contribution retenue).",
            "effect_description": "Obligatoire pour une contribution retenue, en tout ou partie.",
            "answer": "La réponse apportée aux participants.",
        }

    def __init__(self, *args: object, programme: Programme, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.order_by("order", "pk")
        _operations(self.fields["effect_operation"], programme, user)
        _widgets(self)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        outcome = data.get("outcome")
        if outcome in EFFECT_OUTCOMES and not (data.get("effect_description") or "").strip():
            self.add_error(
                "effect_description", "Décrivez le changement décidé pour une contribution retenue."
            )
        if data.get("effect_operation") and outcome not in EFFECT_OUTCOMES:
            self.add_error("effect_operation", "Seule une contribution retenue modifie une opération.")
        return data


class EventFilterForm(forms.Form):
    """The events list's filters, all in the URL."""

    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *EventStatus.choices])
    format = forms.ChoiceField(label="Format", required=False, choices=[("", "Tous"), *EventFormat.choices])
    cadre = forms.ChoiceField(label="Cadre", required=False, choices=[("", "Tous"), *LegalFrame.choices])
    commune = forms.ChoiceField(label="Commune", required=False)
    operation = forms.ModelChoiceField(
        label="Opération", required=False, queryset=Operation.objects.none(), empty_label="Toutes"
    )
    annee = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: object, programme: Programme, user: User, years: list[int], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["commune"].choices = [("", "Toutes")] + [
            (c.insee_code, c.name) for c in programme.communes.all()
        ]
        _operations(self.fields["operation"], programme, user)
        self.fields["annee"].choices = [("", "Toutes")] + [(str(y), str(y)) for y in years]

    def criteria(self) -> dict[str, object]:
        """The cleaned filters, in the selector's names (nothing when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        insee = data.get("commune")
        return {
            "status": data.get("statut"),
            "format": data.get("format"),
            "legal_frame": data.get("cadre"),
            "commune": next((c for c in self.programme.communes.all() if c.insee_code == insee), None)
            if insee
            else None,
            "operation": data.get("operation"),
            "year": data.get("annee"),
        }
