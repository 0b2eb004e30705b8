"""Convention pages (issue 9, H1): the lists of a programme's and of a housing programme's conventions, creation,
a convention's page (status card, parties, articles, versions, avenants, transitions, history), its edit, its
status change and its parties (add, edit, remove).

Readers: whoever sees the convention (policy: drafts for the managers and referents, then the programme's readers,
the housing programme's members and the mayors of the communes that sign; 404 for the others). Writes:
`can_manage_convention` (parties, edit), `can_change_convention_status` (managers and the élu référent); 403 for
the other readers. The rules are the services'; their refusals are shown as French messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from operations.conventions.forms.conventions import ConventionForm, SignatoryForm, StatusForm, target_of
from operations.conventions.models import Convention, ConventionKind, ConventionStatus, Signatory
from operations.conventions.selectors import pages
from operations.conventions.selectors.conventions import convention_for_user
from operations.conventions.services import conventions as services
from operations.conventions.services import signatories as signatory_services
from operations.models import HousingProgramme
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service

FORM_TEMPLATE = "operations/conventions/form.html"
LIST_TEMPLATE = "operations/conventions/list.html"


def _section(request: HttpRequest, convention: Convention) -> dict[str, object]:
    """What the breadcrumb and the header of a convention's pages link to: its programme (if the user opens its
    page), its housing programme (idem) and the list of conventions it belongs to."""
    programme, hp = convention.programme, convention.housing_programme
    programme_url = (
        reverse("programme", args=[programme.pk])
        if programme is not None and policy.can_read_programme(request.user, programme)
        else ""
    )
    housing_url = (
        reverse("operations:housing_programme", args=[hp.pk])
        if hp is not None and HousingProgramme.objects.visible_to(request.user).filter(pk=hp.pk).exists()
        else ""
    )
    links = {"programme_url": programme_url, "housing_url": housing_url}
    if hp is not None:
        return {
            **links,
            "parent_label": hp.name,
            "parent_url": housing_url,
            "section_url": reverse("operations:housing_conventions", args=[hp.pk]) if housing_url else "",
        }
    return {
        **links,
        "parent_label": programme.name,
        "parent_url": programme_url,
        "section_url": reverse("operations:conventions", args=[programme.pk]),
    }


def _convention_url(convention: Convention, anchor: str = "") -> str:
    return reverse("operations:convention", args=[convention.pk]) + (f"#{anchor}" if anchor else "")


def _convention_for_write(request: HttpRequest, pk: int) -> Convention:
    convention = convention_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, convention))
    return convention


# --- Lists and creation --------------------------------------------------------------------------------------


@login_required
@require_GET
def convention_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = pages.programme_for_conventions(request.user, pk)
    can_create = policy.can_manage_conventions(request.user, programme)
    return render(
        request,
        LIST_TEMPLATE,
        {
            "parent_label": programme.name,
            "parent_url": reverse("programme", args=[programme.pk])
            if policy.can_read_programme(request.user, programme)
            else "",
            "subject": programme.name,
            "rows": pages.programme_conventions(request.user, programme),
            "create_url": reverse("operations:convention_create", args=[programme.pk]) if can_create else "",
        },
    )


@login_required
@require_GET
def housing_convention_list(request: HttpRequest, pk: int) -> HttpResponse:
    hp = pages.housing_programme_for_conventions(request.user, pk)
    can_create = policy.can_manage_housing_programme(request.user, hp)
    return render(
        request,
        LIST_TEMPLATE,
        {
            "parent_label": hp.name,
            "parent_url": reverse("operations:housing_programme", args=[hp.pk]),
            "subject": hp.name,
            "rows": pages.housing_conventions(request.user, hp),
            "create_url": reverse("operations:housing_convention_create", args=[hp.pk]) if can_create else "",
        },
    )


def _create(
    request: HttpRequest,
    *,
    form: ConventionForm,
    section: dict[str, object],
    programme: Programme | None = None,
    housing_programme: HousingProgramme | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        kind = ConventionKind.HOUSING if housing_programme is not None else form.cleaned_data["kind"]
        created = run_service(
            request,
            form,
            "La convention a été créée à partir du modèle de son type : complétez ses articles et ses parties.",
            lambda: services.convention_create(
                by=request.user,
                kind=kind,
                programme=programme,
                housing_programme=housing_programme,
                **form.fields_for_service(),
            ),
        )
        if created is not None:
            return redirect("operations:convention", pk=created.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {**section, "form": form, "title": "Nouvelle convention", "cancel_url": section["section_url"]},
    )


@login_required
def convention_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = pages.programme_for_conventions(request.user, pk)
    policy.require(policy.can_manage_conventions(request.user, programme))
    section = {
        "parent_label": programme.name,
        "parent_url": reverse("programme", args=[programme.pk]),
        "section_url": reverse("operations:conventions", args=[programme.pk]),
    }
    form = ConventionForm(request.POST or None)
    return _create(request, form=form, section=section, programme=programme)


@login_required
def housing_convention_create(request: HttpRequest, pk: int) -> HttpResponse:
    hp = pages.housing_programme_for_conventions(request.user, pk)
    policy.require(policy.can_manage_housing_programme(request.user, hp))
    section = {
        "parent_label": hp.name,
        "parent_url": reverse("operations:housing_programme", args=[hp.pk]),
        "section_url": reverse("operations:housing_conventions", args=[hp.pk]),
    }
    form = ConventionForm(request.POST or None, housing=True)
    return _create(request, form=form, section=section, housing_programme=hp)


# --- A convention ------------------------------------------------------------------------------------------


@login_required
@require_GET
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = convention_for_user(request.user, pk)
    return render(
        request,
        "operations/conventions/detail.html",
        {
            **_section(request, convention),
            "convention": convention,
            **pages.convention_page(request.user, convention, policy.today()),
        },
    )


@login_required
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention_for_write(request, pk)
    if convention.status == ConventionStatus.ENDED:
        messages.error(request, "Une convention terminée ne se modifie plus.")
        return redirect(_convention_url(convention))
    form = ConventionForm(request.POST or None, instance=convention)
    if convention.status in (ConventionStatus.SIGNED, ConventionStatus.IN_FORCE):
        for name in ("title", "purpose"):  # a signed text changes by avenant; its dates may still move
            form.fields[name].disabled = True
            form.fields[name].help_text = "Une convention signée se modifie par avenant."
    if request.method == "POST" and form.is_valid():
        original = Convention.objects.get(pk=convention.pk)
        changes = {
            name: value
            for name, value in form.fields_for_service().items()
            if getattr(original, name) != value
        }
        saved = run_service(
            request,
            form,
            "La convention a été enregistrée.",
            lambda: services.convention_update(
                convention=original,
                by=request.user,
                changes=changes,
                expected_version=form.cleaned_data["version"],
            ),
        )
        if saved is not None:
            return redirect(_convention_url(convention))
    return render(
        request,
        FORM_TEMPLATE,
        {
            **_section(request, convention),
            "convention": convention,
            "form": form,
            "title": f"Modifier « {convention.title} »",
            "cancel_url": _convention_url(convention),
        },
    )


@login_required
def convention_status(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?vers=<statut>: the conditions of that status today, a date and a comment; POST: the change."""
    convention = convention_for_user(request.user, pk)
    policy.require(policy.can_change_convention_status(request.user, convention))
    today = policy.today()
    target = target_of(convention, request.POST.get("vers") or request.GET.get("vers"))
    form = StatusForm(request.POST or None, convention=convention, today=today)
    if request.method == "POST":
        if target is None:
            messages.error(
                request,
                f"La convention « {convention.get_status_display()} » ne peut pas passer au statut demandé.",
            )
            return redirect(_convention_url(convention, "statut"))
        if form.is_valid():
            data = form.cleaned_data
            saved = run_service(
                request,
                form,
                f"La convention est maintenant « {ConventionStatus(target).label} ».",
                lambda: services.convention_change_status(
                    convention=convention,
                    by=request.user,
                    target=target,
                    on=data["on"],
                    comment=data["comment"],
                    expected_version=data["version"],
                ),
            )
            if saved is not None:
                return redirect(_convention_url(convention))
    on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else today
    option = (
        pages.StatusOption(
            target, str(ConventionStatus(target).label), services.status_checks(convention, target, on)
        )
        if target
        else None
    )
    return render(
        request,
        "operations/conventions/status.html",
        {
            **_section(request, convention),
            "convention": convention,
            "form": form,
            "target": target,
            "option": option,
            "options": [] if target else pages.status_options(convention, today),
            "on": on,
        },
    )


# --- Parties -----------------------------------------------------------------------------------------------


def _parties_frozen(request: HttpRequest, convention: Convention) -> HttpResponse | None:
    reason = signatory_services.parties_frozen_reason(convention)
    if reason:
        messages.error(request, reason)
        return redirect(_convention_url(convention, "parties"))
    return None


def _signatory_for_write(request: HttpRequest, pk: int) -> Signatory:
    signatory = pages.signatory_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, signatory.convention))
    return signatory


def _signatory_form_page(
    request: HttpRequest, convention: Convention, form: SignatoryForm, title: str
) -> HttpResponse:
    return render(
        request,
        FORM_TEMPLATE,
        {
            **_section(request, convention),
            "convention": convention,
            "form": form,
            "title": title,
            "cancel_url": _convention_url(convention, "parties"),
        },
    )


@login_required
def signatory_create(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention_for_write(request, pk)
    frozen = _parties_frozen(request, convention)
    if frozen is not None:
        return frozen
    form = SignatoryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "La partie a été ajoutée.",
            lambda: signatory_services.signatory_create(
                convention=convention, by=request.user, **form.fields_for_service()
            ),
        )
        if created is not None:
            return redirect(_convention_url(convention, "parties"))
    return _signatory_form_page(request, convention, form, f"Ajouter une partie — {convention.title}")


@login_required
def signatory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    signatory = _signatory_for_write(request, pk)
    convention = signatory.convention
    frozen = _parties_frozen(request, convention)
    if frozen is not None:
        return frozen
    form = SignatoryForm(request.POST or None, instance=signatory, user=request.user)
    if request.method == "POST" and form.is_valid():
        original = Signatory.objects.select_related("convention", "organisation", "deliberation").get(
            pk=signatory.pk
        )
        saved = run_service(
            request,
            form,
            "La partie a été enregistrée.",
            lambda: signatory_services.signatory_update(
                signatory=original,
                by=request.user,
                changes=form.fields_for_service(),
                expected_version=form.cleaned_data["version"],
            ),
        )
        if saved is not None:
            return redirect(_convention_url(convention, "parties"))
    return _signatory_form_page(
        request, convention, form, f"Modifier la partie {signatory.organisation.name}"
    )


@login_required
def signatory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: remove the party."""
    signatory = _signatory_for_write(request, pk)
    convention = signatory.convention
    frozen = _parties_frozen(request, convention)
    if frozen is not None:
        return frozen
    if request.method == "POST":
        try:
            signatory_services.signatory_delete(signatory=signatory, by=request.user)
        except services.ConventionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{signatory.organisation.name} ne fait plus partie des signataires.")
        return redirect(_convention_url(convention, "parties"))
    return render(
        request,
        "operations/conventions/signatory_confirm.html",
        {**_section(request, convention), "convention": convention, "signatory": signatory},
    )
