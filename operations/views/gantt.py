"""The programme Gantt (`/operations/programme/<pk>/gantt/`): SVG chart, data table, print stylesheet.

Access: the programme's readers and the mayors of its communes (`policy.strategy_programmes`, through
`programme_for_strategy`); rows come through `Operation.objects.visible_to`, so a mayor sees only the
operations of their commune. Queries are flat: operations, their phases and communes are prefetched.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from operations.gantt import build_gantt, render_svg
from operations.models import Operation, OperationStatus, Phase
from partners.models import Organisation
from programmes.models import Programme
from programmes.selectors.strategy import programme_for_strategy
from pvd.accounts import policy


class GanttFilter(forms.Form):
    commune = forms.ChoiceField(label="Commune", required=False)
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous les statuts"), *OperationStatus.choices]
    )

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        communes = programme.communes.all()  # prefetched by programme_for_strategy
        self.fields["commune"].choices = [("", "Toutes les communes")] + [
            (c.insee_code, c.name) for c in communes
        ]


def gantt_operations(user: object, programme: Programme, *, commune: str = "", status: str = ""):
    queryset = (
        Operation.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("owner")
        .prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("order", "pk")),
            Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk")),
        )
        .order_by("code", "pk")
    )
    if commune:
        queryset = queryset.filter(communes__insee_code=commune)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@login_required
@require_GET
def programme_gantt(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    form = GanttFilter(request.GET or None, programme=programme)
    filters = form.cleaned_data if form.is_valid() else {}
    operations = list(
        gantt_operations(
            request.user, programme, commune=filters.get("commune", ""), status=filters.get("status", "")
        )
    )
    today = policy.today()
    gantt = build_gantt(operations, today)
    ctx = {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_operations(request.user, programme),
        "filter_form": form,
        "gantt": gantt,
        "svg": render_svg(gantt, title=f"Planning des opérations — {programme.name}"),
        "today": today,
    }
    return render(request, "operations/gantt/programme.html", ctx)
