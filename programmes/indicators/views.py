"""Indicator pages (issue 10, H1): the list of a programme's indicators, an indicator's page with its trend chart,
create/edit, yearly targets, entered measurements, the CSV import of measurements and the XLSX export.

Access: the programme's readers (manager, referent, partner) and the mayors of its communes read the indicators
the policy gives them (a mayor: their commune's and the programme-wide ones); managers write (403 for the other
readers); everyone else gets 404. Imports are the managers' (policy rule of `MeasurementImport`).
"""

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from programmes.indicators import computations, services
from programmes.indicators.exports import indicators_xlsx
from programmes.indicators.forms import (
    IndicatorCreateForm,
    IndicatorFilter,
    IndicatorForm,
    MeasurementForm,
    MeasurementImportForm,
    TargetFormSet,
)
from programmes.indicators.importer import (
    CSV_CONTENT_TYPE,
    HEADER,
    TEMPLATE_FILENAME,
    measurement_import_start,
    template_csv,
)
from programmes.indicators.models import Indicator, Measurement, MeasurementImport, MeasurementOrigin
from programmes.indicators.selectors import IndicatorSummary, indicator_summaries
from programmes.models import Objective, Programme
from programmes.selectors.strategy import programme_for_strategy
from programmes.views._strategy import xlsx_response
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.charts import format_value, line_chart

IMPORT_REFRESH_SECONDS = 2


def _context(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_manage": policy.can_manage_indicators(request.user, programme),
    }


def _managed_programme(request: HttpRequest, pk: int) -> Programme:
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_manage_indicators(request.user, programme))
    return programme


def _indicator(request: HttpRequest, pk: int) -> Indicator:
    return policy.get_for_user(
        Indicator.objects.select_related("programme", "commune", "template"), request.user, pk=pk
    )


def _managed_indicator(request: HttpRequest, pk: int) -> Indicator:
    indicator = _indicator(request, pk)
    policy.require(policy.can_manage_indicators(request.user, indicator.programme))
    return indicator


def _visible_indicators(request: HttpRequest, programme: Programme):
    return policy.visible_to(Indicator.objects.all(), request.user).filter(
        programme=programme, archived=False
    )


def value_text(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)


@dataclass
class Row:
    """An indicator's summary with its figures written out (value + unit, French formatting)."""

    summary: IndicatorSummary

    @property
    def indicator(self) -> Indicator:
        return self.summary.indicator

    @property
    def baseline(self) -> str:
        point = self.summary.baseline
        return "—" if point is None else value_text(point.value, self.indicator.unit)

    @property
    def latest(self) -> str:
        point = self.summary.latest
        return "—" if point is None else value_text(point.value, self.indicator.unit)

    @property
    def target(self) -> str:
        return value_text(self.summary.target, self.indicator.unit)


def _group_key(summary: IndicatorSummary) -> tuple[bool, str, int]:
    commune = summary.indicator.commune
    return (commune is not None, commune.name if commune else "", commune.pk if commune else 0)


# --- The list ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def indicator_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    communes = list(programme.communes.all())  # prefetched by programme_for_strategy
    filter_form = IndicatorFilter(request.GET or None, communes=communes)
    year = timezone.localdate().year
    summaries = indicator_summaries(filter_form.apply(_visible_indicators(request, programme)), year=year)
    summaries.sort(key=lambda s: (*_group_key(s), s.indicator.name, s.indicator.pk))
    groups = [
        (summary_rows[0].indicator.commune, summary_rows)
        for _, rows in groupby((Row(s) for s in summaries), key=lambda row: _group_key(row.summary))
        if (summary_rows := list(rows))
    ]
    ctx = {
        **_context(request, programme),
        "filter": filter_form,
        "year": year,
        "count": len(summaries),
        "groups": groups,
    }
    return render(request, "programmes/indicators/list.html", ctx)


@login_required
@require_GET
def indicators_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    indicators = _visible_indicators(request, programme)
    measurements = (
        policy.visible_to(Measurement.objects.all(), request.user)
        .filter(indicator__in=indicators)
        .select_related("indicator__commune", "recorded_by")
        .order_by("indicator__name", F("indicator__commune__name").asc(nulls_first=True), "measured_on", "pk")
    )
    content = indicators_xlsx(programme, indicators.select_related("commune"), measurements)
    return xlsx_response(content, f"indicateurs-{slugify(programme.name)}.xlsx")


# --- One indicator -----------------------------------------------------------------------------------------


@login_required
@require_GET
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator(request, pk)
    programme = indicator.programme
    year = timezone.localdate().year
    summary = indicator_summaries(Indicator.objects.filter(pk=indicator.pk), year=year)[0]
    chart = line_chart(
        title=f"Évolution : {indicator.name}",
        unit=indicator.unit,
        points=summary.points,
        targets=summary.targets,
        baseline=summary.baseline,
        uid=f"indicateur-{indicator.pk}",
    )
    measurements = indicator.measurements.select_related("recorded_by", "source_import").order_by(
        "measured_on", "pk"
    )
    ctx = {
        **_context(request, programme),
        "indicator": indicator,
        "summary": summary,
        "row": Row(summary),
        "year": year,
        "chart": chart,
        "targets": [(year, format_value(value)) for year, value in sorted(summary.targets.items())],
        "measurements": [(m, format_value(m.value)) for m in measurements],
        "objectives": indicator.objectives.select_related("axis").order_by("axis__order", "order", "pk"),
        "operations": policy.visible_to(indicator.operations.all(), request.user).order_by("code", "pk"),
        "computed": MeasurementOrigin.COMPUTED,
        "computation_help": computations.HELP.get(indicator.computation, ""),
    }
    return render(request, "programmes/indicators/detail.html", ctx)


@login_required
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _managed_programme(request, pk)
    form = IndicatorCreateForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        indicator = run_service(
            request,
            form,
            "L'indicateur a été créé.",
            lambda: services.indicator_create(
                programme=programme, by=request.user, **form.service_arguments()
            ),
        )
        if indicator is not None:
            return redirect("programmes:indicator", pk=indicator.pk)
    return render(
        request, "programmes/indicators/create.html", {**_context(request, programme), "form": form}
    )


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _managed_indicator(request, pk)
    programme = indicator.programme
    form = IndicatorForm(request.POST or None, instance=indicator, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        objectives: list[Objective] = list(data.pop("objectives"))
        saved = run_service(
            request,
            form,
            "L'indicateur a été enregistré.",
            lambda: services.indicator_update(
                indicator=_indicator(request, pk),
                expected_version=version,
                by=request.user,
                objectives=objectives,
                **data,
            ),
        )
        if saved is not None:
            return redirect("programmes:indicator", pk=saved.pk)
    ctx = {**_context(request, programme), "form": form, "indicator": indicator}
    return render(request, "programmes/indicators/form.html", ctx)


@login_required
def indicator_targets(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _managed_indicator(request, pk)
    initial = [{"year": t.year, "value": t.value} for t in indicator.targets.order_by("year")]
    formset = TargetFormSet(request.POST or None, initial=initial, prefix="cibles")
    if request.method == "POST" and formset.is_valid():
        try:
            services.targets_save(indicator=indicator, by=request.user, targets=formset.targets())
        except (services.IndicatorError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Les cibles ont été enregistrées.")
            return redirect("programmes:indicator", pk=indicator.pk)
    ctx = {**_context(request, indicator.programme), "indicator": indicator, "formset": formset}
    return render(request, "programmes/indicators/targets.html", ctx)


# --- Measurements ------------------------------------------------------------------------------------------


@login_required
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _managed_indicator(request, pk)
    form = MeasurementForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        measurement = run_service(
            request,
            form,
            "La mesure a été enregistrée.",
            lambda: services.measurement_record(indicator=indicator, by=request.user, **data),
        )
        if measurement is not None:
            return redirect("programmes:indicator", pk=indicator.pk)
    ctx = {**_context(request, indicator.programme), "indicator": indicator, "form": form}
    return render(request, "programmes/indicators/measurement_form.html", ctx)


def _measurement(request: HttpRequest, pk: int) -> Measurement:
    measurement = policy.get_for_user(
        Measurement.objects.select_related("indicator__programme", "indicator__commune"), request.user, pk=pk
    )
    policy.require(policy.can_manage_indicators(request.user, measurement.indicator.programme))
    return measurement


@login_required
def measurement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    indicator = measurement.indicator
    if measurement.origin == MeasurementOrigin.COMPUTED:
        messages.error(request, "Une mesure calculée ne se modifie pas à la main : relancez le calcul.")
        return redirect("programmes:indicator", pk=indicator.pk)
    form = MeasurementForm(request.POST or None, instance=measurement, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "La mesure a été enregistrée.",
            lambda: services.measurement_update(measurement=measurement, by=request.user, **data),
        )
        if saved is not None:
            return redirect("programmes:indicator", pk=indicator.pk)
    ctx = {
        **_context(request, indicator.programme),
        "indicator": indicator,
        "measurement": measurement,
        "form": form,
    }
    return render(request, "programmes/indicators/measurement_form.html", ctx)


@login_required
def measurement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    indicator = measurement.indicator
    if request.method == "POST":
        services.measurement_delete(measurement=measurement, by=request.user)
        messages.success(request, f"La mesure du {measurement.measured_on:%d/%m/%Y} a été supprimée.")
        return redirect("programmes:indicator", pk=indicator.pk)
    ctx = {
        **_context(request, indicator.programme),
        "indicator": indicator,
        "measurement": measurement,
        "value": format_value(measurement.value, indicator.unit),
    }
    return render(request, "programmes/indicators/measurement_delete.html", ctx)


# --- CSV import --------------------------------------------------------------------------------------------


@login_required
def measurement_import(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _managed_programme(request, pk)
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = measurement_import_start(
                programme=programme, file=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            messages.success(request, "Le fichier est déposé ; l'import se déroule en arrière-plan.")
            return redirect("programmes:measurement_import_detail", pk=job.pk)
    ctx = {
        **_context(request, programme),
        "form": form,
        "header": ";".join(HEADER),
        "imports": programme.measurement_imports.select_related("created_by")[:10],
        "indicators": _visible_indicators(request, programme).select_related("commune"),
    }
    return render(request, "programmes/indicators/import.html", ctx)


@login_required
@require_GET
def measurement_template_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _managed_programme(request, pk)
    response = HttpResponse(template_csv(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response


@login_required
@require_GET
def measurement_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = policy.get_for_user(
        MeasurementImport.objects.select_related("programme", "created_by"), request.user, pk=pk
    )
    programme = job.programme
    policy.require(policy.can_manage_indicators(request.user, programme))
    pending = job.status in (MeasurementImport.Status.PENDING, MeasurementImport.Status.RUNNING)
    ctx = {
        **_context(request, programme),
        "job": job,
        "pending": pending,
        "refresh_seconds": IMPORT_REFRESH_SECONDS,
        "updated_count": job.total_rows - job.imported_count
        if job.status == MeasurementImport.Status.DONE
        else 0,
    }
    return render(request, "programmes/indicators/import_detail.html", ctx)
