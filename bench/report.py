"""The bench report: machine context, a readable text rendering, and the JSON file."""

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

import django

SCALES = (("demo", "1× (démo)"), ("national", "national"))


def _git_commit(base_dir: Path) -> str:
    """Short commit, marked when the working tree has changes the numbers may owe something to."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=base_dir, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=base_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "inconnu"
    return f"{commit} (+ modifications non validées)" if dirty else commit


def machine_info(base_dir: Path, postgres_version: str) -> dict[str, object]:
    return {
        "commit": _git_commit(base_dir),
        "cpus": len(os.sched_getaffinity(0)),  # what `nproc` prints
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres_version,
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "generated_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# --- Text rendering ---------------------------------------------------------------------------------------


def number(value: float, digits: int = 0) -> str:
    """French-style number for the printed report: 34 935 ; 12,3."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{number(seconds, 1)} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _count(value: int, singular: str, plural: str) -> str:
    return f"{number(value)} {singular if value == 1 else plural}"


def _volumes_line(volumes: dict[str, int]) -> str:
    return ", ".join(
        [
            _count(volumes["communes"], "commune", "communes"),
            f"{number(volumes['epcis'])} EPCI",
            _count(volumes["programmes"], "programme", "programmes"),
            _count(volumes["users"], "compte", "comptes"),
            _count(volumes["memberships"], "habilitation", "habilitations"),
        ]
    )


def _money_volumes_line(volumes: dict[str, int]) -> str:
    return ", ".join(
        [
            _count(volumes["operations"], "opération", "opérations"),
            _count(volumes["financing_plans"], "plan de financement", "plans de financement"),
            _count(volumes["financing_lines"], "ligne de financement", "lignes de financement"),
            _count(volumes["subsidy_requests"], "demande de subvention", "demandes de subvention"),
            _count(volumes["subsidy_allocations"], "affectation", "affectations"),
            _count(volumes["subsidy_payments"], "versement", "versements"),
            _count(volumes["planned_investments"], "ligne du PPI", "lignes du PPI"),
            f"{number(volumes['authorisations'])} AP",
            f"{number(volumes['payment_credits'])} CP",
            _count(volumes["budget_lines"], "ligne budgétaire", "lignes budgétaires"),
            _count(volumes["expenses"], "dépense", "dépenses"),
            _count(volumes.get("housing_files", 0), "dossier ménage", "dossiers ménages"),
            _count(volumes.get("housing_grants", 0), "aide habitat", "aides habitat"),
        ]
    )


def _money_line(label: str, timing: dict | None) -> str:
    if timing is None:
        return f"  {label} : le programme avait déjà un plan de financement, rien d'ajouté"
    rows = sum(value for key, value in timing.items() if key not in {"seconds", "programmes"})
    return (
        f"  {label} : {_count(timing['programmes'], 'programme', 'programmes')}, "
        f"{number(timing['operations'])} opérations créées, {number(rows)} lignes en tout, "
        f"en {duration(timing['seconds'])} ({number(rows / timing['seconds'])} lignes/s)"
    )


def _housing_line(timing: dict | None) -> str:
    if not timing:
        return "  Habitat : non mesuré"
    rows = timing["housing_programmes"] + timing["files"] + timing["grants"] + timing["payments"]
    return (
        f"  Habitat (bench/housing.py) : {number(timing['housing_programmes'])} OPAH-RU, "
        f"{number(timing['files'])} dossiers, {number(timing['grants'])} aides, {number(timing['payments'])} "
        f"versements, en {duration(timing['seconds'])} ({number(rows / timing['seconds'])} lignes/s)"
    )


def _import_line(label: str, run: dict[str, float]) -> str:
    return (
        f"  {label:<14}{duration(run['seconds']):>9}   {number(run['rows_per_second']):>7} lignes/s   "
        f"créées {number(run['created'])}, mises à jour {number(run['updated'])}, "
        f"inchangées {number(run['unchanged'])}"
    )


GROWTH_FACTOR = 2.0  # national / 1× median above which a page is flagged as growing with the data
GROWTH_MIN_MS = 5.0  # …provided it also lost that many milliseconds (below, it is noise)


def _status(demo: dict, national: dict) -> str:
    return (
        str(demo["status"])
        if demo["status"] == national["status"]
        else f"{demo['status']}/{national['status']}"
    )


def _pages_table(scales: dict[str, dict]) -> list[str]:
    demo_pages = scales["demo"]["pages"]
    national = {p["key"]: p for p in scales["national"]["pages"]}
    label_width = max(len(p["label"]) for p in demo_pages) + 2  # + " *" for pages whose scope grows
    cell = "{:>8} {:>8} {:>6} {:>5} {:>7}"
    cell_width = len(cell.format(*[""] * 5))
    header = cell.format("méd. ms", "p95 ms", "ratio", "req.", "ko")
    lines = [
        " " * (label_width + 11) + "  ".join(f"── {title} ".ljust(cell_width, "─") for _, title in SCALES),
        f"{'Page':<{label_width}}  {'code':>7}  {header}  {header}  nat./1×",
    ]
    for demo in demo_pages:
        nat = national[demo["key"]]
        cells = [
            cell.format(
                number(p["median_ms"], 1),
                number(p["p95_ms"], 1),
                number(p["ratio"], 1),
                p["queries"],
                number(p["size_kb"], 0 if p["size_kb"] >= 100 else 1),
            )
            for p in (demo, nat)
        ]
        growth = "×" + number(nat["median_ms"] / demo["median_ms"], 1)
        label = demo["label"] + (" *" if demo["scope_grows"] else "")
        lines.append(f"{label:<{label_width}}  {_status(demo, nat):>7}  {'  '.join(cells)}  {growth:>7}")
    if any(p["scope_grows"] for p in demo_pages):
        lines.append(
            "* périmètre qui grandit avec le pays : la page peut changer de forme (redirection → liste)."
        )
    return lines


def _scale_warnings(scales: dict[str, dict]) -> list[str]:
    """What changes between the two scales: the first thing to look at after a run."""
    national = {p["key"]: p for p in scales["national"]["pages"]}
    shape, growth = [], []
    for demo in scales["demo"]["pages"]:
        nat = national[demo["key"]]
        # A page whose scope grows may change shape (a redirect becomes a list): only its time is checked.
        if not demo["scope_grows"] and nat["queries"] != demo["queries"]:
            shape.append(
                f"  ⚠ {demo['label']} : {demo['queries']} requêtes à 1×, {nat['queries']} au national"
            )
        if not demo["scope_grows"] and nat["status"] != demo["status"]:
            shape.append(f"  ⚠ {demo['label']} : code {demo['status']} à 1×, {nat['status']} au national")
        if (
            nat["median_ms"] > GROWTH_FACTOR * demo["median_ms"]
            and nat["median_ms"] - demo["median_ms"] > GROWTH_MIN_MS
        ):
            growth.append(
                f"  ⚠ {demo['label']} : {number(demo['median_ms'], 1)} ms à 1×, "
                f"{number(nat['median_ms'], 1)} ms au national — le temps croît avec le volume"
            )
    if not shape:
        shape.append("  ✔ Même nombre de requêtes et mêmes codes HTTP aux deux échelles (pages sans *).")
    return shape + growth


def _scoped_lists_table(scales: dict[str, dict]) -> list[str]:
    demo_lists = scales["demo"]["scoped_lists"]
    national = {s["key"]: s for s in scales["national"]["scoped_lists"]}
    label_width = max(len(s["label"]) for s in demo_lists)
    cell = "{:>8} {:>8} {:>7}"
    cell_width = len(cell.format("", "", ""))
    header = cell.format("méd. ms", "p95 ms", "lignes")
    lines = [
        " " * (label_width + 2) + "  ".join(f"── {title} ".ljust(cell_width, "─") for _, title in SCALES),
        f"{'Liste':<{label_width}}  {header}  {header}  nat./1×",
    ]
    for demo in demo_lists:
        nat = national[demo["key"]]
        cells = [
            cell.format(number(s["median_ms"], 2), number(s["p95_ms"], 2), number(s["rows"]))
            for s in (demo, nat)
        ]
        growth = "×" + number(nat["median_ms"] / demo["median_ms"], 1)
        lines.append(f"{demo['label']:<{label_width}}  {'  '.join(cells)}  {growth:>7}")
    return lines


def render(report: dict) -> str:
    machine, geography, dataset, scales = (
        report["machine"],
        report["geography"],
        report["dataset"],
        report["scales"],
    )
    rule = "═" * 100
    machine_line = (
        f"Machine : {machine['cpus']} processeurs (nproc), Python {machine['python']}, "
        f"Django {machine['django']}, PostgreSQL {machine['postgresql']}, {machine['system']}"
    )
    files_line = (
        f"  Fichiers : {number(geography['communes_in_files'])} communes actuelles, "
        f"{number(geography['epcis_in_files'])} EPCI ({geography['source']})"
    )
    dataset_line = (
        f"  {number(dataset['programmes'])} programmes PVD, {number(dataset['users'])} comptes et "
        f"{number(dataset['memberships'])} habilitations (chef de projet + maire) créés en "
        f"{duration(dataset['seconds'])}"
    )
    pages_title = (
        f"3. Pages — médiane et p95 de {report['runs']} requêtes après {report['warmups']} de chauffe ; "
        "ratio = médiane / vue nue ; req. = requêtes SQL ; ko = taille de la réponse"
    )
    personas_line = (
        "  de Wassy, l'administrateur (démo) et un partenaire de tous les programmes "
        f"({number(scales['demo']['volumes']['programmes'])} à 1×, "
        f"{number(scales['national']['volumes']['programmes'])} au national)."
    )
    lines = [
        rule,
        "PVD Pilot — make bench",
        f"Commit {machine['commit']} · {machine['generated_at']}",
        machine_line,
        f"Base : {report['database']} (recréée ; migrations en {duration(report['migrate_seconds'])})",
        rule,
        "",
        f"1. Import national de la géographie ({geography['package']}, geography_import)",
        files_line,
        _import_line("1er passage", geography["first_run"]),
        _import_line("2e passage", geography["second_run"]),
        "  ✔ Idempotent : le 2e passage ne crée ni ne modifie rien.",
        "  (Le territoire de démonstration était déjà chargé : ses communes et son EPCI sont les « inchangées ».)",
        "",
        "2. Jeu de données national",
        dataset_line,
        "  Argent (bench/money.py, bulk_create par lots de 1 000, sans historique) :",
        _money_line("  démo (opérations existantes)", report["money"]["demo"]),
        _money_line("  national", report["money"]["national"]),
        _housing_line(report.get("housing")),
        f"  Volumes 1× (démo)  : {_volumes_line(scales['demo']['volumes'])}",
        f"                       {_money_volumes_line(scales['demo']['volumes'])}",
        f"  Volumes national   : {_volumes_line(scales['national']['volumes'])}",
        f"                       {_money_volumes_line(scales['national']['volumes'])}",
        "",
        pages_title,
        "  Mêmes comptes aux deux échelles : la cheffe de projet du programme de Wassy et La Porte du Der, la maire",
        personas_line,
        "",
        *_pages_table(scales),
        "",
        *_scale_warnings(scales),
        "",
        "4. Listes filtrées par policy.visible_to, sans page autour (list(Modèle.objects.visible_to(compte)))",
        "  Aucune page ne liste encore les organisations : annuaire, filtres et listes déroulantes le feront.",
        "  Demandes de subvention et lignes de financement : ce que filtrent les pages d'argent ; pour le",
        "  partenaire national, tout le pays.",
        "",
        *_scoped_lists_table(scales),
        "",
        f"Durée totale : {duration(report['total_seconds'])}  ·  rapport JSON : {report['json_path']}",
    ]
    return "\n".join(lines)


def write_json(report: dict, path: Path) -> None:
    """Written to a .tmp file then renamed: an interrupted run never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
    partial.replace(path)
