"""Data blocks of conventions read from the strategy (issue 9): the stakes, the axes and objectives of the project
in force, the engineering needs and the ORT perimeters (`operations.conventions.blocks.PROVIDERS` names them).

Each provider takes a convention and returns a block **table** (see `operations.conventions.blocks`), in a fixed
number of queries whatever the number of rows. `programmes` sits below `operations` and never imports it
(tests/pvd/test_architecture.py): the table is built with `pvd.tables.table` and `render_blocks` titles it.
"""

from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch

from programmes.indicators.models import Indicator, IndicatorTarget
from programmes.models import EngineeringNeed, NeedStatus, OrtSector, RevitalisationProject, Stake
from programmes.selectors.project import project_content, version_in_force
from pvd.charts import format_value
from pvd.money import format_euros
from pvd.tables import table

NO_PROGRAMME = "La convention ne relève d'aucun programme Petites Villes de Demain."


def _programme_id(convention: Any) -> int | None:
    return convention.programme_id


# --- Stakes ---------------------------------------------------------------------------------------------------


def stakes_block(convention: Any) -> dict[str, Any]:
    """The programme's stakes by priority and theme (one query)."""
    columns = [("Enjeu", False), ("Thème", False), ("Commune", False), ("Priorité", False)]
    programme_id = _programme_id(convention)
    if programme_id is None:
        return table("enjeux", columns, [], empty=NO_PROGRAMME)
    stakes = (
        Stake.objects.filter(programme_id=programme_id)
        .select_related("theme", "commune")
        .order_by("priority", "theme__order", "title", "pk")
    )
    rows = [
        (
            f"stake-{stake.pk}",
            [
                stake.title,
                stake.theme.name,
                stake.commune.name if stake.commune_id else "Toutes",
                stake.get_priority_display(),
            ],
        )
        for stake in stakes
    ]
    return table("enjeux", columns, rows, empty="Aucun enjeu n'est encore identifié pour ce programme.")


# --- Axes and objectives of the project in force ---------------------------------------------------------------


def axes_block(convention: Any) -> dict[str, Any]:
    """The axes and operational objectives of the programme's project in force: the validated version (its frozen
    content), else the latest draft (its live rows). One query for the versions, six more for a draft."""
    columns = [("Axe", False), ("Objectif opérationnel", False)]
    programme_id = _programme_id(convention)
    if programme_id is None:
        return table("orientations", columns, [], empty=NO_PROGRAMME)
    versions = list(
        RevitalisationProject.objects.filter(programme_id=programme_id).order_by("-number", "-pk")
    )
    project = version_in_force(versions)
    if project is None:
        return table(
            "orientations", columns, [], empty="Le projet de revitalisation n'est pas encore rédigé."
        )
    content = project_content(project)
    rows: list[tuple[str, list[object]]] = []
    for position, axis in enumerate(content.get("axes", []), start=1):
        axis_key = axis.get("id") or position
        axis_label = f"Axe {axis.get('order', position)} — {axis['title']}"
        objectives = axis.get("objectives", [])
        if not objectives:
            rows.append((f"axis-{axis_key}", [axis_label, "—"]))
        for rank, objective in enumerate(objectives, start=1):
            objective_key = objective.get("id") or f"{axis_key}-{rank}"
            rows.append((f"objective-{objective_key}", [axis_label, objective["title"]]))
    validated = project.status == RevitalisationProject.Status.VALIDATED
    note = (
        f"Projet de revitalisation, version {project.number} validée le {project.validated_on:%d/%m/%Y}."
        if validated and project.validated_on
        else f"Projet de revitalisation, version {project.number} ({project.get_status_display().lower()}) : "
        "non encore validée."
    )
    return table(
        "orientations", columns, rows, empty="Le projet de revitalisation n'a pas encore d'axe.", note=note
    )


# --- Engineering needs ---------------------------------------------------------------------------------------


def needs_block(convention: Any) -> dict[str, Any]:
    """The programme's engineering needs with the offer (and its partner) mobilised; dropped needs left out
    (one query)."""
    columns = [
        ("Besoin", False),
        ("Thème", False),
        ("Commune", False),
        ("Nature", False),
        ("Statut", False),
        ("Coût estimé HT", True),
        ("Offre et partenaire", False),
    ]
    programme_id = _programme_id(convention)
    if programme_id is None:
        return table("ingenierie", columns, [], empty=NO_PROGRAMME)
    needs = list(
        EngineeringNeed.objects.filter(programme_id=programme_id)
        .exclude(status=NeedStatus.DROPPED)
        .select_related("theme", "commune", "offer__organisation")
        .order_by("theme__order", "title", "pk")
    )
    rows = [
        (
            f"need-{need.pk}",
            [
                need.title,
                need.theme.name,
                need.commune.name if need.commune_id else "Toutes",
                need.get_kind_display(),
                need.get_status_display(),
                format_euros(need.estimated_cost_ht) if need.estimated_cost_ht is not None else "—",
                f"{need.offer.name} ({need.offer.organisation.name})" if need.offer_id else "—",
            ],
        )
        for need in needs
    ]
    total = sum(
        (need.estimated_cost_ht for need in needs if need.estimated_cost_ht is not None), Decimal("0.00")
    )
    return table(
        "ingenierie",
        columns,
        rows,
        footer=["Total", "", "", "", "", format_euros(total), ""] if rows else [],
        empty="Aucun besoin d'ingénierie n'est recensé pour ce programme.",
        note="Besoins abandonnés exclus ; coûts estimés hors taxes.",
    )


# --- ORT perimeters ------------------------------------------------------------------------------------------


def ort_sectors_block(convention: Any) -> dict[str, Any]:
    """The ORT's secteurs d'intervention (one query)."""
    columns = [("Secteur", False), ("Commune", False), ("Centre-ville", False), ("Délimitation", False)]
    programme_id = _programme_id(convention)
    if programme_id is None:
        return table("perimetres_ort", columns, [], empty=NO_PROGRAMME)
    sectors = (
        OrtSector.objects.filter(programme_id=programme_id)
        .select_related("commune")
        .order_by("order", "name", "pk")
    )
    rows = [
        (
            f"ort-sector-{sector.pk}",
            [sector.name, sector.commune.name, "Oui" if sector.is_town_centre else "Non", sector.description],
        )
        for sector in sectors
    ]
    return table(
        "perimetres_ort", columns, rows, empty="Aucun secteur d'intervention ORT n'est encore délimité."
    )


# --- Indicators (issue 10) -----------------------------------------------------------------------------------


def _indicator_value(value: Decimal, unit: str) -> str:
    return format_value(value, unit)


def indicators_block(convention: Any) -> dict[str, Any]:
    """The programme's indicators followed (archived ones left out): name, commune, unit, baseline (état zéro) and
    the target of the last year that has one (two queries: the indicators, their targets)."""
    columns = [
        ("Indicateur", False),
        ("Commune", False),
        ("Unité", False),
        ("État zéro", False),
        ("Cible", False),
    ]
    programme_id = _programme_id(convention)
    if programme_id is None:
        return table("indicateurs", columns, [], empty=NO_PROGRAMME)
    indicators = (
        Indicator.objects.filter(programme_id=programme_id, archived=False)
        .select_related("commune")
        .prefetch_related(Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")))
        .order_by(F("commune__name").asc(nulls_first=True), "name", "pk")
    )
    rows = []
    for indicator in indicators:
        baseline = (
            f"{_indicator_value(indicator.baseline_value, indicator.unit)} au {indicator.baseline_on:%d/%m/%Y}"
            if indicator.baseline_on is not None and indicator.baseline_value is not None
            else "—"
        )
        targets = list(indicator.targets.all())
        last = targets[-1] if targets else None
        target = f"{_indicator_value(last.value, indicator.unit)} en {last.year}" if last else "—"
        rows.append(
            (
                f"indicator-{indicator.pk}",
                [
                    indicator.name,
                    indicator.commune.name if indicator.commune_id else "Tout le programme",
                    indicator.unit,
                    baseline,
                    target,
                ],
            )
        )
    return table(
        "indicateurs",
        columns,
        rows,
        empty="Aucun indicateur de suivi n'est encore défini pour ce programme.",
        note="État zéro : valeur de référence et sa date ; cible : celle de la dernière année fixée.",
    )
