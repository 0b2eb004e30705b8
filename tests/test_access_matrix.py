"""The access matrix: every URL of the project, for every persona, answers the expected status.

Adding a URL without its row here fails `test_every_url_pattern_is_in_the_matrix`. Statuses:
200 page, 302 redirect (to the login page for the anonymous, to their space for a user), 403 in
scope without the right, 404 out of scope (indistinguishable from a missing page), 405 wrong method.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from operations.participation.services.letters import unsubscribe_token  # issue 11, letters
from tests.budget.budget_rows import budget_rows  # issue 5, budget
from tests.budget.financing_rows import financing_rows
from tests.budget.subsidy_rows import subsidy_rows  # issue 5, subsidies
from tests.conftest import PERSONAS, Territory
from tests.governance.rows_h1 import h1_rows  # issue 8, H1
from tests.governance.rows_h2 import h2_rows  # issue 8, H2
from tests.governance.rows_h3 import h3_rows  # issue 8, H3
from tests.governance.rows_h4 import h4_rows  # issue 8, H4
from tests.governance.rows_h5 import h5_rows  # issue 8, H5
from tests.governance.rows_h6 import h6_rows  # issue 8, H6
from tests.operations import action_plan_rows as action_plan
from tests.operations.bid_rows import bid_rows  # issue 6, bids
from tests.operations.consultation_rows import consultation_rows as _consultation_rows  # issue 6
from tests.operations.contract_rows import contract_rows  # issue 6, contracts
from tests.operations.convention_factories import signed_scan  # issue 9, H3 (signed scan download)
from tests.operations.convention_rows import convention_rows  # issue 9, conventions
from tests.operations.gantt_rows import gantt_rows
from tests.operations.housing_rows import housing_rows  # issue 7, housing
from tests.operations.participation_rows import participation_rows  # issue 11
from tests.operations.participation_sheets_factories import (  # issue 11, sheets
    rendered_public_sheet,
    sheet_document,
)
from tests.operations.tracking_rows import tracking_rows
from tests.partners import objects as directory
from tests.programmes.indicator_rows import computed_indicator, indicator_rows  # issue 10, H1 and H2
from tests.programmes.project_rows import project_rows
from tests.programmes.strategy_rows import strategy_rows
from tests.pvd.annual_report_rows import annual_report_row  # issue 10, H5

ANON, MAN, REF, MW, MP, OPE, PAR, OUT, STAFF = PERSONAS


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: Callable[[Territory], dict[str, object]]
    expected: dict[str, int]
    label: str = ""


def every(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


LOGGED_IN_ONLY = {ANON: 302}
NO_KWARGS: Callable[[Territory], dict[str, object]] = lambda t: {}

CASES = [
    # Home: one destination -> redirect there; several (or only housing programmes) -> the chooser.
    Case("home", NO_KWARGS, every(302, operator=200, staff=200)),
    Case("healthz", NO_KWARGS, every(200)),
    Case(
        "programme",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "programme",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:edit",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52550"},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="Wassy",
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52331"},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
        label="La Porte du Der",
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52448"},
        every(404, anonymous=302, staff=200),
        label="Saint-Dizier, in no programme",
    ),
    Case("commune", lambda t: {"insee_code": "99999"}, every(404, anonymous=302), label="unknown code"),
    # --- operations: action plan list, operation page, create/edit, status, bulk, exports (issue 4) ---
    # The programme's readers and the mayors of its communes open the action plan (a mayor sees only their
    # commune's rows); managers write (403 for other readers). Wassy's operation is out of scope (404) for the
    # mayor of La Porte du Der.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["operations:list", "operations:export_xlsx", "operations:export_csv"]
    ],
    Case(
        "operations:list",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "operations:create",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "operations:detail",
        lambda t: {"pk": action_plan.wassy_operation(t).pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    Case(
        "operations:edit",
        lambda t: {"pk": action_plan.wassy_operation(t).pk},
        every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
    ),
    Case("operations:status", lambda t: {"pk": action_plan.wassy_operation(t).pk}, every(405, anonymous=302)),
    Case("operations:bulk_status", lambda t: {"pk": t.programme.pk}, every(405, anonymous=302)),  # POST only
    # --- operations: phases, journal, risks (issue 4) ---
    # Readers of the operation (the programme's readers, the mayor of its commune) download the journal's
    # attachments; the programme's managers open the edit pages (403 for the other readers); the mayor of
    # La Porte du Der does not see a Wassy operation (404). tracking_rows: W-01 of Wassy.
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("operations:phase_create", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("operations:phases_from_template", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("operations:manual_progress", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("operations:report_create", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("operations:risk_create", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("operations:phase_edit", lambda t: {"pk": tracking_rows(t).phase.pk}),
            ("operations:phase_delete", lambda t: {"pk": tracking_rows(t).phase.pk}),
            ("operations:risk_edit", lambda t: {"pk": tracking_rows(t).risk.pk}),
            ("operations:risk_close", lambda t: {"pk": tracking_rows(t).risk.pk}),
            ("operations:risk_escalate", lambda t: {"pk": tracking_rows(t).risk.pk}),
        ]
    ],
    Case(
        "operations:report_attachment",
        lambda t: {"pk": tracking_rows(t).report.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    # --- operations: Gantt and import (issue 4) ---
    # The Gantt: the programme's readers and the mayors of its communes (a mayor sees only their commune's
    # rows). The import (upload, template, job status): managers only, 403 for the other readers and mayors.
    Case(
        "operations:gantt",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
    ),
    Case(
        "operations:gantt",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name, kwargs in [
            ("operations:import", lambda t: {"pk": t.programme.pk}),
            ("operations:import_template", lambda t: {"pk": t.programme.pk}),
            ("operations:import_status", lambda t: {"pk": gantt_rows(t).job.pk}),
        ]
    ],
    # --- budget: financing plan of an operation, its checks, net cost and FCTVA (issue 5, financing) ---
    # The money tab of an operation and its XLSX: the operation's readers (the programme's readers, the mayor of
    # its commune); the plan and its lines are edited by the programme's managers (403 for the other readers).
    # financing_rows: W-F1 of Wassy, with a plan and an own-funds line; 404 for the mayor of La Porte du Der.
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
            label,
        )
        for name, kwargs, label in [
            ("budget:operation_money", lambda t: {"pk": financing_rows(t).operation.pk}, ""),
            ("budget:plan_xlsx", lambda t: {"pk": financing_rows(t).operation.pk}, ""),
            ("budget:operation_money", lambda t: {"pk": tracking_rows(t).operation.pk}, "no plan yet"),
        ]
    ],
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("budget:plan_edit", lambda t: {"pk": financing_rows(t).operation.pk}),
            ("budget:line_create", lambda t: {"pk": financing_rows(t).operation.pk}),
            ("budget:line_edit", lambda t: {"pk": financing_rows(t).line.pk}),
            ("budget:line_delete", lambda t: {"pk": financing_rows(t).line.pk}),
        ]
    ],
    Case(
        "budget:line_status", lambda t: {"pk": financing_rows(t).line.pk}, every(405, anonymous=302)
    ),  # POST only
    # --- budget: subsidy requests, allocations, payments, adjustments, deadlines, pipeline (issue 5, subsidies) ---
    # The pipeline: the programme's readers and the mayors of its communes (a mayor sees only their commune's
    # requests); managers write (403 for the other readers and mayors). subsidy_rows: a DETR request of Wassy,
    # out of scope (404) for the mayor of La Porte du Der.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["budget:subsidies", "budget:subsidies_xlsx"]
    ],
    Case(
        "budget:subsidies",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "budget:subsidy_create",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "budget:subsidy_detail",
        lambda t: {"pk": subsidy_rows(t).request.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("budget:subsidy_edit", lambda t: {"pk": subsidy_rows(t).request.pk}),
            ("budget:subsidy_allocations", lambda t: {"pk": subsidy_rows(t).request.pk}),
            ("budget:payment_create", lambda t: {"pk": subsidy_rows(t).request.pk}),
            ("budget:adjustment_create", lambda t: {"pk": subsidy_rows(t).request.pk}),
            ("budget:payment_receipt", lambda t: {"pk": subsidy_rows(t).payment.pk}),
        ]
    ],
    Case(
        "budget:subsidy_status", lambda t: {"pk": subsidy_rows(t).request.pk}, every(405, anonymous=302)
    ),  # POST only
    # --- budget: programme budget, PPI, AP/CP, budget lines, expenses, restes à réaliser (issue 5, budget) ---
    # The programme's readers and the mayors of its communes open the budget pages (mayors see their commune's
    # rows); managers write (403 for the other readers and mayors). Wassy's AP, line and expense are out of scope
    # (404) for the mayor of La Porte du Der. budget_rows: Wassy's budget.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in [
            "budget:programme_budget",
            "budget:programme_budget_xlsx",
            "budget:ppi",
            "budget:carry_forward_xlsx",
        ]
    ],
    Case(
        "budget:programme_budget",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in ["budget:authorisation_create", "budget:budget_line_create"]
    ],
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        )
        for name, kwargs in [
            ("budget:authorisation_detail", lambda t: {"pk": budget_rows(t).authorisation.pk}),
            ("budget:budget_line_detail", lambda t: {"pk": budget_rows(t).line.pk}),
        ]
    ],
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("budget:ppi_edit", lambda t: {"pk": budget_rows(t).operation.pk}),
            ("budget:authorisation_edit", lambda t: {"pk": budget_rows(t).authorisation.pk}),
            ("budget:authorisation_credits", lambda t: {"pk": budget_rows(t).authorisation.pk}),
            ("budget:authorisation_revise", lambda t: {"pk": budget_rows(t).authorisation.pk}),
            ("budget:budget_line_edit", lambda t: {"pk": budget_rows(t).line.pk}),
            ("budget:expense_create", lambda t: {"pk": budget_rows(t).line.pk}),
            ("budget:expense_edit", lambda t: {"pk": budget_rows(t).expense.pk}),
        ]
    ],
    *[  # POST only
        Case(name, lambda t: {"pk": budget_rows(t).authorisation.pk}, every(405, anonymous=302))
        for name in ["budget:authorisation_status"]
    ],
    Case("budget:expense_advance", lambda t: {"pk": budget_rows(t).expense.pk}, every(405, anonymous=302)),
    # --- procurement: consultations, lots, criteria, procedure, calendar (issue 6, consultations) ---
    # The programme's readers and the mayors of its communes open the procurement list (a mayor sees their
    # commune's consultations); managers write (403 for the others). Wassy's consultation is out of scope (404)
    # for the mayor of La Porte du Der.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["operations:procurement", "operations:procurement_xlsx"]
    ],
    Case(
        "operations:procurement",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "operations:consultation_create",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "operations:consultation_detail",
        lambda t: {"pk": _consultation_rows(t).consultation.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("operations:consultation_edit", lambda t: {"pk": _consultation_rows(t).consultation.pk}),
            ("operations:lot_create", lambda t: {"pk": _consultation_rows(t).consultation.pk}),
            ("operations:criteria_edit", lambda t: {"pk": _consultation_rows(t).consultation.pk}),
            ("operations:lot_edit", lambda t: {"pk": _consultation_rows(t).lot.pk}),
        ]
    ],
    Case(  # POST only
        "operations:consultation_status",
        lambda t: {"pk": _consultation_rows(t).consultation.pk},
        every(405, anonymous=302),
    ),
    # --- procurement: bids, scores, ranking, analysis report, award (issue 6, bids) ---
    # Whoever sees the consultation reads its analysis report (bid_rows: bought by Wassy → 404 for the mayor of
    # La Porte du Der); the programme's managers record bids, score, award and sign (403 for the other readers).
    *[
        Case(
            name,
            lambda t: {"pk": bid_rows(t).consultation.pk},
            every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        )
        for name in ["operations:analysis_report", "operations:analysis_report_xlsx"]
    ],
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("operations:bid_create", lambda t: {"pk": bid_rows(t).lot.pk}),
            ("operations:bid_edit", lambda t: {"pk": bid_rows(t).bids[0].pk}),
            ("operations:bid_scores", lambda t: {"pk": bid_rows(t).bids[0].pk}),
            ("operations:lot_award", lambda t: {"pk": bid_rows(t).lot.pk}),
            ("operations:lot_sign", lambda t: {"pk": bid_rows(t).lot.pk}),
        ]
    ],
    # --- procurement: contracts, execution, amendments, invoices, acceptance (issue 6, contracts) ---
    # The consultation's readers (programme readers, mayor of Wassy whose operation it serves) read a contract and
    # the programme's invoices at risk; managers write (403 for the other readers). contract_rows: Wassy's works.
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        )
        for name, kwargs in [("operations:contract_detail", lambda t: {"pk": contract_rows(t).contract.pk})]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["operations:invoices_at_risk", "operations:invoices_at_risk_xlsx"]
    ],
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("operations:contract_edit", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:amendment_create", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:invoice_create", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:subcontractor_create", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:service_order_create", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:purchase_order_create", lambda t: {"pk": contract_rows(t).contract.pk}),
            ("operations:invoice_edit", lambda t: {"pk": contract_rows(t).invoice.pk}),
            ("operations:subcontractor_decide", lambda t: {"pk": contract_rows(t).subcontractor.pk}),
        ]
    ],
    Case(
        "operations:contract_status",
        lambda t: {"pk": contract_rows(t).contract.pk},
        every(405, anonymous=302),
    ),
    # --- procurement: DECP export and procurement exports (issue 6, decp) ---
    # Publishing the essential data is the buyer's act: the programme's managers and staff; its other readers
    # and the mayors of its communes get 403, out of scope 404.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in ["operations:decp", "operations:decp_json"]
    ],
    Case(
        "operations:decp_json",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    # --- housing: programme page, convention targets/envelopes/avenants/sectors/top-ups, results (issue 7, programmes) ---
    # Readers of the housing programme read its page, results and report (mayors 404: their commune page shows the
    # aggregates, decision 0001); its managers (and staff) edit the convention, other readers 403.
    # A new housing programme of a PVD programme: its managers (403 for its other readers; mayors do not open programme
    # pages: 404).
    Case(
        "operations:housing_programme_create",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
    ),
    *[
        Case(
            name,
            lambda t: {"pk": housing_rows(t).wassy.housing_programme.pk},
            every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
            label="Wassy",
        )
        for name in [
            "operations:housing_programme",
            "operations:housing_results",
            "operations:housing_results_xlsx",
            "operations:housing_report",
        ]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": housing_rows(t).saint_dizier.housing_programme.pk},
            every(404, anonymous=302, operator=200, staff=200),
            label="Saint-Dizier",
        )
        for name in [
            "operations:housing_programme",
            "operations:housing_results",
            "operations:housing_results_xlsx",
            "operations:housing_report",
        ]
    ],
    *[
        Case(
            name,
            lambda t, obj=obj: {"pk": getattr(housing_rows(t).wassy, obj).pk},
            every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
            label="Wassy",
        )
        for name, obj in [
            ("operations:housing_programme_edit", "housing_programme"),
            ("operations:housing_amendment_create", "housing_programme"),
            ("operations:housing_targets_edit", "housing_programme"),
            ("operations:housing_envelopes_edit", "housing_programme"),
            ("operations:housing_sector_create", "housing_programme"),
            ("operations:housing_top_up_create", "housing_programme"),
            ("operations:housing_sector_edit", "sector"),
            ("operations:housing_top_up_edit", "top_up_rule"),
        ]
    ],
    *[
        Case(
            name,
            lambda t, obj=obj: {"pk": getattr(housing_rows(t).saint_dizier, obj).pk},
            every(404, anonymous=302, operator=403, staff=200),
            label="Saint-Dizier",
        )
        for name, obj in [
            ("operations:housing_programme_edit", "housing_programme"),
            ("operations:housing_amendment_create", "housing_programme"),
            ("operations:housing_targets_edit", "housing_programme"),
            ("operations:housing_envelopes_edit", "housing_programme"),
            ("operations:housing_sector_create", "housing_programme"),
            ("operations:housing_top_up_create", "housing_programme"),
            ("operations:housing_sector_edit", "sector"),
            ("operations:housing_top_up_edit", "top_up_rule"),
        ]
    ],
    # --- housing: household files, pipeline, kanban, grants and payments, exports (issue 7, files) ---
    # Named files: hp-level pages for the readers of named files (Wassy: the PVD programme's manager; Saint-Dizier:
    # its operator) and staff; the Wassy OPAH-RU's aggregate readers (referent, partner) 403; everybody else 404.
    *[
        Case(name, lambda t: {"pk": housing_rows(t).wassy.housing_programme.pk}, who, "OPAH-RU de Wassy")
        for name in [
            "operations:housing_files",
            "operations:housing_kanban",
            "operations:housing_file_create",
            "operations:housing_files_xlsx",
        ]
        for who in [every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200)]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": housing_rows(t).saint_dizier.housing_programme.pk},
            who,
            "OPAH-RU de Saint-Dizier",
        )
        for name in [
            "operations:housing_files",
            "operations:housing_kanban",
            "operations:housing_file_create",
            "operations:housing_files_xlsx",
        ]
        for who in [every(404, anonymous=302, operator=200, staff=200)]
    ],
    *[
        Case(name, lambda t, side=side: {"pk": getattr(housing_rows(t), side).file.pk}, who, label)
        for side, label, who in [
            ("wassy", "OPAH-RU de Wassy", every(404, anonymous=302, manager=200, staff=200)),
            ("saint_dizier", "OPAH-RU de Saint-Dizier", every(404, anonymous=302, operator=200, staff=200)),
        ]
        for name in ["operations:housing_file_detail", "operations:housing_file_edit"]
    ],
    Case(  # POST only
        "operations:housing_file_status",
        lambda t: {"pk": housing_rows(t).wassy.file.pk},
        every(405, anonymous=302),
    ),
    # --- housing: grants, local top-ups and payments of a file (issue 7, grants) ---
    # A file's grant and payment forms: the file's writers (Wassy: the PVD programme's manager; Saint-Dizier: its
    # operator) and staff; every other persona 404 (named files). Status and proposals are POST only.
    *[
        Case(
            name,
            lambda t, side=side, obj=obj: {"pk": getattr(getattr(housing_rows(t), side), obj).pk},
            who,
            label,
        )
        for side, label, who in [
            ("wassy", "OPAH-RU de Wassy", every(404, anonymous=302, manager=200, staff=200)),
            ("saint_dizier", "OPAH-RU de Saint-Dizier", every(404, anonymous=302, operator=200, staff=200)),
        ]
        for name, obj in [
            ("operations:housing_grant_create", "file"),
            ("operations:housing_grant_edit", "grant"),
            ("operations:housing_payment_create", "grant"),
        ]
    ],
    Case(
        "operations:housing_grant_status",
        lambda t: {"pk": housing_rows(t).wassy.grant.pk},
        every(405, anonymous=302),
    ),
    Case(
        "operations:housing_grant_proposals",
        lambda t: {"pk": housing_rows(t).wassy.file.pk},
        every(405, anonymous=302),
    ),
    # --- housing: access log, retention and anonymisation (issue 7, privacy) ---
    # A file's access log: the programme's managers and staff (the operator reads the file: 403; the housing
    # programme's other readers do not see files: 404). Retention: managers and staff; the programme's other readers
    # (referent, partner, operator) 403; mayors 404 (aggregates on the commune page only).
    Case(
        "operations:housing_file_accesses",
        lambda t: {"pk": housing_rows(t).wassy.file.pk},
        every(404, anonymous=302, manager=200, staff=200),
        "OPAH-RU de Wassy",
    ),
    Case(
        "operations:housing_file_accesses",
        lambda t: {"pk": housing_rows(t).saint_dizier.file.pk},
        every(404, anonymous=302, operator=403, staff=200),
        "OPAH-RU de Saint-Dizier",
    ),
    Case(
        "operations:housing_retention",
        lambda t: {"pk": housing_rows(t).wassy.housing_programme.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
        "OPAH-RU de Wassy",
    ),
    Case(
        "operations:housing_retention",
        lambda t: {"pk": housing_rows(t).saint_dizier.housing_programme.pk},
        every(404, anonymous=302, operator=403, staff=200),
        "OPAH-RU de Saint-Dizier",
    ),
    Case(
        "operations:housing_retention_run",
        lambda t: {"pk": housing_rows(t).wassy.housing_programme.pk},
        every(405, anonymous=302),
    ),
    # --- strategy: documents, stakes, engineering needs (issue 3) ---
    # Readers of the programme and mayors of its communes read its strategy; managers write (403 for other
    # readers). Stakes and needs of Wassy are out of scope for the mayor of La Porte du Der (404).
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["programmes:documents", "programmes:stakes", "programmes:needs"]
        + ["programmes:documents_export", "programmes:stakes_export", "programmes:needs_export"]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in ["programmes:document_create", "programmes:stake_create", "programmes:need_create"]
    ],
    Case(
        "programmes:documents",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:document_detail",
        lambda t: {"pk": strategy_rows(t).document.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
    ),
    Case(
        "programmes:document_file",
        lambda t: {"pk": strategy_rows(t).document.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
    ),
    Case(
        "programmes:document_edit",
        lambda t: {"pk": strategy_rows(t).document.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "programmes:stake_detail",
        lambda t: {"pk": strategy_rows(t).stake.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    Case(
        "programmes:stake_edit",
        lambda t: {"pk": strategy_rows(t).stake.pk},
        every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
    ),
    Case(
        "programmes:need_detail",
        lambda t: {"pk": strategy_rows(t).need.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    Case(
        "programmes:need_edit",
        lambda t: {"pk": strategy_rows(t).need.pk},
        every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
    ),
    Case("programmes:need_transition", lambda t: {"pk": strategy_rows(t).need.pk}, every(405)),  # POST only
    # --- strategy: revitalisation project and overview (issue 3) ---
    # The strategy overview and the project are read by the programme's readers and the mayors of its
    # communes; the team (managers, staff) edits the draft (403 for the other readers); only the élu
    # référent opens the validation page (403 even for staff). project_rows: v1 validated, v2 draft.
    *[
        Case(
            name,
            lambda t: {"pk": project_rows(t).draft.programme_id},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in [
            "programmes:strategy",
            "programmes:project",
            "programmes:project_compare",
            "programmes:project_print",
        ]
    ],
    Case(
        "programmes:strategy",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:project",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
        label="no version yet",
    ),
    Case(
        "programmes:project_version",
        lambda t: {"pk": t.programme.pk, "number": project_rows(t).validated.number},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
    ),
    Case(
        "programmes:project_version",
        lambda t: {"pk": t.programme.pk, "number": 9},
        every(404, anonymous=302),
        label="unknown version",
    ),
    Case(
        "programmes:project_validation",
        lambda t: {"pk": project_rows(t).draft.programme_id},
        every(
            404,
            anonymous=302,
            manager=403,
            referent=200,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=403,
        ),
    ),
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name, kwargs in [
            ("programmes:project_vision", lambda t: {"pk": project_rows(t).draft.programme_id}),
            ("programmes:axis_create", lambda t: {"pk": project_rows(t).draft.programme_id}),
            ("programmes:axis_edit", lambda t: {"pk": t.programme.pk, "axis_pk": project_rows(t).axis.pk}),
            (
                "programmes:objective_create",
                lambda t: {"pk": t.programme.pk, "axis_pk": project_rows(t).axis.pk},
            ),
            (
                "programmes:objective_edit",
                lambda t: {"pk": t.programme.pk, "objective_pk": project_rows(t).objective.pk},
            ),
        ]
    ],
    Case(
        "programmes:axis_edit",
        lambda t: {"pk": t.programme.pk, "axis_pk": project_rows(t).validated_axis.pk},
        every(
            404,
            anonymous=302,
            manager=302,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=302,
        ),
        label="a validated version's axis: back to the project",
    ),
    *[
        Case(name, kwargs, every(405, anonymous=302))  # POST only
        for name, kwargs in [
            ("programmes:project_start", lambda t: {"pk": t.programme.pk}),
            ("programmes:project_submit", lambda t: {"pk": t.programme.pk}),
            ("programmes:axis_delete", lambda t: {"pk": t.programme.pk, "axis_pk": 1}),
            ("programmes:axis_move", lambda t: {"pk": t.programme.pk, "axis_pk": 1}),
            ("programmes:objective_delete", lambda t: {"pk": t.programme.pk, "objective_pk": 1}),
            ("programmes:objective_move", lambda t: {"pk": t.programme.pk, "objective_pk": 1}),
        ]
    ],
    # --- partners: directory, contacts (personal data: 404 for mayors and operators), offers (issue 3) ---
    Case("partners:directory", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
    Case("partners:detail", lambda t: {"pk": t.anah.pk}, every(200, **LOGGED_IN_ONLY), label="Anah"),
    Case(
        "partners:detail",
        lambda t: {"pk": t.wassy.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="Wassy",
    ),
    Case(
        "partners:detail",
        lambda t: {"pk": t.epci.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
        label="the EPCI",
    ),
    Case(
        "partners:organisation_create",
        NO_KWARGS,
        every(403, anonymous=302, manager=200, outsider=200, staff=200),
    ),
    Case(
        "partners:organisation_edit",
        lambda t: {"pk": t.anah.pk},
        every(403, anonymous=302, manager=200, outsider=200, staff=200),
        label="Anah",
    ),
    Case(
        "partners:organisation_edit",
        lambda t: {"pk": t.wassy.pk},
        every(404, anonymous=302),
        label="a commune comes from the official geography",
    ),
    Case(
        "partners:person_create",
        lambda t: {"pk": t.anah.pk},
        every(404, anonymous=302, manager=200, outsider=200, staff=200, referent=403, partner=403),
        label="Anah",
    ),
    Case(
        "partners:person_create",
        lambda t: {"pk": t.wassy.pk},
        every(404, anonymous=302, manager=200, staff=200, referent=403, partner=403),
        label="Wassy",
    ),
    Case(
        "partners:person_detail",
        lambda t: {"pk": directory.anah_contact(t).pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, outsider=200, staff=200),
        label="Anah contact",
    ),
    Case(
        "partners:person_detail",
        lambda t: {"pk": directory.wassy_mayor_contact(t).pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
        label="mayor of Wassy",
    ),
    Case(
        "partners:person_edit",
        lambda t: {"pk": directory.wassy_mayor_contact(t).pk},
        every(404, anonymous=302, manager=200, staff=200, referent=403, partner=403),
    ),
    Case(
        "partners:mandate_create",
        lambda t: {"pk": directory.wassy_mayor_contact(t).pk},
        every(404, anonymous=302, manager=200, staff=200, referent=403, partner=403),
    ),
    Case(
        "partners:mandate_edit",
        lambda t: {"pk": directory.wassy_mayor_mandate(t).pk},
        every(404, anonymous=302, manager=200, staff=200, referent=403, partner=403),
    ),
    Case(
        "partners:contacts_csv",
        NO_KWARGS,
        every(404, anonymous=302, manager=200, referent=200, partner=200, outsider=200, staff=200),
    ),
    Case(
        "partners:contacts_xlsx",
        NO_KWARGS,
        every(404, anonymous=302, manager=200, referent=200, partner=200, outsider=200, staff=200),
    ),
    Case("partners:offers", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
    Case("partners:offer_detail", lambda t: {"pk": directory.anah_offer(t).pk}, every(200, **LOGGED_IN_ONLY)),
    Case("partners:offer_create", NO_KWARGS, every(403, anonymous=302, manager=200, outsider=200, staff=200)),
    Case(
        "partners:offer_edit",
        lambda t: {"pk": directory.anah_offer(t).pk},
        every(403, anonymous=302, manager=200, outsider=200, staff=200),
    ),
    # --- participation: hub, concertation plan, events, attendance, contributions (issue 11, concertation) ---
    # The programme's readers and the mayors of its communes read the hub, the plan, the events and the export
    # (a mayor sees only their commune's rows); managers write (403 for the other readers). Wassy's plan line,
    # event and contribution are out of scope (404) for the mayor of La Porte du Der. participation_rows: Wassy.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in [
            "operations:participation",
            "operations:concertation_plan",
            "operations:concertation_events",
            "operations:concertation_export",
        ]
    ],
    Case(
        "operations:participation",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in ["operations:concertation_plan_create", "operations:concertation_event_create"]
    ],
    Case(
        "operations:concertation_event",
        lambda t: {"pk": participation_rows(t).event.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    *[
        Case(
            name,
            lambda t, obj=obj: {"pk": getattr(participation_rows(t), obj).pk},
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, obj in [
            ("operations:concertation_plan_edit", "plan_item"),
            ("operations:concertation_event_edit", "event"),
            ("operations:concertation_attendance", "event"),
            ("operations:contribution_create", "event"),
            ("operations:contribution_edit", "contribution"),
        ]
    ],
    Case(
        "operations:concertation_event_status",
        lambda t: {"pk": participation_rows(t).event.pk},
        every(405, anonymous=302),
    ),  # POST only
    # --- participation: communication actions and the financers' publicity page (issue 11, communication) ---
    # The list and the publicity page: the programme's readers and the mayors of its communes (who see there only
    # their commune's actions and operations); creating: its managers (403 for the other readers). An action of
    # Wassy (participation_rows): the mayor of La Porte du Der gets 404; editing: managers (403 for other readers).
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["operations:communication", "budget:publicity", "budget:publicity_export"]
    ],
    Case(
        "operations:communication",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "operations:communication_create",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "operations:communication_action",
        lambda t: {"pk": t.programme.pk, "action_pk": participation_rows(t).action.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="Wassy",
    ),
    Case(
        "operations:communication_action",
        lambda t: {"pk": t.other_programme.pk, "action_pk": participation_rows(t).action.pk},
        every(404, anonymous=302),
        label="another programme in the path",
    ),
    Case(
        "operations:communication_edit",
        lambda t: {"pk": t.programme.pk, "action_pk": participation_rows(t).action.pk},
        every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        label="Wassy",
    ),
    Case(
        "operations:communication_status",
        lambda t: {"pk": t.programme.pk, "action_pk": participation_rows(t).action.pk},
        every(405, anonymous=302),
    ),  # POST only
    Case(
        "operations:communication_proof",
        lambda t: {"pk": t.programme.pk, "action_pk": participation_rows(t).action.pk},
        every(404, anonymous=302),
        label="no proof file",
    ),
    # --- participation: mailing lists, subscriptions, information letters, unsubscribe (issue 11, letters) ---
    # Mailing lists hold contacts: the programme's managers and staff; its other readers 403 on the programme-level
    # pages and 404 on a list (out of the lists' scope); mayors, operators and outsiders 404. Letters: the programme's
    # readers read them, managers write and send (403 for the other readers); a sent letter is no longer edited
    # (redirect to its page). The unsubscribe link needs no login; a tampered token is a 404.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
        )
        for name in ["operations:mailing_lists", "operations:mailing_list_create", "operations:letter_create"]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": participation_rows(t).mailing_list.pk},
            every(404, anonymous=302, manager=200, staff=200),
        )
        for name in [
            "operations:mailing_list",
            "operations:mailing_list_edit",
            "operations:subscription_create",
        ]
    ],
    Case(
        "operations:subscription_withdraw",
        lambda t: {"pk": participation_rows(t).subscription.pk},
        every(405, anonymous=302),
    ),
    Case(
        "operations:letters",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "operations:letters",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    *[
        Case(
            "operations:letter",
            lambda t, obj=obj: {"pk": getattr(participation_rows(t), obj).pk},
            every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
            label=obj,
        )
        for obj in ["letter", "sent_letter"]
    ],
    Case(
        "operations:letter_edit",
        lambda t: {"pk": participation_rows(t).letter.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
        label="draft",
    ),
    Case(
        "operations:letter_edit",
        lambda t: {"pk": participation_rows(t).sent_letter.pk},
        every(404, anonymous=302, manager=302, referent=403, partner=403, staff=302),
        label="sent",
    ),
    Case(
        "operations:letter_send",
        lambda t: {"pk": participation_rows(t).letter.pk},
        every(405, anonymous=302),
    ),
    Case(
        "operations:unsubscribe",
        lambda t: {"token": unsubscribe_token(participation_rows(t).subscription)},
        every(200),
        label="valid token",
    ),
    Case(
        "operations:unsubscribe",
        lambda t: {"token": unsubscribe_token(participation_rows(t).subscription)[:-3] + "abc"},
        every(404),
        label="tampered token",
    ),
    # --- participation: network events, good-practice sheets, library, public pages, documents (issue 11, sheets) ---
    # Network notes: the programme's readers (mayors, operators, outsiders 404); managers write (403 for readers).
    Case(
        "operations:network",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "operations:network_event",
        lambda t: {"pk": participation_rows(t).network_event.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    *[
        Case(name, kwargs, every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200))
        for name, kwargs in [
            ("operations:network_create", lambda t: {"pk": t.programme.pk}),
            ("operations:network_edit", lambda t: {"pk": participation_rows(t).network_event.pk}),
        ]
    ],
    # Sheets: the programme's readers and the mayors of its communes (drafts included); a published sheet is read
    # by every role; managers write (403 for the other readers; 403 for anyone who reads a published sheet).
    Case(
        "operations:sheets",
        lambda t: {"pk": t.programme.pk},
        every(200, anonymous=302, operator=404, outsider=404),
    ),
    Case(
        "operations:sheet_create",
        lambda t: {"pk": t.programme.pk},
        every(403, anonymous=302, manager=200, staff=200, operator=404, outsider=404),
    ),
    Case(
        "operations:sheet",
        lambda t: {"pk": participation_rows(t).sheet.pk},
        every(200, anonymous=302, operator=404, outsider=404),
        label="draft",
    ),
    Case(
        "operations:sheet",
        lambda t: {"pk": participation_rows(t).published_sheet.pk},
        every(200, anonymous=302),
        label="published",
    ),
    Case(
        "operations:sheet_edit",
        lambda t: {"pk": participation_rows(t).sheet.pk},
        every(403, anonymous=302, manager=200, staff=200, operator=404, outsider=404),
        label="draft",
    ),
    Case(
        "operations:sheet_edit",
        lambda t: {"pk": participation_rows(t).published_sheet.pk},
        every(403, anonymous=302, manager=200, staff=200),
        label="published",
    ),
    *[
        Case(name, lambda t: {"pk": participation_rows(t).sheet.pk}, every(405, anonymous=302))  # POST only
        for name in ["operations:sheet_publish", "operations:sheet_unpublish", "operations:sheet_pdf"]
    ],
    Case("operations:practice_library", NO_KWARGS, every(200, anonymous=302)),
    # Public pages: no login; published sheets only; the PDF once one is rendered since publication.
    Case("public_library", NO_KWARGS, every(200)),
    Case(
        "public_sheet",
        lambda t: {"slug": participation_rows(t).published_sheet.slug},
        every(200),
        "published",
    ),
    Case("public_sheet", lambda t: {"slug": participation_rows(t).sheet.slug}, every(404), "draft"),
    Case(
        "public_sheet_pdf",
        lambda t: {"slug": rendered_public_sheet(participation_rows(t).published_sheet)},
        every(200),
        "published, rendered",
    ),
    Case(
        "public_sheet_pdf",
        lambda t: {"slug": participation_rows(t).published_sheet.slug},
        every(404),
        "published, not rendered",
    ),
    Case("public_sheet_pdf", lambda t: {"slug": participation_rows(t).sheet.slug}, every(404), "draft"),
    # Documents: whoever reads the document's object (here a draft sheet: its programme's readers and mayors).
    *[
        Case(
            name,
            lambda t: {"pk": sheet_document(participation_rows(t).sheet).pk},
            every(200, anonymous=302, operator=404, outsider=404),
        )
        for name in ["document", "document_download"]
    ],
    Case(
        "document_download",
        lambda t: {"pk": sheet_document(participation_rows(t).sheet, status="queued").pk},
        every(404, anonymous=302),
        label="not ready",
    ),
    # --- conventions: lists, creation, page, edit, status, signatories (issue 9, H1) ---
    # The lists: a programme's readers and the mayors of its communes (who see there only the conventions their
    # commune signs, drafts excepted); the Saint-Dizier OPAH-RU's: its members (operator) and staff. Creating: the
    # programme's (housing programme's) managers, 403 for other readers. A convention's page follows the policy:
    # drafts for managers and referents; the signed convention d'adhésion for the programme's readers and the mayor
    # of Wassy, which signs it (La Porte du Der does not: 404). Status: managers and the référent (403 for readers).
    # Parties of a signed convention change by avenant: its managers are sent back to its page (302).
    Case(
        "operations:conventions",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_wassy=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
    ),
    Case(
        "operations:housing_conventions",
        lambda t: {"pk": t.opah_ru.pk},
        every(404, anonymous=302, operator=200, staff=200),
        label="Saint-Dizier",
    ),
    Case(
        "operations:convention_create",
        lambda t: {"pk": t.programme.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case(
        "operations:housing_convention_create",
        lambda t: {"pk": t.opah_ru.pk},
        every(404, anonymous=302, operator=403, staff=200),
        label="Saint-Dizier",
    ),
    Case(
        "operations:convention",
        lambda t: {"pk": convention_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, referent=200, staff=200),
        label="draft",
    ),
    Case(
        "operations:convention",
        lambda t: {"pk": convention_rows(t).signed.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="in force, signed by Wassy",
    ),
    Case(
        "operations:convention",
        lambda t: {"pk": convention_rows(t).housing.pk},
        every(404, anonymous=302, operator=200, staff=200),
        label="OPAH-RU in review",
    ),
    Case(
        "operations:convention_edit",
        lambda t: {"pk": convention_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, referent=403, staff=200),
        label="draft",
    ),
    Case(
        "operations:convention_status",
        lambda t: {"pk": convention_rows(t).signed.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=403, partner=403, staff=200),
        label="in force",
    ),
    Case(
        "operations:signatory_create",
        lambda t: {"pk": convention_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, referent=403, staff=200),
        label="draft",
    ),
    *[
        Case(
            name,
            lambda t: {"pk": convention_rows(t).draft.signatories.create(organisation=t.wassy).pk},
            every(404, anonymous=302, manager=200, referent=403, staff=200),
            label="draft",
        )
        for name in ["operations:signatory_edit", "operations:signatory_delete"]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": convention_rows(t).signatory.pk},
            every(404, anonymous=302, manager=302, referent=403, mayor_of_wassy=403, partner=403, staff=302),
            label="signed: by avenant",
        )
        for name in ["operations:signatory_edit", "operations:signatory_delete"]
    ],
    # --- conventions: articles (issue 9, H2) ---
    # A draft: only its programme's managers (and staff) write; the referent reads it (403); others 404.
    Case(
        "operations:article_create",
        lambda t: {"pk": convention_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, referent=403, staff=200),
    ),
    *[
        Case(
            name,
            lambda t: {"pk": convention_rows(t).article.pk},
            every(404, anonymous=302, manager=200, referent=403, staff=200),
        )
        for name in ["operations:article_edit", "operations:article_delete"]
    ],
    Case(
        "operations:article_move", lambda t: {"pk": convention_rows(t).article.pk}, every(405, anonymous=302)
    ),
    # Signed and in force: its readers get 403; its managers are sent back to the convention (text frozen).
    Case(
        "operations:article_create",
        lambda t: {"pk": convention_rows(t).signed.pk},
        every(404, anonymous=302, manager=302, referent=403, mayor_of_wassy=403, partner=403, staff=302),
        label="signed",
    ),
    # --- conventions: versions, draft PDF, signed scan, avenants, public verification (issue 9, H3) ---
    # A version is read with its convention (`version`: the signed version of the convention d'adhésion in force:
    # its programme's readers and the mayor of Wassy, which signs it); managers issue, retry, deposit the scan and
    # create avenants (403 for other readers); the draft's PDF and retries are POST only. The avenant in draft
    # (`amendment`) is compared by managers and referents. The verification page is public.
    Case(
        "operations:version_issue",
        lambda t: {"pk": convention_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, referent=403, staff=200),
    ),
    *[
        Case(name, kwargs, every(405, anonymous=302))  # POST only
        for name, kwargs in [
            ("operations:convention_draft_pdf", lambda t: {"pk": convention_rows(t).draft.pk}),
            ("operations:version_retry", lambda t: {"pk": convention_rows(t).version.pk}),
        ]
    ],
    Case(
        "operations:convention_version",
        lambda t: {"pk": convention_rows(t).version.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("operations:version_scan", lambda t: {"pk": convention_rows(t).version.pk}),
            ("operations:convention_amendment_create", lambda t: {"pk": convention_rows(t).signed.pk}),
        ]
    ],
    Case(
        "operations:version_scan_download",
        lambda t: {"pk": convention_rows(t).version.pk},
        every(404, anonymous=302),
        label="no scan",
    ),
    Case(
        "operations:version_scan_download",
        lambda t: {"pk": signed_scan(convention_rows(t).version).pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="scan deposited",
    ),
    Case(
        "operations:amendment_compare",
        lambda t: {"pk": convention_rows(t).amendment.pk},
        every(404, anonymous=302, manager=200, referent=200, staff=200),
    ),
    Case("convention_verification", lambda t: {"token": convention_rows(t).version.token}, every(200)),
    Case("convention_verification", lambda t: {"token": "jeton-inconnu"}, every(404), label="unknown token"),
    # --- deliberations, ORT perimeters, operation fiche, project summary, committee report (issue 9, H4) ---
    # --- reports (issue 9, H5) ---
    # POST only (a fresh PDF, then its status page): GET answers 405 to the logged-in, the login page to the anonymous.
    *[
        Case(name, kwargs, every(405, anonymous=302))
        for name, kwargs in [
            ("report_operation", lambda t: {"pk": tracking_rows(t).operation.pk}),
            ("report_project", lambda t: {"pk": t.programme.pk}),
            ("report_committee", lambda t: {"pk": t.programme.pk}),
        ]
    ],
    # Deliberations and ORT perimeters: the programme's readers and the mayors of its communes read the lists; its
    # managers record acts and sectors (403 for the other readers). A deliberation is a public act seen by whoever
    # sees its authority: Wassy's is out of scope (404) for the mayor of La Porte du Der and the OPAH-RU operator.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["programmes:deliberations", "programmes:ort_sectors"]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in ["programmes:deliberation_create", "programmes:ort_sector_create"]
    ],
    Case(
        "programmes:deliberations",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:deliberation",
        lambda t: {"pk": convention_rows(t).deliberation.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    Case(
        "programmes:deliberation_edit",
        lambda t: {"pk": convention_rows(t).deliberation.pk},
        every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
    ),
    Case(
        "programmes:ort_sector_edit",
        lambda t: {"pk": convention_rows(t).ort_sector.pk},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=403,
            mayor_of_wassy=403,
            mayor_of_la_porte_du_der=403,
            partner=403,
            staff=200,
        ),
    ),
    Case("accounts:login", NO_KWARGS, every(302, anonymous=200)),
    Case("accounts:logout", NO_KWARGS, every(405)),  # POST only
    Case("accounts:password_reset", NO_KWARGS, every(200)),
    Case("accounts:password_reset_done", NO_KWARGS, every(200)),
    Case(
        "accounts:password_reset_confirm", lambda t: {"uidb64": "MQ", "token": "jeton-invalide"}, every(200)
    ),
    Case("accounts:password_reset_complete", NO_KWARGS, every(200)),
    Case("accounts:password_change", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
    Case("accounts:password_change_done", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
    # --- issue 10, H1: indicators pages, import ---
    # The programme's readers and the mayors of its communes read the indicators (a mayor: their commune's and
    # the programme-wide ones); managers write (403 for the other readers); imports are the managers' (404 for
    # everyone else: the policy scopes them). indicator_rows: an indicator of Wassy, a measurement, an import.
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name in ["programmes:indicators", "programmes:indicators_export"]
    ],
    *[
        Case(
            name,
            lambda t: {"pk": t.programme.pk},
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name in [
            "programmes:indicator_create",
            "programmes:measurement_import",
            "programmes:measurement_template",
        ]
    ],
    Case(
        "programmes:indicators",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:measurement_import_detail",
        lambda t: {"pk": indicator_rows(t).job.pk},
        every(404, anonymous=302, manager=200, staff=200),
    ),
    Case(
        "programmes:indicator",
        lambda t: {"pk": indicator_rows(t).indicator.pk},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
    ),
    *[
        Case(
            name,
            kwargs,
            every(404, anonymous=302, manager=200, referent=403, mayor_of_wassy=403, partner=403, staff=200),
        )
        for name, kwargs in [
            ("programmes:indicator_edit", lambda t: {"pk": indicator_rows(t).indicator.pk}),
            ("programmes:indicator_targets", lambda t: {"pk": indicator_rows(t).indicator.pk}),
            ("programmes:measurement_create", lambda t: {"pk": indicator_rows(t).indicator.pk}),
            ("programmes:measurement_edit", lambda t: {"pk": indicator_rows(t).measurement.pk}),
            # GET: the confirmation page
            ("programmes:measurement_delete", lambda t: {"pk": indicator_rows(t).measurement.pk}),
        ]
    ],
    # --- end issue 10, H1 ---
    # --- issue 10, H2: computed measurements ---
    # POST only (GET: 405); the personas' POSTs: tests/programmes/test_indicator_computations_refresh.py
    Case("programmes:indicators_compute", lambda t: {"pk": t.programme.pk}, every(405, anonymous=302)),
    Case(
        "programmes:indicator_compute", lambda t: {"pk": computed_indicator(t).pk}, every(405, anonymous=302)
    ),
    # --- end issue 10, H2 ---
    # --- issue 10, H3: programme dashboard ---
    # The programme's readers (manager, referent, partners) and staff; mayors read their commune's page (404).
    Case(
        "programme_dashboard",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "programme_dashboard",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    # --- end issue 10, H3 ---
    # --- issue 10, H4: commune page PDF ---
    # POST only (a fresh one-page summary, then its status page): GET answers 405 to the logged-in, the login page
    # to the anonymous; who may POST is in tests/pvd/test_commune_summary_pdf.py.
    Case("commune_summary_pdf", lambda t: {"insee_code": "52550"}, every(405, anonymous=302)),
    # --- end issue 10, H4 ---
    # --- issue 10, H5: annual reports ---
    # The programme's readers (manager, referent, partner) and staff read the reports, their page and XLSX; mayors,
    # the operator and outsiders find nothing (404). Creating and editing (POST) are the managers' (403 for the other
    # readers: tests/pvd/test_annual_report.py); the PDF is asked for by POST only.
    Case(
        "annual_reports",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "annual_reports",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    *[
        Case(
            name,
            lambda t: {"pk": annual_report_row(t).pk},
            every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
        )
        for name in ["annual_report", "annual_report_xlsx"]
    ],
    Case(
        "annual_report_pdf", lambda t: {"pk": annual_report_row(t).pk}, every(405, anonymous=302)
    ),  # POST only
    # --- end issue 10, H5 ---
    # --- issue 8, H1 ---
    # Bodies, members, meetings, agenda (with suggestions), attendance, invitations, documents. h1_rows: a comité de
    # projet of the programme with a member, a planned meeting with a point, an invitee and a document. Read pages:
    # the programme's readers and the mayors of its communes; edit pages: its managers (403 for the other readers);
    # operator and outsider: 404. Moving a point and sending the invitations are POST only (GET: 405).
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
        )
        for name, kwargs in [
            ("governance:committees", lambda t: {"pk": t.programme.pk}),
            ("governance:committee", lambda t: {"pk": h1_rows(t).committee.pk}),
            ("governance:meetings", lambda t: {"pk": t.programme.pk}),
            ("governance:meeting", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:meeting_ics", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:meeting_document", lambda t: {"pk": h1_rows(t).document.pk}),
        ]
    ],
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name, kwargs in [
            ("governance:committee_create", lambda t: {"pk": t.programme.pk}),
            ("governance:committee_edit", lambda t: {"pk": h1_rows(t).committee.pk}),
            ("governance:member_create", lambda t: {"pk": h1_rows(t).committee.pk}),
            ("governance:member_edit", lambda t: {"pk": h1_rows(t).member.pk}),
            ("governance:meeting_create", lambda t: {"pk": h1_rows(t).committee.pk}),
            ("governance:meeting_edit", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:agenda_item_create", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:agenda_suggestions", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:agenda_item_edit", lambda t: {"pk": h1_rows(t).item.pk}),
            ("governance:agenda_item_delete", lambda t: {"pk": h1_rows(t).item.pk}),
            ("governance:attendance", lambda t: {"pk": h1_rows(t).meeting.pk}),
            ("governance:meeting_document_create", lambda t: {"pk": h1_rows(t).meeting.pk}),
        ]
    ],
    Case("governance:agenda_item_move", lambda t: {"pk": h1_rows(t).item.pk}, every(405, anonymous=302)),
    Case("governance:meeting_invite", lambda t: {"pk": h1_rows(t).meeting.pk}, every(405, anonymous=302)),
    *[
        Case(
            name,
            lambda t: {"pk": t.other_programme.pk},
            every(404, anonymous=302, outsider=200, staff=200),
            label,
        )
        for name, label in [
            ("governance:committees", "another EPCI's programme"),
            ("governance:meetings", "another EPCI's programme"),
        ]
    ],
    # --- end issue 8, H1 ---
    # --- issue 8, H2 ---
    # Minutes, printable agenda and minutes, decisions, the decision register. h2_rows: a held meeting of the
    # programme's comité de projet, a point of its agenda, a decision on it, a decision taken online (arbitration).
    # Read pages: the programme's readers and the mayors of its communes; edit pages: its managers (403 for the
    # other readers); operator and outsider: 404. The PDFs are asked by POST only (GET: 405).
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=200,
                mayor_of_wassy=200,
                mayor_of_la_porte_du_der=200,
                partner=200,
                staff=200,
            ),
            label,
        )
        for name, kwargs, label in [
            ("governance:decisions", lambda t: {"pk": t.programme.pk}, ""),
            ("governance:decisions_export", lambda t: {"pk": t.programme.pk}, ""),
            ("governance:decision", lambda t: {"pk": h2_rows(t).decision.pk}, ""),
            ("governance:decision", lambda t: {"pk": h2_rows(t).online_decision.pk}, "decided online"),
        ]
    ],
    *[
        Case(
            name,
            kwargs,
            every(
                404,
                anonymous=302,
                manager=200,
                referent=403,
                mayor_of_wassy=403,
                mayor_of_la_porte_du_der=403,
                partner=403,
                staff=200,
            ),
        )
        for name, kwargs in [
            ("governance:minutes_edit", lambda t: {"pk": h2_rows(t).meeting.pk}),
            ("governance:decision_create", lambda t: {"pk": h2_rows(t).item.pk}),
            ("governance:decision_edit", lambda t: {"pk": h2_rows(t).decision.pk}),
        ]
    ],
    *[
        Case(
            "governance:meeting_print",
            lambda t, kind=kind: {"pk": h2_rows(t).meeting.pk, "kind": kind},
            every(405, anonymous=302),
            kind,
        )
        for kind in ["agenda", "minutes"]
    ],
    Case(
        "governance:decisions",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    # --- end issue 8, H2 ---
    # --- issue 8, H3 ---
    # Arbitration notes are internal: the programme's managers from the draft, its referents once submitted, staff;
    # mayors, partners, the operator and outsiders never (404 on a note; 403 for a partner on the programme's list,
    # which they may read). Managers create and edit (403 for the referent); decisions and other actions are POST
    # only (GET: 405). h3_rows: a draft, a note submitted to the referent, one to the comité de projet, one decided.
    Case(
        "governance:arbitrations",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=403, staff=200),
    ),
    Case(
        "governance:arbitrations",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "governance:arbitration_create",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
    ),
    Case(
        "governance:arbitration",
        lambda t: {"pk": h3_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, staff=200),
        label="draft",
    ),
    *[
        Case(
            "governance:arbitration",
            kwargs,
            every(404, anonymous=302, manager=200, referent=200, staff=200),
            label,
        )
        for kwargs, label in [
            (lambda t: {"pk": h3_rows(t).submitted.pk}, "submitted to the referent"),
            (lambda t: {"pk": h3_rows(t).body_submitted.pk}, "submitted to a body"),
            (lambda t: {"pk": h3_rows(t).decided.pk}, "decided"),
        ]
    ],
    Case(
        "governance:arbitration_edit",
        lambda t: {"pk": h3_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, staff=200),
        label="draft",
    ),
    Case(
        "governance:arbitration_edit",
        lambda t: {"pk": h3_rows(t).submitted.pk},
        every(404, anonymous=302, manager=302, referent=403, staff=302),
        label="submitted: back to the note",
    ),
    Case(
        "governance:arbitration_snapshot",
        lambda t: {"pk": h3_rows(t).decided.pk},
        every(404, anonymous=302, manager=200, referent=200, staff=200),
    ),
    Case(
        "governance:arbitration_snapshot",
        lambda t: {"pk": h3_rows(t).submitted.pk},
        every(404, anonymous=302),
        label="not decided yet",
    ),
    *[
        Case(name, kwargs, every(405, anonymous=302))  # POST only
        for name, kwargs in [
            ("governance:arbitration_from_alert", lambda t: {"pk": h3_rows(t).alert.pk}),
            ("governance:arbitration_submit", lambda t: {"pk": h3_rows(t).draft.pk}),
            ("governance:arbitration_decide", lambda t: {"pk": h3_rows(t).submitted.pk}),
            ("governance:arbitration_record_decision", lambda t: {"pk": h3_rows(t).body_submitted.pk}),
            ("governance:arbitration_reopen", lambda t: {"pk": h3_rows(t).decided.pk}),
            ("governance:arbitration_print", lambda t: {"pk": h3_rows(t).decided.pk}),
        ]
    ],
    Case("governance:inbox", NO_KWARGS, every(200, anonymous=302)),
    # --- end issue 8, H3 ---
    # --- issue 8, H4 ---
    # Options are read and written through their note: only the programme's managers (and staff) add, edit and set
    # the financing of the options of a draft (403 for the referent who reads it once submitted — never a draft, so
    # 404 here; 404 for everyone else). On a decided note the option pages send back to the note (302). Deleting
    # and implementing are POST only (GET: 405). h4_rows: a draft with option A, a decided note with option A.
    Case(
        "governance:option_create",
        lambda t: {"pk": h4_rows(t).draft.pk},
        every(404, anonymous=302, manager=200, staff=200),
        label="draft",
    ),
    Case(
        "governance:option_create",
        lambda t: {"pk": h4_rows(t).decided.pk},
        every(404, anonymous=302, manager=302, referent=403, staff=302),
        label="decided: back to the note",
    ),
    *[
        Case(
            name,
            lambda t: {"pk": h4_rows(t).option.pk},
            every(404, anonymous=302, manager=200, staff=200),
            "draft",
        )
        for name in ("governance:option_edit", "governance:option_financing")
    ],
    *[
        Case(
            name,
            lambda t: {"pk": h4_rows(t).decided_option.pk},
            every(404, anonymous=302, manager=302, referent=403, staff=302),
            "decided: back to the note",
        )
        for name in ("governance:option_edit", "governance:option_financing")
    ],
    Case("governance:option_delete", lambda t: {"pk": h4_rows(t).option.pk}, every(405, anonymous=302)),
    Case(
        "governance:arbitration_implement", lambda t: {"pk": h4_rows(t).decided.pk}, every(405, anonymous=302)
    ),
    # --- end issue 8, H4 ---
    # --- issue 8, H5 ---
    # Alerts: the list opens to every logged-in user (rows scoped: managers and referents see their programmes'
    # alerts, the others an empty list); an alert's page to the programme's managers and referents and staff
    # (404 for everyone else); acknowledging is POST only (GET: 405). Notifications: each user's own list; opening
    # another user's notification is 404 for everyone (staff included); marking all read is POST only.
    Case("governance:alerts", NO_KWARGS, every(200, anonymous=302)),
    Case(
        "governance:alert",
        lambda t: {"pk": h5_rows(t).alert.pk},
        every(404, anonymous=302, manager=200, referent=200, staff=200),
    ),
    Case(
        "governance:alert",
        lambda t: {"pk": h5_rows(t).other_alert.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case("governance:alert_acknowledge", lambda t: {"pk": h5_rows(t).alert.pk}, every(405, anonymous=302)),
    Case("governance:notifications", NO_KWARGS, every(200, anonymous=302)),
    Case(
        "governance:notification_open",
        lambda t: {"pk": h5_rows(t).notification.pk},
        every(404, anonymous=302),
        label="another user's",
    ),
    Case("governance:notification_read_all", NO_KWARGS, every(405, anonymous=302)),
    # --- end issue 8, H5 ---
    # --- issue 8, H6 ---
    # « Ma semaine » and the preferences: every logged-in user (their own); the token reset is POST only (GET: 405).
    # The calendar feed needs no login (the token is the credential): a known token answers 200 to anyone, an
    # unknown one 404.
    Case("governance:my_week", NO_KWARGS, every(200, anonymous=302)),
    Case("governance:preferences", NO_KWARGS, every(200, anonymous=302)),
    Case("governance:calendar_reset", NO_KWARGS, every(405, anonymous=302)),
    Case("governance:calendar_feed", lambda t: {"token": h6_rows(t).token}, every(200)),
    Case("governance:calendar_feed", lambda t: {"token": "inconnu"}, every(404), label="unknown token"),
    # --- end issue 8, H6 ---
]

# The Django admin is staff-only as a whole: its index and every model's list and add pages are walked.
ADMIN_NAMESPACE = "admin"


def admin_cases() -> list[Case]:
    cases = [Case("admin:index", NO_KWARGS, every(302, staff=200))]
    superuser_request = SimpleNamespace(
        user=SimpleNamespace(is_active=True, is_superuser=True, has_perm=lambda *a: True)
    )
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        cases.append(
            Case(f"admin:{opts.app_label}_{opts.model_name}_changelist", NO_KWARGS, every(302, staff=200))
        )
        # Some logs (django-axes attempts) cannot be added by hand, even by staff.
        add_status = 200 if model_admin.has_add_permission(superuser_request) else 403
        cases.append(
            Case(f"admin:{opts.app_label}_{opts.model_name}_add", NO_KWARGS, every(302, staff=add_status))
        )
    for label in sorted({model._meta.app_label for model in admin.site._registry}):
        cases.append(
            Case("admin:app_list", lambda t, label=label: {"app_label": label}, every(302, staff=200), label)
        )
    return cases


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<sans nom: {entry.pattern}>"


def test_every_url_pattern_is_in_the_matrix() -> None:
    covered = {case.name for case in CASES}
    missing = sorted(
        name
        for name in set(walk(get_resolver()))
        if not name.startswith(f"{ADMIN_NAMESPACE}:") and name not in covered
    )
    assert missing == [], f"URLs sans ligne dans la matrice d'accès : {missing}"


def test_the_matrix_names_no_url_that_does_not_exist() -> None:
    names = set(walk(get_resolver()))
    assert {case.name for case in CASES} <= names


ALL_CASES = CASES + admin_cases()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.name}{'[' + c.label + ']' if c.label else ''}")
def test_access(persona: str, case: Case, territory: Territory, client_for: Callable) -> None:
    url = reverse(case.name, kwargs=case.kwargs(territory))
    response = client_for(persona).get(url)
    assert response.status_code == case.expected[persona], f"{persona} GET {url}"
    if response.status_code == 302 and persona == ANON and not case.name.startswith("admin:"):
        assert response["Location"].startswith(reverse("accounts:login"))
