"""Annual reports of a programme: PDF through pvd.documents and an XLSX of all figures (issue 10, H5).

Access (pvd/accounts/policy.py): the programme's readers — manager, referent, partners — and staff read the list,
a report, its PDF and its XLSX (`can_read_dashboard`; everyone else 404: mayors read their commune's page); its
managers create a year's report and write its assessment (`can_manage_indicators`; 403 for the other readers).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from programmes.indicators.models import AnnualReport
from programmes.selectors import programme_for_page
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.dashboards import annual, services
from pvd.dashboards.forms import AnnualReportCreateForm, AssessmentForm
from pvd.documents import documents_of, request_document
from pvd.xlsx import XLSX_CONTENT_TYPE


def _report_for(request: HttpRequest, pk: int) -> AnnualReport:
    """The report in the user's scope (404 outside), once the dashboard is open to them (403 otherwise)."""
    report = policy.get_for_user(
        AnnualReport.objects.select_related("programme", "created_by"), request.user, pk=pk
    )
    policy.require(policy.can_read_dashboard(request.user, report.programme))
    return report


@login_required
@require_http_methods(["GET", "POST"])
def annual_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's annual reports by year, and its managers' form to create the report of a year."""
    programme = programme_for_page(request.user, pk)
    policy.require(policy.can_read_dashboard(request.user, programme))
    can_manage = policy.can_manage_indicators(request.user, programme)
    last_year = policy.today().year - 1
    form = AnnualReportCreateForm(request.POST or None, initial={"year": last_year})
    if request.method == "POST":
        policy.require(can_manage)
        if form.is_valid():
            report = run_service(
                request,
                form,
                f"Le rapport annuel {form.cleaned_data['year']} a été créé.",
                lambda: services.annual_report_create(
                    programme=programme, year=form.cleaned_data["year"], by=request.user
                ),
            )
            if report is not None:
                return redirect("annual_report", pk=report.pk)
    reports = list(
        policy.visible_to(AnnualReport.objects.filter(programme=programme), request.user)
        .select_related("created_by")
        .order_by("-year", "-pk")
    )
    ctx = {"programme": programme, "reports": reports, "form": form, "can_manage": can_manage}
    return render(request, "pages/annual_reports.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def annual_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: its assessment (edited by the managers, versioned) and a preview of the figures of its year."""
    report = _report_for(request, pk)
    programme = report.programme
    can_manage = policy.can_manage_indicators(request.user, programme)
    form = None
    if can_manage:
        form = AssessmentForm(request.POST or None, instance=report)
    if request.method == "POST":
        policy.require(can_manage)
        if form.is_valid():
            saved = run_service(
                request,
                form,
                "Le bilan qualitatif a été enregistré.",
                lambda: services.annual_report_update(
                    report=report,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    assessment=form.cleaned_data["assessment"],
                ),
            )
            if saved is not None:
                return redirect("annual_report", pk=saved.pk)
    ctx = {
        "report": report,
        "programme": programme,
        "figures": annual.annual_figures(report),
        "form": form,
        "can_manage": can_manage,
        "documents": list(documents_of(report, annual.ANNUAL_REPORT)[:5]),
    }
    return render(request, "pages/annual_report.html", ctx)


@login_required
@require_POST
def annual_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh PDF of the report, rendered in Celery, then its status page."""
    report = _report_for(request, pk)
    doc = request_document(report, annual.ANNUAL_REPORT, request.user)
    return redirect("document", pk=doc.pk)


@login_required
def annual_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Every figure of the report's year, one sheet per section."""
    report = _report_for(request, pk)
    content = annual.annual_xlsx(report, annual.annual_figures(report))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{annual.xlsx_filename(report)}"'
    return response
