"""The alerts engine (issue 8, H5): providers in each app report `pvd.deadlines.AlertCandidate`s; `engine` raises,
escalates and resolves `governance.Alert`s from them."""
