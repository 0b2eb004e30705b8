"""Demo data of the operations app: the OPAH-RU of Saint-Dizier and the intercommunal PIG."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from operations.models import (
    HousingProgramme,
    HousingProgrammeKind,
    Operation,
    Phase,
    PhaseTemplate,
    ProgressReport,
    Risk,
    RiskStatus,
)
from partners.models import Organisation, Theme
from pvd.accounts.models import User
from pvd.upsert import upsert

if TYPE_CHECKING:
    from programmes.models import Programme


def load(orgs: dict[str, Organisation]) -> dict[str, HousingProgramme]:
    opah_ru, _ = upsert(
        HousingProgramme,
        name="OPAH-RU du centre-ville de Saint-Dizier 2021-2026",
        defaults={
            "kind": HousingProgrammeKind.OPAH_RU,
            "owner": orgs["saint_dizier"],
            "operator": orgs["operator"],
            "starts_on": datetime.date(2021, 7, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    opah_ru.communes.set([orgs["saint_dizier"]])
    pig, _ = upsert(
        HousingProgramme,
        name="PIG intercommunal « Habiter mieux le Grand Saint-Dizier »",
        defaults={
            "kind": HousingProgrammeKind.PIG,
            "owner": orgs["epci"],
            "operator": orgs["operator"],
            "starts_on": datetime.date(2022, 1, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    pig.communes.set(Organisation.objects.communes().filter(epci=orgs["epci"]))
    return {"opah_ru": opah_ru, "pig": pig}


# --- The action plan (issue 4) ---------------------------------------------------------------------------
# ~25 illustrative operations (not the real action plan) of Wassy (W-), La Porte du Der (LPD-) and both
# (PVD-), at every stage. Phases follow the standard sequence (PhaseTemplate) from a start date; `slip`
# delays the phases from one of them on (a late operation, with its reason). Dates are fixed, so the demo
# reads the same every day of late 2026 and a second load changes nothing.

DEMO_MANAGER_EMAIL = "cheffe-de-projet@pvd.example"
TODAY = datetime.date(2026, 11, 28)

# code, title, communes, themes, owner, status, cost HT, in ORT, priority, first phase starts, phases (how
# many of the standard sequence, from the first), slip: (from phase index, days, reason) or None
OPERATIONS = [
    ("W-01", "Requalification de la place Notre-Dame", ["wassy"], ["espaces-publics", "patrimoine"], "wassy",
     "works", "1450000", True, 1, (2022, 9, 1), 6, (4, 75, "Appel d'offres du lot VRD infructueux, relancé en procédure adaptée.")),
    ("W-02", "Réhabilitation de la halle de Wassy en halle gourmande", ["wassy"], ["commerce", "patrimoine"], "wassy",
     "committed", "980000", True, 1, (2023, 10, 2), 6, (2, 60, "Diagnostic structure de la charpente à reprendre.")),
    ("W-03", "Maison de santé pluriprofessionnelle", ["wassy"], ["commerce", "transversal"], "wassy",
     "works", "2300000", True, 1, (2022, 3, 1), 6, None),
    ("W-04", "Ravalement de façades du centre ancien (campagne incitative)", ["wassy"], ["habitat", "patrimoine"], "wassy",
     "committed", "250000", True, 2, (2024, 1, 8), 3, None),
    ("W-05", "Reconversion de la friche industrielle de la rue du Moulin", ["wassy"], ["transition-ecologique", "habitat"], "epci",
     "mature", "3100000", True, 1, (2025, 2, 3), 3, (0, 120, "Pollution des sols plus étendue que prévu : étude complémentaire.")),
    ("W-06", "Tiers-lieu numérique de l'ancienne poste", ["wassy"], ["numerique", "participation"], "wassy",
     "delivered", "420000", True, 2, (2022, 1, 10), 6, None),
    ("W-07", "Rénovation énergétique de l'école élémentaire", ["wassy"], ["transition-ecologique"], "wassy",
     "works", "1150000", False, 1, (2023, 4, 3), 6, None),
    ("W-08", "Boutiques à l'essai de la rue principale", ["wassy"], ["commerce"], "wassy",
     "committed", "90000", True, 2, (2025, 6, 2), 2, None),
    ("W-09", "Parcours patrimonial du massacre de Wassy (1562)", ["wassy"], ["patrimoine", "tourisme", "culture"], "wassy",
     "idea", "180000", True, 3, (2027, 3, 1), 2, None),
    ("W-10", "Requalification des abords du lac-réservoir des Leschères", ["wassy"], ["tourisme", "transition-ecologique"], "wassy",
     "idea", "600000", False, 3, (2027, 9, 1), 2, None),
    ("LPD-01", "Requalification de la place de l'Hôtel de Ville de Montier-en-Der", ["la_porte_du_der"], ["espaces-publics"], "la_porte_du_der",
     "works", "1200000", True, 1, (2023, 1, 9), 6, (4, 45, "Intempéries de l'hiver et découverte archéologique.")),
    ("LPD-02", "Halle du marché de Montier-en-Der", ["la_porte_du_der"], ["commerce"], "la_porte_du_der",
     "committed", "760000", True, 1, (2024, 3, 4), 6, None),
    ("LPD-03", "Maison de santé de La Porte du Der (extension)", ["la_porte_du_der"], ["commerce", "transversal"], "la_porte_du_der",
     "mature", "850000", True, 2, (2025, 9, 1), 4, None),
    ("LPD-04", "Ravalement de façades de la Grande Rue", ["la_porte_du_der"], ["habitat", "patrimoine"], "la_porte_du_der",
     "committed", "150000", True, 2, (2024, 9, 2), 3, (1, 90, "Peu de propriétaires mobilisés : règlement d'aide revu.")),
    ("LPD-05", "Tiers-lieu et espace France Services", ["la_porte_du_der"], ["numerique", "commerce"], "la_porte_du_der",
     "delivered", "540000", True, 1, (2021, 11, 2), 6, None),
    ("LPD-06", "Rénovation énergétique du groupe scolaire", ["la_porte_du_der"], ["transition-ecologique"], "la_porte_du_der",
     "committed", "1400000", False, 1, (2024, 5, 6), 6, (2, 150, "Recours d'un candidat sur le marché de maîtrise d'œuvre.")),
    ("LPD-07", "Mise en valeur du Haras national et de l'abbatiale", ["la_porte_du_der"], ["patrimoine", "tourisme"], "la_porte_du_der",
     "idea", "950000", True, 2, (2027, 1, 4), 2, None),
    ("LPD-08", "Signalétique patrimoniale du centre-bourg", ["la_porte_du_der"], ["patrimoine", "tourisme"], "la_porte_du_der",
     "closed", "65000", True, 3, (2022, 2, 1), 4, None),
    ("LPD-09", "Réhabilitation de logements communaux vacants", ["la_porte_du_der"], ["habitat"], "la_porte_du_der",
     "suspended", "480000", True, 2, (2024, 2, 5), 4, (1, 200, "Suspendue dans l'attente de l'accord de l'EPF Grand Est.")),
    ("PVD-01", "Vélo-route du lac du Der entre Wassy et Montier-en-Der", ["wassy", "la_porte_du_der"], ["mobilite", "tourisme"], "epci",
     "works", "2600000", False, 1, (2022, 6, 1), 6, (3, 100, "Acquisitions foncières plus longues que prévu (deux expropriations).")),
    ("PVD-02", "OPAH-RU des centres-bourgs de Wassy et Montier-en-Der", ["wassy", "la_porte_du_der"], ["habitat"], "epci",
     "committed", "1800000", True, 1, (2023, 1, 2), 3, None),
    ("PVD-03", "Signalétique patrimoniale commune aux deux bourgs", ["wassy", "la_porte_du_der"], ["patrimoine", "tourisme"], "epci",
     "mature", "120000", True, 3, (2026, 3, 2), 3, None),
    ("PVD-04", "Étude de revitalisation commerciale et manager de centre-ville", ["wassy", "la_porte_du_der"], ["commerce"], "epci",
     "delivered", "110000", True, 2, (2021, 12, 1), 2, None),
    ("PVD-05", "Plateforme de covoiturage et aires de mobilité", ["wassy", "la_porte_du_der"], ["mobilite", "transition-ecologique"], "epci",
     "abandoned", "75000", False, 3, (2023, 5, 1), 2, None),
    ("PVD-06", "Budget participatif des centres-bourgs", ["wassy", "la_porte_du_der"], ["participation"], "epci",
     "idea", "60000", False, 3, (2027, 2, 1), 2, None),
]  # fmt: skip

# code: [(date, weather, text)]
REPORTS = {
    "W-01": [
        (
            (2026, 10, 6),
            "late",
            "Lot VRD attribué après relance ; démarrage des terrassements décalé de deux mois et demi.",
        ),
        (
            (2026, 11, 17),
            "at_risk",
            "Réseaux d'eau pluviale en plus mauvais état que prévu ; avenant en préparation.",
        ),
    ],
    "W-03": [
        (
            (2026, 11, 3),
            "on_track",
            "Clos couvert atteint ; second œuvre en cours, ouverture visée au printemps.",
        )
    ],
    "W-07": [
        (
            (2026, 9, 2),
            "on_track",
            "Isolation par l'extérieur réalisée pendant l'été ; chaufferie bois en cours.",
        )
    ],
    "LPD-01": [
        ((2026, 10, 20), "late", "Fouilles préventives sur le parvis : trois semaines d'arrêt de chantier.")
    ],
    "LPD-06": [
        (
            (2026, 11, 12),
            "blocked",
            "Recours en référé précontractuel : consultation de maîtrise d'œuvre gelée.",
        )
    ],
    "PVD-01": [
        (
            (2026, 6, 15),
            "at_risk",
            "Deux parcelles restent à acquérir ; déclaration d'utilité publique engagée.",
        ),
        ((2026, 11, 5), "late", "Tronçon Wassy – Ceffonds ouvert ; tronçon du lac reporté à l'été 2027."),
    ],
    "PVD-02": [
        ((2026, 10, 1), "on_track", "42 dossiers de propriétaires déposés depuis le début de l'OPAH-RU.")
    ],
}

# code: [(kind, description, level, owner, mitigation, status)]
RISKS = {
    "W-01": [
        (
            "risk",
            "Dépassement du coût des travaux de réseaux",
            3,
            "Services techniques de Wassy",
            "Provision pour aléas portée à 8 % ; avenant plafonné.",
            "open",
        )
    ],
    "W-05": [
        (
            "risk",
            "Coût de dépollution incompatible avec le bilan de l'opération",
            4,
            "Cheffe de projet PVD",
            "Dossier au Fonds vert (recyclage foncier) ; phasage de la reconversion.",
            "open",
        )
    ],
    "LPD-06": [
        (
            "difficulty",
            "Recours d'un candidat évincé sur le marché de maîtrise d'œuvre",
            4,
            "Commune de La Porte du Der",
            (
                "Relance de la consultation envisagée ; arbitrage du comité de projet "
                "demandé sur le calendrier et le financement."
            ),
            "escalated",
        )
    ],
    "PVD-01": [
        (
            "risk",
            "Retard des acquisitions foncières du tronçon du lac",
            2,
            "Agglomération",
            "Procédure d'expropriation engagée en parallèle de l'amiable.",
            "mitigated",
        )
    ],
}
ESCALATED_ON = datetime.date(2026, 11, 14)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def _phase_dates(
    start: datetime.date, months: int, shift: int, today: datetime.date
) -> tuple[dict[str, object], datetime.date]:
    """Baseline from `start` for `months`; actual or forecast dates shifted by `shift` days."""
    end = _add_months(start, months) - datetime.timedelta(days=1)
    real_start, real_end = start + datetime.timedelta(days=shift), end + datetime.timedelta(days=shift)
    values: dict[str, object] = {
        "baseline_start": start,
        "baseline_end": end,
        "forecast_start": None,
        "forecast_end": None,
        "actual_start": None,
        "actual_end": None,
        "progress": Decimal(0),
    }
    if real_end < today:
        values.update(actual_start=real_start, actual_end=real_end, progress=Decimal(1))
    elif real_start <= today:
        elapsed = Decimal((today - real_start).days) / Decimal((real_end - real_start).days + 1)
        values.update(
            actual_start=real_start, forecast_end=real_end, progress=elapsed.quantize(Decimal("0.01"))
        )
    elif shift:
        values.update(forecast_start=real_start, forecast_end=real_end)
    return values, _add_months(start, months)


def _place_in_project(programme: "Programme"):
    """The axis and objective of the validated project an operation serves: the axis sharing the most of its
    themes (a tie goes to the axis of its first theme, then to the project's order), and that axis's objective
    sharing most; none when no axis shares a theme."""
    axes = []
    project = programme.projects.filter(status="validated").order_by("-number").first()
    if project is not None:
        for axis in project.axes.prefetch_related("themes", "objectives__themes").order_by("order", "pk"):
            objectives = [
                (o, {t.code for t in o.themes.all()}) for o in axis.objectives.order_by("order", "pk")
            ]
            axes.append((axis, {t.code for t in axis.themes.all()}, objectives))

    def best[T](candidates: list[tuple[T, set[str]]], theme_codes: list[str]) -> T | None:
        def rank(item: tuple[int, tuple[T, set[str]]]) -> tuple[int, int, int]:
            order, (_, themes) = item
            first = min((theme_codes.index(code) for code in themes if code in theme_codes), default=99)
            return (-len(themes & set(theme_codes)), first, order)

        scored = [item for item in enumerate(candidates) if item[1][1] & set(theme_codes)]
        return min(scored, key=rank)[1][0] if scored else None

    def place(theme_codes: list[str]) -> dict[str, object]:
        axis = best([(a, themes) for a, themes, _ in axes], theme_codes)
        if axis is None:
            return {"axis": None, "objective": None}
        objectives = next(objectives for a, _, objectives in axes if a == axis)
        return {"axis": axis, "objective": best(objectives, theme_codes)}

    return place


def load_operations(programme: "Programme", orgs: dict[str, Organisation]) -> list[Operation]:
    """The demo action plan, idempotent (pvd.upsert). Needs the demo manager's account (journal author)."""
    manager = User.objects.get(email=DEMO_MANAGER_EMAIL)
    themes = {theme.code: theme for theme in Theme.objects.all()}
    templates = list(PhaseTemplate.objects.order_by("order", "pk"))
    place_in_project = _place_in_project(programme)
    operations = []
    for (
        code,
        title,
        communes,
        theme_codes,
        owner,
        status,
        cost,
        in_ort,
        priority,
        start,
        count,
        slip,
    ) in OPERATIONS:
        ht = Decimal(cost)
        operation, _ = upsert(
            Operation,
            programme=programme,
            code=code,
            defaults={
                "title": title,
                "owner": orgs[owner],
                "status": status,
                "estimated_cost_ht": ht,
                "estimated_cost_ttc": (ht * Decimal("1.2")).quantize(Decimal("0.01")),
                "in_ort": in_ort,
                "ort_sector": "Centre-bourg" if in_ort else "",
                "priority": priority,
                "maturity": {"idea": 1, "mature": 4}.get(status, 4),
                "technician_in_charge": manager,
                "description": f"{title} : fiche-action du programme Petites Villes de Demain (démo).",
                **place_in_project(theme_codes),
            },
        )
        _set_m2m(operation.communes, [orgs[key] for key in communes])
        _set_m2m(operation.themes, [themes[key] for key in theme_codes if key in themes])
        _load_phases(operation, templates[:count], datetime.date(*start), slip)
        for day, weather, text in REPORTS.get(code, []):
            upsert(
                ProgressReport,
                operation=operation,
                reported_on=datetime.date(*day),
                defaults={"author": manager, "weather": weather, "text": text},
            )
        for kind, description, level, owner_name, mitigation, risk_status in RISKS.get(code, []):
            escalated = risk_status == RiskStatus.ESCALATED
            upsert(
                Risk,
                operation=operation,
                description=description,
                defaults={
                    "kind": kind,
                    "level": level,
                    "owner": owner_name,
                    "mitigation": mitigation,
                    "status": risk_status,
                    "escalated_on": ESCALATED_ON if escalated else None,
                    "escalated_by": manager if escalated else None,
                    "escalation_note": "Calendrier et plan de financement à arbitrer." if escalated else "",
                },
            )
        operations.append(operation)
    return operations


def _set_m2m(manager: object, wanted: list[object]) -> None:
    """Set a many-to-many only when it differs: no history row on a second load."""
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in wanted}:  # type: ignore[attr-defined]
        manager.set(wanted)  # type: ignore[attr-defined]


def _load_phases(
    operation: Operation,
    templates: list[PhaseTemplate],
    start: datetime.date,
    slip: tuple[int, int, str] | None,
) -> None:
    for index, template in enumerate(templates):
        shift = slip[1] if slip and index >= slip[0] else 0
        values, start = _phase_dates(start, template.typical_months, shift, TODAY)
        if operation.status in {"delivered", "closed"}:  # finished: every phase done, as planned or slipped
            values.update(progress=Decimal(1))
            values["actual_start"] = values["actual_start"] or values["baseline_start"]
            values["actual_end"] = values["actual_end"] or values["forecast_end"] or values["baseline_end"]
            values["forecast_end"] = None
        # Created once, never rewritten on a reload: the plan may have moved since (an arbitration implemented in the
        # governance demo shifts phases, and its history says why).
        Phase.objects.get_or_create(
            operation=operation,
            order=index + 1,
            defaults={
                "name": template.name,
                "weight": template.weight,
                "slip_reason": slip[2] if slip and index == slip[0] else "",
                **values,
            },
        )
