"""The strategy overview of a programme: documents → stakes → axes → objectives, with counts by theme."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programmes.selectors import project as selectors
from programmes.selectors.strategy import programme_for_strategy
from programmes.views._strategy import programme_context


@login_required
def strategy_overview(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    ctx = {
        **programme_context(request, programme),
        "overview": selectors.strategy_overview(request.user, programme),
    }
    return render(request, "programmes/overview.html", ctx)
