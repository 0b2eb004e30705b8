"""Demo of the governance (issue 8, H7): the bodies of the Wassy / La Porte du Der programme with their members,
a past comité de projet (held, attendance, minutes, decisions per item with a vote), a past COTECH, the upcoming
comité de projet and COTECH with their agenda, two past arbitrations (one approved by the élu référent, one
rejected by the comité de projet) and one awaiting the referent (the halle de Wassy, three options), then one run
of the alerts engine so the alerts list is not empty.

It goes through the services (bodies, meetings and agenda of H1, minutes and decisions of H2, the arbitration
workflow of H3 — whose decision freezes the note with H4's computed impact —, H4's options and the implementation of
the approved one, and the alerts engine of H5), so the demo follows the same rules as the pages. The services stamp « now »: the past transitions are then dated back to the day they
happened (submission, decision, their StatusChange), as the budget demo dates its subsidy chains.

Dates are fixed around 01/12/2026 (operations/demo.py and budget/demo.py use 28/11/2026); an upcoming meeting whose
fixed date has passed when the demo loads is moved to the weeks after today. Idempotent: once the comité de projet
exists, a second load changes nothing.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from budget.models import FundingCategory, SubsidyRequest
from operations.models import HousingProgramme, Operation
from partners.models import Offer, Organisation, Person
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.governance.alerts.engine import refresh_programme
from pvd.governance.models import (
    AgendaItemSource,
    Arbitration,
    ArbitrationOption,
    ArbitrationOutcome,
    ArbitrationSource,
    Attendance,
    AttendanceStatus,
    Committee,
    CommitteeKind,
    DecisionLevel,
    FinancingChangeAction,
    Frequency,
    Meeting,
    MeetingStatus,
    VoteKind,
)
from pvd.governance.services import arbitrations as arbitration_services
from pvd.governance.services import committees as committee_services
from pvd.governance.services import decisions as decision_services
from pvd.governance.services import meetings as meeting_services
from pvd.governance.services import minutes as minutes_services
from pvd.governance.services import options as option_services
from pvd.models import StatusChange

PARIS = ZoneInfo(settings.TIME_ZONE)
PROGRAMME_START = datetime.date(2021, 6, 1)
MANDATE_START = datetime.date(2026, 3, 28)  # mayors elected after the municipal elections of March 2026
COUNCIL_START = datetime.date(2026, 4, 14)  # the community council's president and vice-presidents
PROJECT_COMMITTEE = "Comité de projet Petites Villes de Demain Wassy – La Porte du Der"
MAIRIE_WASSY = "Mairie de Wassy, salle du conseil municipal, 1 place Notre-Dame, 52130 Wassy"
AGGLO = "Hôtel communautaire, 41 rue du Général Sarrail, 52100 Saint-Dizier"


def _at(year: int, month: int, day: int, hour: int = 14, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _upcoming(fixed: datetime.datetime, days_after_today: int) -> datetime.datetime:
    """The fixed date of an upcoming meeting, or the same hour `days_after_today` days from today once it passed."""
    if fixed > timezone.now():
        return fixed
    day = timezone.localdate() + datetime.timedelta(days=days_after_today)
    return datetime.datetime.combine(day, fixed.timetz())


def _person(last_name: str, first_name: str) -> Person:
    return Person.objects.get(last_name=last_name, first_name=first_name)


def load(programme: Programme, orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    if Committee.objects.filter(programme=programme).exists():
        return
    manager, referent = users["cheffe-de-projet"], users["elu-referent"]
    operations = {op.code: op for op in Operation.objects.filter(programme=programme)}
    bodies = _load_committees(programme, orgs, manager)
    rejected = _rejected_arbitration(programme, bodies, operations, manager)
    _past_project_committee(bodies, operations, rejected, manager)
    _past_cotech(bodies, operations, manager)
    _approved_arbitration(programme, operations, manager, referent)
    pending = _pending_arbitration(programme, orgs, operations, manager)
    _upcoming_meetings(bodies, operations, pending, manager)
    now = timezone.now()
    refresh_programme(programme=programme, day=timezone.localdate(now), now=now)


# --- Bodies and members -------------------------------------------------------------------------------------------


def _load_committees(programme: Programme, orgs: dict[str, Organisation], by: User) -> dict[str, Committee]:
    opah = HousingProgramme.objects.get(programme=programme)  # the programme's OPAH-RU (PVD-02)
    prefecture = orgs["Préfecture de la Haute-Marne"]
    ddt = orgs["Direction départementale des territoires de la Haute-Marne"]
    anct = orgs["Agence nationale de la cohésion des territoires (ANCT)"]
    bdt = orgs["Banque des Territoires"]
    region = orgs["Région Grand Est"]
    department = orgs["Département de la Haute-Marne"]
    caue = orgs["CAUE de la Haute-Marne"]
    girard, collin = _person("Girard", "Hélène"), _person("Collin", "Thierry")
    lefevre, lecomte = _person("Lefèvre", "Jean-Marc"), _person("Lecomte", "Bernard")
    martin, dubois = _person("Martin", "Camille"), _person("Dubois", "Claire")
    benali, roche = _person("Benali", "Karim"), _person("Roche", "Émilie")
    aubert, lemoine = _person("Aubert", "Sophie"), _person("Lemoine", "Anne")
    renaud, mercier = _person("Renaud", "Sophie"), _person("Mercier", "Olivier")
    fontaine = _person("Fontaine", "Nadia")

    specs = {
        "project": (
            {
                "kind": CommitteeKind.PROJECT_COMMITTEE,
                "name": PROJECT_COMMITTEE,
                "frequency": Frequency.QUARTERLY,
                "role": (
                    "Valide la stratégie et le plan d'actions de la convention-cadre valant ORT, suit leur "
                    "avancement et rend les arbitrages qui lui sont soumis. Présidé par l'élu référent de "
                    "l'agglomération, en présence de la sous-préfète de Saint-Dizier."
                ),
            },
            [
                (
                    lefevre,
                    orgs["epci"],
                    "Vice-président délégué à l'habitat, élu référent PVD, président",
                    True,
                    COUNCIL_START,
                ),
                (girard, orgs["wassy"], "Maire de Wassy", True, MANDATE_START),
                (collin, orgs["la_porte_du_der"], "Maire de La Porte du Der", True, MANDATE_START),
                (dubois, prefecture, "Sous-préfète de Saint-Dizier, référente PVD", True, PROGRAMME_START),
                (None, anct, "Chef de projet territorial de l'ANCT", True, PROGRAMME_START),
                (roche, bdt, "Chargée de développement territorial", True, PROGRAMME_START),
                (benali, orgs["anah"], "Délégation locale de l'Anah (DDT 52)", True, PROGRAMME_START),
                (None, department, "Direction de l'attractivité et des territoires", True, PROGRAMME_START),
                (aubert, region, "Chargée de mission territoriale", True, PROGRAMME_START),
                (lemoine, caue, "Architecte conseillère (avis)", False, PROGRAMME_START),
                (
                    martin,
                    orgs["epci"],
                    "Cheffe de projet PVD, secrétariat du comité",
                    False,
                    datetime.date(2022, 4, 1),
                ),
            ],
        ),
        "copil": (
            {
                "kind": CommitteeKind.COPIL,
                "name": "COPIL de l'OPAH-RU des centres-bourgs de Wassy et Montier-en-Der",
                "housing_programme": opah,
                "frequency": Frequency.HALF_YEARLY,
                "role": "Fixe les objectifs annuels de l'OPAH-RU, examine le bilan de l'opérateur, ajuste les enveloppes.",
            },
            [
                (lefevre, orgs["epci"], "Président", True, COUNCIL_START),
                (girard, orgs["wassy"], "Maire de Wassy", True, MANDATE_START),
                (collin, orgs["la_porte_du_der"], "Maire de La Porte du Der", True, MANDATE_START),
                (benali, orgs["anah"], "Délégation locale de l'Anah (DDT 52)", True, PROGRAMME_START),
                (None, department, "Financeur", True, PROGRAMME_START),
                (roche, bdt, "Financeur", True, PROGRAMME_START),
                (renaud, orgs["operator"], "Opérateur de suivi-animation", False, PROGRAMME_START),
                (martin, orgs["epci"], "Cheffe de projet PVD", False, datetime.date(2022, 4, 1)),
            ],
        ),
        "cotech": (
            {
                "kind": CommitteeKind.COTECH,
                "name": "COTECH de l'OPAH-RU et des opérations PVD",
                "housing_programme": opah,
                "frequency": Frequency.BIMONTHLY,
                "role": "Suivi opérationnel des dossiers et des opérations, préparation des comités de projet.",
            },
            [
                (martin, orgs["epci"], "Cheffe de projet PVD, animatrice", True, datetime.date(2022, 4, 1)),
                (renaud, orgs["operator"], "Opératrice de suivi-animation", True, PROGRAMME_START),
                (benali, ddt, "DDT de la Haute-Marne, service habitat", True, PROGRAMME_START),
                (mercier, orgs["wassy"], "Directeur général des services de Wassy", True, PROGRAMME_START),
                (
                    fontaine,
                    orgs["la_porte_du_der"],
                    "Adjointe à l'urbanisme de La Porte du Der",
                    True,
                    MANDATE_START,
                ),
                (lemoine, caue, "Architecte conseillère", False, PROGRAMME_START),
            ],
        ),
        "bureau": (
            {
                "kind": CommitteeKind.BUREAU,
                "name": "Bureau communautaire de l'agglomération",
                "organisation": orgs["epci"],
                "frequency": Frequency.MONTHLY,
                "role": "Délibère par délégation du conseil communautaire (CGCT L5211-10) et rend compte au conseil.",
            },
            [
                (lecomte, orgs["epci"], "Président de l'agglomération", True, COUNCIL_START),
                (lefevre, orgs["epci"], "Vice-président délégué à l'habitat", True, COUNCIL_START),
            ],
        ),
        "cao": (
            {
                "kind": CommitteeKind.CAO,
                "name": "Commission d'appel d'offres de Wassy",
                "organisation": orgs["wassy"],
                "frequency": Frequency.AS_NEEDED,
                "role": "Attribue les marchés en procédure formalisée ; avis sur les avenants de plus de 5 %.",
            },
            [
                (girard, orgs["wassy"], "Présidente", True, MANDATE_START),
                (
                    mercier,
                    orgs["wassy"],
                    "Directeur général des services (voix consultative)",
                    False,
                    PROGRAMME_START,
                ),
            ],
        ),
    }
    bodies = {}
    for key, (fields, members) in specs.items():
        committee = committee_services.committee_create(by=by, programme=programme, **fields)
        for person, organisation, role, voting, since in members:
            committee_services.member_create(
                committee=committee,
                by=by,
                person=person,
                organisation=organisation,
                role=role,
                voting=voting,
                valid_from=since,
            )
        bodies[key] = committee
    return bodies


# --- Meetings -----------------------------------------------------------------------------------------------------


def _meeting(committee: Committee, by: User, *, status: str, items: list[dict], **fields: object) -> Meeting:
    meeting = meeting_services.meeting_create(committee=committee, by=by, status=status, **fields)
    for item in items:
        meeting_services.agenda_item_create(meeting=meeting, by=by, **item)
    meeting_services.attendance_prefill(meeting=meeting, by=by)
    return meeting


def _attendance(meeting: Meeting, by: User, statuses: dict[str, str], default: str) -> None:
    """Record who came: `statuses` by attendee name, the others `default`."""
    rows = [
        {"attendance": a, "version": a.version, "status": statuses.get(a.name, default), "email": a.email}
        for a in Attendance.objects.filter(meeting=meeting).order_by("pk")
    ]
    meeting_services.attendance_save(meeting=meeting, rows=rows, new=None, by=by)


def _items(meeting: Meeting) -> list:
    return list(meeting.items.order_by("order", "pk"))


PROJECT_COMMITTEE_MINUTES = """\
<h3>Ouverture</h3>
<p>Jean-Marc Lefèvre, élu référent, ouvre la séance à 14 h 30 et remercie Mme la sous-préfète de sa présence. \
Le quorum est atteint (8 membres à voix délibérative présents ou représentés sur 9) ; l'ANCT est excusée.</p>
<h3>1. Avancement du plan d'actions</h3>
<p>Camille Martin présente l'avancement : <strong>la maison de santé de Wassy (W-03)</strong> et la place \
Notre-Dame (W-01) sont en travaux ; le lot VRD de la place, infructueux, a été relancé en procédure adaptée.</p>
<ul>
<li>La halle de Wassy (W-02) : le diagnostic de la charpente relève le coût de 60 000 € HT ; un arbitrage sera \
préparé.</li>
<li>La Porte du Der : la place de l'Hôtel de Ville (LPD-01) entre en consultation de travaux.</li>
</ul>
<h3>2. Arbitrage ARB-2026-001 — boutiques à l'essai</h3>
<p>Le comité estime prématuré d'étendre le dispositif avant le bilan de la première année et rejette la note.</p>
<h3>3. Demande DSIL 2026 pour la halle gourmande</h3>
<p>Le plan de financement présenté est validé à l'unanimité, sous réserve de la délibération du conseil municipal.</p>
<h3>4. Étude pré-opérationnelle de l'OPAH-RU</h3>
<p>Le comité approuve le lancement de l'étude (une abstention : le Département souhaite en revoir le périmètre au \
COPIL).</p>
<p>Prochain comité de projet : mi-décembre 2026, à l'hôtel communautaire.</p>
"""


def _past_project_committee(
    bodies: dict[str, Committee], operations: dict[str, Operation], rejected: Arbitration, by: User
) -> Meeting:
    meeting = _meeting(
        bodies["project"],
        by,
        status=MeetingStatus.HELD,
        starts_at=_at(2026, 10, 8, 14, 30),
        ends_at=_at(2026, 10, 8, 17, 0),
        place=MAIRIE_WASSY,
        purpose="Comité de projet du 2e semestre : avancement, arbitrages, financements 2026.",
        items=[
            {
                "title": "Avancement du plan d'actions",
                "source": AgendaItemSource.MANUAL,
                "description": "Point de situation des 25 fiches-actions, retards et difficultés.",
            },
            {
                "title": "Arbitrage : extension des boutiques à l'essai",
                "source": AgendaItemSource.ARBITRATION,
                "arbitration": rejected,
                "operation": operations["W-08"],
            },
            {
                "title": "Plan de financement de la halle gourmande : demande DSIL 2026",
                "source": AgendaItemSource.MANUAL,
                "operation": operations["W-02"],
            },
            {
                "title": "Lancement de l'étude pré-opérationnelle de l'OPAH-RU",
                "source": AgendaItemSource.MANUAL,
                "operation": operations["PVD-02"],
            },
        ],
    )
    _attendance(
        meeting,
        by,
        {
            "Agence nationale de la cohésion des territoires (ANCT)": AttendanceStatus.EXCUSED,
            "Émilie Roche": AttendanceStatus.REPRESENTED,
        },
        AttendanceStatus.PRESENT,
    )
    meeting.refresh_from_db()
    minutes_services.minutes_update(
        meeting=meeting, expected_version=meeting.version, by=by, minutes=PROJECT_COMMITTEE_MINUTES
    )
    progress, _arbitration_item, dsil, opah = _items(meeting)
    decision_services.decision_create(
        item=progress,
        by=by,
        text="Le comité prend acte de l'avancement du plan d'actions et demande un point sur la halle de Wassy au "
        "prochain comité.",
    )
    decision_services.decision_create(
        item=dsil,
        by=by,
        text="Le comité valide le plan de financement de la halle gourmande et le dépôt de la demande DSIL 2026 "
        "(245 000 € HT), sous réserve de la délibération du conseil municipal de Wassy.",
        vote=VoteKind.UNANIMOUS,
        votes_for=8,
        operation=operations["W-02"],
    )
    decision_services.decision_create(
        item=opah,
        by=by,
        text="Le comité approuve le lancement de l'étude pré-opérationnelle de l'OPAH-RU des centres-bourgs ; le "
        "périmètre sera revu en COPIL.",
        vote=VoteKind.MAJORITY,
        votes_for=7,
        votes_against=0,
        abstentions=1,
        operation=operations["PVD-02"],
    )
    arbitration_services.record_body_decision(
        arbitration=rejected,
        by=by,
        meeting=meeting,
        outcome=ArbitrationOutcome.REJECTED,
        comment="Le comité souhaite disposer du bilan de la première année des boutiques à l'essai (printemps "
        "2027) avant d'étendre le dispositif à la rue de l'Église.",
    )
    _date_back(rejected, decided=_at(2026, 10, 8, 17, 0))
    return meeting


def _past_cotech(bodies: dict[str, Committee], operations: dict[str, Operation], by: User) -> Meeting:
    meeting = _meeting(
        bodies["cotech"],
        by,
        status=MeetingStatus.HELD,
        starts_at=_at(2026, 11, 5, 9, 30),
        ends_at=_at(2026, 11, 5, 11, 30),
        place=AGGLO,
        purpose="Suivi des opérations et préparation du comité de projet de décembre.",
        items=[
            {
                "title": "Cahier des charges de l'étude pré-opérationnelle de l'OPAH-RU",
                "source": AgendaItemSource.MANUAL,
                "operation": operations["PVD-02"],
            },
            {
                "title": "Halle de Wassy : options de financement du surcoût de la charpente",
                "source": AgendaItemSource.RISK,
                "operation": operations["W-02"],
            },
        ],
    )
    _attendance(meeting, by, {"Anne Lemoine": AttendanceStatus.EXCUSED}, AttendanceStatus.PRESENT)
    meeting.refresh_from_db()
    minutes_services.minutes_update(
        meeting=meeting,
        expected_version=meeting.version,
        by=by,
        minutes=(
            "<p>Le cahier des charges de l'étude est relu ; la DDT demande d'y ajouter un volet copropriétés "
            "fragiles.</p><p>Halle de Wassy : trois options seront présentées à l'élu référent (phasage, "
            "réduction du programme, complément Fonds vert).</p>"
        ),
    )
    study, halle = _items(meeting)
    decision_services.decision_create(
        item=study,
        by=by,
        text="Le cahier des charges est validé avec un volet copropriétés fragiles ; consultation en décembre.",
        operation=operations["PVD-02"],
    )
    decision_services.decision_create(
        item=halle,
        by=by,
        text="Une note d'arbitrage à trois options est préparée pour l'élu référent avant le 15/12/2026.",
        operation=operations["W-02"],
    )
    return meeting


def _upcoming_meetings(
    bodies: dict[str, Committee], operations: dict[str, Operation], pending: Arbitration, by: User
) -> None:
    _meeting(
        bodies["cotech"],
        by,
        status=MeetingStatus.PLANNED,
        starts_at=_upcoming(_at(2026, 12, 8, 9, 30), 7),
        ends_at=_upcoming(_at(2026, 12, 8, 11, 30), 7),
        place=AGGLO,
        purpose="Suivi des dossiers de l'OPAH-RU et des opérations en travaux.",
        items=[
            {
                "title": "Dossiers de l'OPAH-RU et copropriétés fragiles",
                "source": AgendaItemSource.MANUAL,
                "operation": operations["PVD-02"],
            },
            {
                "title": "Place Notre-Dame : relance du lot VRD",
                "source": AgendaItemSource.LATE,
                "operation": operations["W-01"],
            },
            {"title": "Préparation du comité de projet du 15 décembre", "source": AgendaItemSource.MANUAL},
        ],
    )
    _meeting(
        bodies["project"],
        by,
        status=MeetingStatus.PLANNED,
        starts_at=_upcoming(_at(2026, 12, 15, 14, 30), 14),
        ends_at=_upcoming(_at(2026, 12, 15, 17, 0), 14),
        place=AGGLO,
        purpose="Bilan 2026 du programme et perspectives 2027.",
        items=[
            {"title": "Bilan 2026 du plan d'actions et rapport annuel", "source": AgendaItemSource.MANUAL},
            {
                "title": "Halle de Wassy : arbitrage de l'élu référent sur le surcoût",
                "source": AgendaItemSource.ARBITRATION,
                "arbitration": pending,
                "operation": operations["W-02"],
            },
            {
                "title": "Subventions : échéances de démarrage de la DETR de la halle du marché",
                "source": AgendaItemSource.DEADLINE,
                "operation": operations["LPD-02"],
            },
            {"title": "Programmation 2027 et candidatures Fonds vert", "source": AgendaItemSource.MANUAL},
        ],
    )


# --- Arbitrations -------------------------------------------------------------------------------------------------


def _option(
    arbitration: Arbitration, by: User, letter: str, title: str, **fields: object
) -> ArbitrationOption:
    return option_services.option_create(
        arbitration=arbitration, by=by, data={"letter": letter, "title": title, **fields}
    )


def _recommend(arbitration: Arbitration, option: ArbitrationOption, text: str, by: User) -> Arbitration:
    arbitration_services.arbitration_update(
        arbitration=arbitration,
        expected_version=arbitration.version,
        by=by,
        title=arbitration.title,
        context=arbitration.context,
        question=arbitration.question,
        decision_level=arbitration.decision_level,
        committee=arbitration.committee,
        operations=arbitration.operations.all(),
        subsidy_requests=arbitration.subsidy_requests.all(),
        contracts=arbitration.contracts.all(),
        due_on=arbitration.due_on,
        deliberation_needed=arbitration.deliberation_needed,
        recommendation=text,
        recommended_option=option,
        follow_up=arbitration.follow_up,
    )
    return Arbitration.objects.get(pk=arbitration.pk)


def _date_back(
    arbitration: Arbitration,
    *,
    submitted: datetime.datetime | None = None,
    decided: datetime.datetime | None = None,
) -> None:
    """Date a past transition the day it happened (the services stamp « now »)."""
    content_type = ContentType.objects.get_for_model(Arbitration)
    changes = StatusChange.objects.filter(content_type=content_type, object_id=arbitration.pk)
    if submitted is not None:
        Arbitration.objects.filter(pk=arbitration.pk).update(submitted_at=submitted)
        changes.filter(target="submitted").update(at=submitted)
        changes.filter(target="draft").update(at=submitted - datetime.timedelta(days=7))
    if decided is not None:
        Arbitration.objects.filter(pk=arbitration.pk).update(decided_at=decided)
        changes.filter(target="decided").update(at=decided)


def _rejected_arbitration(
    programme: Programme, bodies: dict[str, Committee], operations: dict[str, Operation], by: User
) -> Arbitration:
    w08 = operations["W-08"]
    arbitration = arbitration_services.arbitration_create(
        programme=programme,
        by=by,
        on=datetime.date(2026, 9, 15),
        title="Extension des boutiques à l'essai à la rue de l'Église",
        source=ArbitrationSource.FREE,
        context=(
            "Deux des trois boutiques à l'essai de la rue principale sont occupées depuis le printemps. Les "
            "commerçants de la rue de l'Église demandent l'extension du dispositif à leur rue, où quatre cellules "
            "sont vacantes."
        ),
        question="Faut-il étendre dès 2027 le dispositif des boutiques à l'essai à la rue de l'Église ?",
        decision_level=DecisionLevel.PROJECT_COMMITTEE,
        committee=bodies["project"],
        operations=[w08],
        due_on=datetime.date(2026, 10, 8),
    )
    cost = w08.estimated_cost_ht or Decimal(0)
    extend = _option(
        arbitration,
        by,
        "A",
        "Étendre le dispositif à deux cellules de la rue de l'Église",
        description="Location et aménagement sommaire de deux cellules supplémentaires pendant deux ans.",
        operation=w08,
        new_cost_ht=cost + Decimal("45000.00"),
        new_vat_rate=Decimal("0.2000"),
        risks="Financement du surcoût à la charge de la commune ; bilan de la première année pas encore connu.",
        partner_opinions="Banque des Territoires : favorable à une extension après bilan.",
    )
    _option(
        arbitration,
        by,
        "B",
        "Attendre le bilan de la première année",
        description="Maintenir le périmètre actuel et réexaminer l'extension au printemps 2027.",
        operation=w08,
        risks="Les cellules de la rue de l'Église peuvent trouver preneur hors dispositif, ou rester vacantes.",
    )
    arbitration = _recommend(
        arbitration,
        extend,
        "L'option A répond à une demande des commerçants et entretient la dynamique de la rue principale.",
        by,
    )
    arbitration_services.arbitration_submit(
        arbitration=arbitration, by=by, comment="Inscrit au comité de projet."
    )
    _date_back(arbitration, submitted=_at(2026, 9, 24, 10, 0))
    return Arbitration.objects.get(pk=arbitration.pk)


def _approved_arbitration(
    programme: Programme, operations: dict[str, Operation], manager: User, referent: User
) -> Arbitration:
    pvd03 = operations["PVD-03"]
    arbitration = arbitration_services.arbitration_create(
        programme=programme,
        by=manager,
        on=datetime.date(2026, 10, 12),
        title="Calendrier de la signalétique patrimoniale commune aux deux bourgs",
        context=(
            "La charte graphique du Pays du Der, attendue au printemps 2027, fixera les supports de la signalétique "
            "touristique. Lancer la fabrication avant sa parution obligerait à refaire une partie des panneaux."
        ),
        question="Faut-il décaler d'environ six mois la signalétique patrimoniale commune (PVD-03) ?",
        decision_level=DecisionLevel.REFERENT,
        operations=[pvd03],
        due_on=datetime.date(2026, 10, 31),
    )
    shift = _option(
        arbitration,
        manager,
        "A",
        "Décaler de six mois pour suivre la charte graphique",
        description="Les phases non terminées de PVD-03 sont décalées de 182 jours.",
        operation=pvd03,
        shift_days=182,
        risks="Aucun délai légal en jeu : les aides de l'opération ne sont pas encore notifiées.",
        partner_opinions="CAUE : favorable, la charte garantira la cohérence entre les deux bourgs.",
    )
    _option(
        arbitration,
        manager,
        "B",
        "Maintenir le calendrier",
        description="Fabriquer en 2027 selon la charte provisoire, reprendre les panneaux ensuite.",
        operation=pvd03,
        risks="Reprise d'une partie des panneaux à la charge des communes.",
    )
    arbitration = _recommend(
        arbitration,
        shift,
        "Option A : le décalage évite une double dépense sans risque pour les aides.",
        manager,
    )
    arbitration_services.arbitration_submit(arbitration=arbitration, by=manager)
    _date_back(arbitration, submitted=_at(2026, 10, 14, 9, 0))
    arbitration_services.arbitration_decide(
        arbitration=Arbitration.objects.get(pk=arbitration.pk),
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=shift,
        comment="D'accord pour attendre la charte : informer les deux maires et le Pays du Der.",
    )
    _date_back(arbitration, decided=_at(2026, 10, 20, 18, 15))
    return _implement(Arbitration.objects.get(pk=arbitration.pk), manager)


def _implement(arbitration: Arbitration, by: User) -> Arbitration:
    """Apply the approved option through the owning apps' services (its phases shifted, each change linked back)."""
    implemented = option_services.implement_arbitration(
        arbitration=arbitration, by=by, expected_version=arbitration.version
    )
    Arbitration.objects.filter(pk=arbitration.pk).update(implemented_at=_at(2026, 10, 22, 9, 0))
    content_type = ContentType.objects.get_for_model(Arbitration)
    StatusChange.objects.filter(
        content_type=content_type, object_id=arbitration.pk, target="implemented"
    ).update(at=_at(2026, 10, 22, 9, 0))
    return implemented


def _pending_arbitration(
    programme: Programme, orgs: dict[str, Organisation], operations: dict[str, Operation], by: User
) -> Arbitration:
    w02 = operations["W-02"]
    dsil = SubsidyRequest.objects.filter(title="DSIL 2026 — halle gourmande de Wassy").first()
    arbitration = arbitration_services.arbitration_create(
        programme=programme,
        by=by,
        on=datetime.date(2026, 11, 20),
        title="Halle de Wassy : financer le surcoût de la charpente",
        source=ArbitrationSource.FINANCING_GAP,
        context=(
            "Le diagnostic de la charpente (financé par la Banque des Territoires) relève le coût de la "
            "réhabilitation de la halle de 980 000 € à 1 040 000 € HT. Le plan de financement présente un besoin "
            "de 60 000 € HT non couvert ; la DSIL 2026 déposée le 30/09/2026 est calculée sur 980 000 € HT."
        ),
        question="Comment financer le surcoût de 60 000 € HT de la halle gourmande de Wassy ?",
        decision_level=DecisionLevel.REFERENT,
        operations=[w02],
        subsidy_requests=[dsil] if dsil else [],
        due_on=datetime.date(2026, 12, 15),
        deliberation_needed=True,
    )
    _option(
        arbitration,
        by,
        "A",
        "Phaser les travaux sur deux exercices",
        description="Tranche 1 (charpente, couverture) en 2027, tranche 2 (aménagement intérieur) en 2028 : le "
        "surcoût est porté par l'autofinancement 2028.",
        operation=w02,
        shift_days=180,
        risks="Ouverture de la halle repoussée à l'été 2028 ; vérifier le délai de démarrage de la DSIL.",
        partner_opinions="Commune de Wassy : favorable si l'ouverture reste en 2028.",
    )
    _option(
        arbitration,
        by,
        "B",
        "Réduire le programme des travaux",
        description="Abandon de la mezzanine et des cuisines partagées : le coût revient à 980 000 € HT.",
        operation=w02,
        new_cost_ht=Decimal("980000.00"),
        new_vat_rate=Decimal("0.2000"),
        risks="Programme de la halle gourmande appauvri : moins d'espaces pour les producteurs locaux.",
        partner_opinions="Région Grand Est : l'aide commerce de centre-bourg reste acquise.",
    )
    top_up = _option(
        arbitration,
        by,
        "C",
        "Solliciter un complément au titre du Fonds vert",
        description="Dépôt d'une demande Fonds vert (rénovation énergétique de la charpente et de la couverture) "
        "de 60 000 € HT à l'appel 2027.",
        operation=w02,
        risks="Décision attendue au printemps 2027 ; sans accord, l'autofinancement de la commune couvrira le "
        "besoin.",
        partner_opinions="Sous-préfecture : dossier éligible si le gain énergétique est démontré.",
    )
    fonds_vert = Offer.objects.filter(kind="funding", code="fonds-vert").first()
    option_services.financing_changes_set(
        option=top_up,
        by=by,
        expected_version=top_up.version,
        rows=[
            {
                "action": FinancingChangeAction.ADD,
                "category": FundingCategory.STATE_OTHER,
                "funder": orgs["Préfecture de la Haute-Marne"],
                "scheme": fonds_vert,
                "label": "Fonds vert 2027 — rénovation énergétique de la charpente",
                "amount_ht": Decimal("60000.00"),
            }
        ],
    )
    arbitration = _recommend(
        arbitration,
        top_up,
        "Option C, avec l'option A en repli si le Fonds vert n'est pas accordé : elle préserve le programme et le "
        "calendrier de la halle.",
        by,
    )
    arbitration_services.arbitration_submit(
        arbitration=arbitration,
        by=by,
        comment="Soumis à l'élu référent avant le comité de projet du 15 décembre.",
    )
    _date_back(arbitration, submitted=_at(2026, 11, 24, 11, 0))
    return Arbitration.objects.get(pk=arbitration.pk)
