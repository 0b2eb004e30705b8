"""The analysis of offers: record and correct bids, score them, the printable analysis report (and its XLSX),
award a lot and sign its contract.

Whoever sees the consultation (the programme's readers, the mayors of its communes) reads the report; the
programme's managers write (policy.can_manage_procurement). Out of scope → 404, in scope without the right → 403.
"""

import io
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from openpyxl import load_workbook

from operations.models import BidScore, Consultation
from operations.procurement.forms.bids import AwardForm, BidEditForm, BidForm, ScoresForm, SignForm
from operations.procurement.selectors import bids as selectors
from operations.procurement.services import bids as services
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook

SCORE_FORMAT = "0.00"


def consultation_url(consultation: Consultation) -> str:
    """The consultation's page (consultations part), else its analysis report."""
    try:
        return reverse("operations:consultation_detail", kwargs={"pk": consultation.pk})
    except NoReverseMatch:
        return reverse("operations:analysis_report", kwargs={"pk": consultation.pk})


def _context(request: HttpRequest, consultation: Consultation, **extra: object) -> dict[str, object]:
    programme = consultation.programme
    return {
        "programme": programme,
        "consultation": consultation,
        "consultation_url": consultation_url(consultation),
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_manage_procurement(request.user, programme),
        **extra,
    }


def report_workbook(report: selectors.ConsultationReport) -> bytes:
    """One row per bid: lot, candidate, price, admissibility, the score of each criterion on its scale, the
    price score, the totals on 100 and on 20, the rank and the proposed holder. Scores are numbers (0.00)."""
    consultation = report.consultation
    rows = [(item, result) for item in report.lots for result in item.analysis.results]
    formula = dict(Consultation._meta.get_field("price_formula").choices)[consultation.price_formula]

    def line_of(result, criterion):
        found = selectors.find_line(result.lines, criterion.pk)
        return None if found is None else found.score

    columns = [
        Column("Lot", lambda r: f"{r[0].lot.number} — {r[0].lot.title}", 30),
        Column("Candidat", lambda r: r[1].bid.bidder.name, 30),
        Column("SIRET", lambda r: r[1].bid.bidder_siret, 16),
        Column("Prix (€ HT)", lambda r: r[1].bid.price_ht, 16),
        Column("Recevable", lambda r: "Oui" if r[1].admissible else "Non", 10),
        Column("Motif d'irrecevabilité", lambda r: r[1].bid.inadmissibility_reason, 28),
    ]
    score_columns = []
    for criterion in report.criteria:
        weight = f"{criterion.weight * 100:.2f}".replace(".", ",")
        prefix = "  ↳ " if criterion.parent_id else ""
        header = f"{prefix}{criterion.name} (sur {criterion.max_score.normalize():f}, {weight} %)"
        columns.append(Column(header, lambda r, c=criterion: line_of(r[1], c), 16))
        score_columns.append(len(columns))
    columns += [
        Column("Note totale sur 100", lambda r: r[1].total, 14),
        Column("Note totale sur 20", lambda r: r[1].total_on_20, 14),
        Column("Rang", lambda r: r[1].rank, 8),
        Column(
            "Attributaire",
            lambda r: "Oui" if r[0].awarded and r[0].awarded.bid.pk == r[1].bid.pk else "",
            12,
        ),
    ]
    score_columns += [len(columns) - 3, len(columns) - 2]
    heading = [
        f"Rapport d'analyse des offres — {consultation.reference} — {consultation.title}",
        f"Procédure : {consultation.get_procedure_display()} ; notation du prix : {formula}",
        f"Édité le {timezone.localtime():%d/%m/%Y à %H:%M}",
    ]
    content = workbook([Sheet("Analyse des offres", columns, rows, heading)])
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    header_row = len(heading) + 2
    for row in sheet.iter_rows(min_row=header_row + 1):
        for index in score_columns:
            row[index - 1].number_format = SCORE_FORMAT
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def analysis_report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    report = selectors.consultation_report(request.user, consultation)
    return render(
        request,
        "operations/procurement/bids/report.html",
        _context(request, consultation, report=report, printed_at=timezone.localtime()),
    )


@login_required
@require_GET
def analysis_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    report = selectors.consultation_report(request.user, consultation)
    response = HttpResponse(report_workbook(report), content_type=XLSX_CONTENT_TYPE)
    name = slugify(f"rapport-analyse-{consultation.reference}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def bid_create(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_for_page(request.user, pk)
    consultation = lot.consultation
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    form = BidForm(request.POST or None, user=request.user, lot=lot)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            with transaction.atomic():
                bidder = data["bidder"] or services.company_create(
                    name=data["new_bidder_name"], siret=data["bidder_siret"], by=request.user
                )
                return services.bid_record(
                    lot=lot,
                    bidder=bidder,
                    bidder_siret=data["bidder_siret"],
                    received_at=data["received_at"],
                    price_ht=data["price_ht"],
                    note=data["note"],
                    by=request.user,
                )

        if run_service(request, form, "L'offre a été enregistrée.", record) is not None:
            return redirect(consultation_url(consultation))
    return render(
        request,
        "operations/procurement/bids/form.html",
        _context(request, consultation, form=form, lot=lot, title=f"Nouvelle offre — {lot}"),
    )


@login_required
def bid_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bid = selectors.bid_for_page(request.user, pk)
    consultation = bid.lot.consultation
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    form = BidEditForm(request.POST or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            with transaction.atomic():
                saved = services.bid_update(
                    bid=bid,
                    bidder_siret=data["bidder_siret"],
                    received_at=data["received_at"],
                    price_ht=data["price_ht"],
                    note=data["note"],
                    by=request.user,
                )
                return services.bid_set_admissibility(
                    bid=saved,
                    admissible=data["admissible"],
                    reason=data["inadmissibility_reason"],
                    by=request.user,
                )

        if run_service(request, form, "L'offre a été enregistrée.", save) is not None:
            return redirect(consultation_url(consultation))
    return render(
        request,
        "operations/procurement/bids/form.html",
        _context(
            request, consultation, form=form, lot=bid.lot, bid=bid, title=f"Modifier l'offre de {bid.bidder}"
        ),
    )


@login_required
def bid_scores(request: HttpRequest, pk: int) -> HttpResponse:
    bid = selectors.bid_for_page(request.user, pk)
    consultation = bid.lot.consultation
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    criteria = services.scorable_criteria(consultation)
    current = dict(BidScore.objects.filter(bid=bid).values_list("criterion_id", "score"))
    form = ScoresForm(request.POST or None, criteria=criteria, current=current)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Les notes de l'offre ont été enregistrées.",
            lambda: services.scores_set(bid=bid, scores=form.scores(), by=request.user),
        )
        if saved is not None:
            return redirect(consultation_url(consultation))
    return render(
        request,
        "operations/procurement/bids/scores.html",
        _context(request, consultation, form=form, bid=bid, lot=bid.lot, criteria=criteria),
    )


@login_required
def lot_award(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_for_page(request.user, pk)
    consultation = lot.consultation
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    item = selectors.lot_report(request.user, lot)
    form = AwardForm(request.POST or None, results=item.analysis.results)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bid = next(r.bid for r in item.analysis.results if r.bid.pk == data["bid"])
        awarded = run_service(
            request,
            form,
            f"Le {lot} est attribué à {bid.bidder.name}.",
            lambda: services.award_lot(
                lot=lot, bid=bid, decided_on=data["decided_on"], reason=data["reason"], by=request.user
            ),
        )
        if awarded is not None:
            return redirect(consultation_url(consultation))
    return render(
        request,
        "operations/procurement/bids/award.html",
        _context(request, consultation, form=form, lot=lot, item=item),
    )


def _contract_url(contract: object, consultation: Consultation) -> str:
    try:
        return reverse("operations:contract_detail", kwargs={"pk": contract.pk})
    except NoReverseMatch:
        return consultation_url(consultation)


@login_required
def lot_sign(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_for_page(request.user, pk)
    consultation = lot.consultation
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    item = selectors.lot_report(request.user, lot)
    amount = item.awarded.bid.price_ht if item.awarded else Decimal(0)
    form = SignForm(request.POST or None, amount_ht=amount, initial={"ccag": _default_ccag(consultation)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contract = run_service(
            request,
            form,
            f"Le marché du {lot} est signé.",
            lambda: services.sign_contract(lot=lot, by=request.user, **data),
        )
        if contract is not None:
            return redirect(_contract_url(contract, consultation))
    return render(
        request,
        "operations/procurement/bids/sign.html",
        _context(request, consultation, form=form, lot=lot, item=item),
    )


def _default_ccag(consultation: Consultation) -> str:
    return "works" if consultation.nature == "works" else "supplies_services"
