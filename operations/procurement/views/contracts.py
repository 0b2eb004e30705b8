"""A contract's pages: its execution (amounts, amendments against the thresholds, invoices and late-payment
interest, sub-contractors, orders, acceptance and final account, deadlines, history), its edit and status,
the forms of its amendments, invoices, sub-contractors, service and purchase orders; the programme's invoices
at risk and their XLSX.

The consultation's readers (the programme's readers, the mayors of its operations' communes) read; the
programme's managers write (policy.can_manage_procurement). Out of scope → 404, in scope without the right → 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from operations.models import Contract, Invoice, Subcontractor
from operations.procurement.forms.contracts import (
    AmendmentForm,
    ContractForm,
    ContractStatusForm,
    InvoiceForm,
    PurchaseOrderForm,
    ServiceOrderForm,
    SubcontractorDecisionForm,
    SubcontractorForm,
)
from operations.procurement.selectors import contracts as selectors
from operations.procurement.services import contracts as services
from operations.selectors.operations import programme_for_operations
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.money import format_euros, format_percent
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_manage_procurement(request.user, programme),
    }


def _contract_for_write(request: HttpRequest, pk: int) -> Contract:
    contract = selectors.contract_for_page(request.user, pk)
    policy.require(policy.can_manage_procurement(request.user, contract.lot.consultation.programme))
    return contract


def _form_page(
    request: HttpRequest, contract: Contract, form: object, title: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "operations/procurement/contracts/form.html",
        {
            **_header(request, contract.lot.consultation.programme),
            "contract": contract,
            "form": form,
            "title": title,
            "intro": intro,
        },
    )


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_page(request.user, pk)
    header = _header(request, contract.lot.consultation.programme)
    day = policy.today()
    return render(
        request,
        "operations/procurement/contracts/detail.html",
        {
            **header,
            "contract": contract,
            "consultation": contract.lot.consultation,
            "page": selectors.contract_page(contract, day),
            "day": day,
            "status_form": ContractStatusForm(contract=contract)
            if header["can_edit"] and services.TRANSITIONS[contract.status]
            else None,
        },
    )


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        original = Contract.objects.get(pk=contract.pk)
        saved = run_service(
            request,
            form,
            "Le marché a été enregistré.",
            lambda: services.contract_update(
                contract=original, expected_version=version, by=request.user, changes=data
            ),
        )
        if saved is not None:
            return redirect("operations:contract_detail", pk=saved.pk)
    return _form_page(request, contract, form, f"Modifier le marché {contract.number}")


@login_required
@require_POST
def contract_status(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = ContractStatusForm(request.POST, contract=contract)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        data = form.cleaned_data
        run_service(
            request,
            form,
            "Le statut du marché a été modifié.",
            lambda: services.contract_change_status(
                contract=contract,
                to=data["status"],
                by=request.user,
                on=data["event_on"],
                reserves=data["reserves"],
                comment=data["comment"],
                expected_version=data["version"],
            ),
        )
        for error in form.non_field_errors():
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                for error in errors:
                    messages.error(request, error)
    return redirect("operations:contract_detail", pk=contract.pk)


@login_required
def amendment_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = run_service(
            request,
            form,
            "L'avenant a été enregistré.",
            lambda: services.amendment_create(contract=contract, by=request.user, **form.cleaned_data),
        )
        if result is not None:
            for warning in result[1]:
                messages.warning(request, warning)
            return redirect("operations:contract_detail", pk=contract.pk)
    page = selectors.contract_page(contract, policy.today())
    s = page.summary
    intro = (
        f"Montant initial : {format_euros(s.initial_ht)} HT ; avenants : {format_euros(s.amendments_ht)} HT, soit "
        f"{format_percent(s.cumulative_rate)} du montant initial. Seuil de faible montant : "
        f"{format_percent(s.de_minimis_cap, 0)} ; avis de la CAO au-delà de 5 % si elle a attribué le marché."
    )
    return _form_page(request, contract, form, f"Nouvel avenant au marché {contract.number}", intro)


@login_required
def invoice_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = InvoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "La facture a été enregistrée.",
            lambda: services.invoice_create(contract=contract, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(
        request,
        contract,
        form,
        f"Nouvelle facture du marché {contract.number}",
        "Le délai de paiement de 30 jours court à compter de la réception de la demande de paiement (R2192-10).",
    )


@login_required
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = policy.get_for_user(Invoice.objects.select_related("contract"), request.user, pk=pk)
    contract = _contract_for_write(request, invoice.contract_id)
    form = InvoiceForm(request.POST or None, instance=invoice)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        original = Invoice.objects.select_related("contract").get(pk=invoice.pk)
        saved = run_service(
            request,
            form,
            "La facture a été enregistrée.",
            lambda: services.invoice_update(
                invoice=original, expected_version=version, by=request.user, changes=data
            ),
        )
        if saved is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(request, contract, form, f"Facture {invoice.number}")


@login_required
def subcontractor_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = SubcontractorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "Le sous-traitant a été déclaré.",
            lambda: services.subcontractor_declare(contract=contract, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(
        request,
        contract,
        form,
        f"Déclarer un sous-traitant du marché {contract.number}",
        "Sans décision dans les 21 jours de la déclaration, le sous-traitant est accepté tacitement.",
    )


@login_required
def subcontractor_decide(request: HttpRequest, pk: int) -> HttpResponse:
    subcontractor = policy.get_for_user(
        Subcontractor.objects.select_related("organisation"), request.user, pk=pk
    )
    contract = _contract_for_write(request, subcontractor.contract_id)
    form = SubcontractorDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decided = run_service(
            request,
            form,
            "La décision a été enregistrée.",
            lambda: services.subcontractor_decide(
                subcontractor=subcontractor,
                by=request.user,
                accept=data["decision"] == "accept",
                on=data["on"],
            ),
        )
        if decided is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(
        request, contract, form, f"Décision sur le sous-traitant {subcontractor.organisation.name}"
    )


@login_required
def service_order_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = ServiceOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "L'ordre de service a été enregistré.",
            lambda: services.service_order_create(contract=contract, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(request, contract, form, f"Nouvel ordre de service du marché {contract.number}")


@login_required
def purchase_order_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_write(request, pk)
    form = PurchaseOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "Le bon de commande a été enregistré.",
            lambda: services.purchase_order_create(contract=contract, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:contract_detail", pk=contract.pk)
    return _form_page(request, contract, form, f"Nouveau bon de commande du marché {contract.number}")


@login_required
@require_GET
def invoices_at_risk(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_operations(request.user, pk)
    day = policy.today()
    rows = selectors.invoices_at_risk(request.user, programme, day=day)
    return render(
        request,
        "operations/procurement/contracts/invoices_at_risk.html",
        {**_header(request, programme), "rows": rows, "day": day},
    )


def at_risk_sheet(programme: Programme, rows: list[selectors.RiskRow], day: object) -> Sheet:
    return Sheet(
        title="Factures à risque",
        heading=[f"Factures à risque — {programme.name}", f"Situation au {day:%d/%m/%Y}"],
        columns=[
            Column("Marché", lambda r: r.contract.number, 14),
            Column("Titulaire", lambda r: r.contract.holder.name, 28),
            Column("Facture", lambda r: r.invoice.number, 14),
            Column("Reçue le", lambda r: r.invoice.received_on, 12),
            Column("Montant TTC", lambda r: r.invoice.amount_ttc, 16, total=True),
            Column("Mandatée le", lambda r: r.invoice.ordered_on, 12),
            Column("Date limite de paiement", lambda r: r.delay.due_on, 14),
            Column("État", lambda r: r.delay.status_label, 24),
            Column("Jours de retard", lambda r: r.delay.days_late, 10),
            Column("Taux annuel", lambda r: r.delay.annual_rate, 10, percent=True),
            Column("Intérêts moratoires", lambda r: r.delay.interest, 16, total=True),
            Column("Indemnité forfaitaire", lambda r: r.delay.flat_fee, 16, total=True),
            Column("Donnée de référence manquante", lambda r: r.delay.missing, 30),
        ],
        rows=rows,
    )


@login_required
@require_GET
def invoices_at_risk_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_operations(request.user, pk)
    day = policy.today()
    rows = selectors.invoices_at_risk(request.user, programme, day=day)
    response = HttpResponse(workbook([at_risk_sheet(programme, rows, day)]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="factures-a-risque-{slugify(programme.name)}.xlsx"'
    )
    return response
