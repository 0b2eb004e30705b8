"""Pages of the partner directory: organisations, contacts and their mandates, the offers catalogue, exports.

Access: pvd/accounts/policy.py decides (404 outside the scope, 403 inside it without the right); contacts
are personal data, so every contact page first asks `can_view_contacts` and answers 404 to the others.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from partners import exports, selectors, services
from partners.filters import OfferFilter, OrganisationFilter
from partners.forms import MandateForm, OfferForm, OrganisationForm, PersonForm
from partners.models import Organisation, Theme
from pvd.accounts import policy
from pvd.actions import run_service

PAGE_SIZE = 50


def _require_contacts(request: HttpRequest) -> None:
    """Contacts do not exist for users who may not see them (mayors-only, operators-only): 404."""
    if not policy.can_view_contacts(request.user):
        raise Http404("Aucun objet ne correspond à votre demande.")


def _require_directory_role(request: HttpRequest) -> None:
    """The directory and the catalogue are for users with an active role; the others see nothing."""
    if not policy.can_view_directory(request.user):
        raise Http404("Aucun objet ne correspond à votre demande.")


def _data(form: forms.Form) -> dict[str, object]:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _page(request: HttpRequest, queryset: QuerySet) -> object:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Directory and partner page ----------------------------------------------------------------------------


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    _require_directory_role(request)
    filterset = OrganisationFilter(
        request.GET or None, queryset=selectors.directory(request.user), user=request.user
    )
    ctx = {
        "filter": filterset,
        "page": _page(request, filterset.qs),
        "can_view_contacts": policy.can_view_contacts(request.user),
        "can_manage": policy.can_manage_directory(request.user),
    }
    return render(request, "partners/directory.html", ctx)


@login_required
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.partner_for_page(request.user, pk)
    ctx = {
        "page": page,
        "organisation": page.organisation,
        "today": policy.today(),
        "can_manage": policy.can_manage_directory(request.user),
    }
    return render(request, "partners/detail.html", ctx)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require_directory_role(request)
    policy.require(policy.can_manage_directory(request.user))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = run_service(
            request,
            form,
            "L'organisme a été ajouté à l'annuaire.",
            lambda: services.organisation_create(by=request.user, **_data(form)),
        )
        if organisation is not None:
            return redirect("partners:detail", pk=organisation.pk)
    return render(request, "partners/form.html", {"form": form, "title": "Nouvel organisme partenaire"})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Communes and EPCIs are not edited here (official geography): 404, as for any missing page.
    organisation = policy.get_for_user(Organisation.objects.editable(), request.user, pk=pk)
    policy.require(policy.can_manage_directory(request.user))
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "L'organisme a été enregistré.",
            lambda: services.organisation_update(
                organisation=organisation,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                **_data(form),
            ),
        )
        if saved is not None:
            return redirect("partners:detail", pk=organisation.pk)
    ctx = {
        "form": form,
        "title": f"Modifier « {organisation} »",
        "back": organisation,
        "object": organisation,
    }
    return render(request, "partners/form.html", ctx)


# --- Contacts and mandates (personal data) -----------------------------------------------------------------


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_contacts(request)
    organisation = policy.get_for_user(Organisation.objects.all(), request.user, pk=pk)
    policy.require(policy.can_manage_directory(request.user))
    form = PersonForm(
        request.POST or None,
        initial={"organisation": organisation},
        organisations=selectors.organisation_choices(request.user, include=organisation),
    )
    if request.method == "POST" and form.is_valid():
        person = run_service(
            request,
            form,
            "Le contact a été ajouté.",
            lambda: services.person_create(by=request.user, **_data(form)),
        )
        if person is not None:
            return redirect("partners:person_detail", pk=person.pk)
    ctx = {"form": form, "title": f"Nouveau contact — {organisation}", "back": organisation}
    return render(request, "partners/form.html", ctx)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_contacts(request)
    person = selectors.person_for_page(request.user, pk)
    today = policy.today()
    ctx = {
        "person": person,
        "current_mandates": [m for m in person.all_mandates if m.is_current_on(today)],
        "past_mandates": [m for m in person.all_mandates if not m.is_current_on(today)],
        "can_manage": policy.can_manage_directory(request.user),
    }
    return render(request, "partners/person_detail.html", ctx)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_contacts(request)
    person = selectors.person_for_page(request.user, pk)
    policy.require(policy.can_manage_directory(request.user))
    form = PersonForm(
        request.POST or None,
        instance=person,
        organisations=selectors.organisation_choices(request.user, include=person.organisation),
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le contact a été enregistré.",
            lambda: services.person_update(
                person=person, expected_version=form.cleaned_data["version"], by=request.user, **_data(form)
            ),
        )
        if saved is not None:
            return redirect("partners:person_detail", pk=person.pk)
    ctx = {"form": form, "title": f"Modifier le contact {person}", "back_person": person, "object": person}
    return render(request, "partners/form.html", ctx)


@login_required
def mandate_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_contacts(request)
    person = selectors.person_for_page(request.user, pk)
    policy.require(policy.can_manage_directory(request.user))
    form = MandateForm(
        request.POST or None,
        initial={"organisation": person.organisation},
        organisations=selectors.organisation_choices(request.user, include=person.organisation),
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le mandat a été ajouté.",
            lambda: services.mandate_create(by=request.user, person=person, **_data(form)),
        )
        if saved is not None:
            return redirect("partners:person_detail", pk=person.pk)
    ctx = {"form": form, "title": f"Nouveau mandat ou fonction — {person}", "back_person": person}
    return render(request, "partners/form.html", ctx)


@login_required
def mandate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_contacts(request)
    mandate = selectors.mandate_for_page(request.user, pk)
    policy.require(policy.can_manage_directory(request.user))
    form = MandateForm(
        request.POST or None,
        instance=mandate,
        organisations=selectors.organisation_choices(request.user, include=mandate.organisation),
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le mandat a été enregistré.",
            lambda: services.mandate_update(
                mandate=mandate, expected_version=form.cleaned_data["version"], by=request.user, **_data(form)
            ),
        )
        if saved is not None:
            return redirect("partners:person_detail", pk=mandate.person_id)
    ctx = {
        "form": form,
        "title": f"Modifier le mandat : {mandate.label}",
        "back_person": mandate.person,
        "object": mandate,
    }
    return render(request, "partners/form.html", ctx)


@login_required
@require_GET
def contacts_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Contacts in the user's scope for a mail merge (CSV for any tool, XLSX for Excel)."""
    _require_contacts(request)
    rows = exports.contact_rows(selectors.contacts_for_export(request.user))
    filename = f"contacts-partenaires-{policy.today().isoformat()}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_xlsx(rows), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in shared caches
    return response


# --- Offers catalogue --------------------------------------------------------------------------------------


@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    _require_directory_role(request)
    filterset = OfferFilter(
        request.GET or None, queryset=selectors.offers_catalogue(request.user), user=request.user
    )
    ctx = {
        "filter": filterset,
        "page": _page(request, filterset.qs),
        "today": policy.today(),
        "can_manage": policy.can_manage_directory(request.user),
    }
    return render(request, "partners/offers.html", ctx)


@login_required
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_for_page(request.user, pk)
    ctx = {"offer": offer, "today": policy.today(), "can_manage": policy.can_manage_directory(request.user)}
    return render(request, "partners/offer_detail.html", ctx)


def _offer_form(request: HttpRequest, include: Organisation | None = None, **kwargs: object) -> OfferForm:
    return OfferForm(
        request.POST or None,
        organisations=selectors.organisation_choices(request.user, include=include).partners(),
        themes=Theme.objects.visible_to(request.user),
        **kwargs,
    )


@login_required
def offer_create(request: HttpRequest) -> HttpResponse:
    _require_directory_role(request)
    policy.require(policy.can_manage_directory(request.user))
    initial = {}
    if organisation_pk := request.GET.get("organisme"):
        initial["organisation"] = organisation_pk
    form = _offer_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.OfferData(**form.offer_fields())
        offer = run_service(
            request,
            form,
            "L'offre a été ajoutée au catalogue.",
            lambda: services.offer_create(by=request.user, data=data),
        )
        if offer is not None:
            return redirect("partners:offer_detail", pk=offer.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": "Nouvelle offre ou nouveau dispositif"}
    )


@login_required
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_for_page(request.user, pk)
    policy.require(policy.can_manage_directory(request.user))
    form = _offer_form(request, include=offer.organisation, instance=offer)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        data = services.OfferData(**form.offer_fields())
        saved = run_service(
            request,
            form,
            "L'offre a été enregistrée.",
            lambda: services.offer_update(offer=offer, expected_version=version, by=request.user, data=data),
        )
        if saved is not None:
            return redirect("partners:offer_detail", pk=offer.pk)
    ctx = {"form": form, "title": f"Modifier « {offer.name} »", "back_offer": offer, "object": offer}
    return render(request, "partners/form.html", ctx)
