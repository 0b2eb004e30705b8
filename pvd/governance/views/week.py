"""« Ma semaine » (issue 8, H6): any logged-in user; what it shows depends on their roles
(`pvd.governance.selectors.week`), every list read through the access policy."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pvd.governance.selectors.week import week_for_user


@login_required
def my_week(request: HttpRequest) -> HttpResponse:
    week = week_for_user(request.user)
    return render(request, "governance/my_week.html", {"week": week})
