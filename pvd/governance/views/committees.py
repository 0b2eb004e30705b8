"""Bodies (instances) of a programme and their members (issue 8, H1).

Access (pvd/accounts/policy.py): the programme's readers and the mayors of its communes read (404 for everyone else);
its managers write (403 for the other readers).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pvd.accounts import policy
from pvd.actions import run_service
from pvd.governance.forms.bodies import CommitteeForm, CommitteeMemberForm
from pvd.governance.models import Committee, CommitteeKind, CommitteeMember
from pvd.governance.selectors import meetings as selectors
from pvd.governance.services import committees as services


def _context(request: HttpRequest, programme: object, **extra: object) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_manage": policy.can_manage_governance(request.user, programme),
        **extra,
    }


@login_required
def committee_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.governed_programme(request.user, pk)
    committees = selectors.committees_for_list(request.user, programme)
    groups = []
    for kind, label in CommitteeKind.choices:
        rows = [c for c in committees if c.kind == kind]
        if rows:
            groups.append((label, rows))
    return render(request, "governance/committee_list.html", _context(request, programme, groups=groups))


@login_required
def committee_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.governed_programme(request.user, pk)
    policy.require(policy.can_manage_governance(request.user, programme))
    form = CommitteeForm(request.POST or None, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        committee = run_service(
            request,
            form,
            "L'instance a été créée.",
            lambda: services.committee_create(by=request.user, programme=programme, **form.cleaned_data),
        )
        if committee is not None:
            return redirect("governance:committee", pk=committee.pk)
    return render(request, "governance/committee_form.html", _context(request, programme, form=form))


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.committee_page(request.user, pk)
    programme = page.committee.programme
    return render(request, "governance/committee_detail.html", _context(request, programme, page=page))


@login_required
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    committee = policy.get_for_user(Committee.objects.select_related("programme"), request.user, pk=pk)
    programme = committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    form = CommitteeForm(request.POST or None, instance=committee, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "L'instance a été modifiée.",
            lambda: services.committee_update(
                committee=committee, expected_version=version, by=request.user, **data
            ),
        )
        if saved is not None:
            return redirect("governance:committee", pk=committee.pk)
    return render(
        request,
        "governance/committee_form.html",
        _context(request, programme, form=form, committee=committee),
    )


@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    committee = policy.get_for_user(Committee.objects.select_related("programme"), request.user, pk=pk)
    programme = committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    form = CommitteeMemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        member = run_service(
            request,
            form,
            "Le membre a été ajouté.",
            lambda: services.member_create(committee=committee, by=request.user, **form.cleaned_data),
        )
        if member is not None:
            return redirect("governance:committee", pk=committee.pk)
    ctx = _context(request, programme, form=form, committee=committee)
    return render(request, "governance/committee_member_form.html", ctx)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = policy.get_for_user(
        CommitteeMember.objects.select_related("committee__programme", "person", "organisation"),
        request.user,
        pk=pk,
    )
    committee = member.committee
    programme = committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    form = CommitteeMemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "Le membre a été modifié.",
            lambda: services.member_update(member=member, expected_version=version, by=request.user, **data),
        )
        if saved is not None:
            return redirect("governance:committee", pk=committee.pk)
    ctx = _context(request, programme, form=form, committee=committee, member=member)
    return render(request, "governance/committee_member_form.html", ctx)
