"""Public procurement (CCP 2026, DOMAIN.md §4): consultations, lots, criteria, bids and their scores, contracts
and their execution (service and purchase orders, sub-contractors, amendments, invoices), with the dated
thresholds and late-payment rates they are judged by."""
