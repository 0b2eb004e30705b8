"""`make bench-convention`: what our PDF path costs on a convention-cadre, against WeasyPrint alone.

On a throwaway SQLite database (or DATABASE_URL when given — never a database that matters: the script migrates
it and writes into it), builds one programme with 60 operations and their financing plans (bench/money.py), creates
its convention-cadre from the model (`convention_create`) and takes its snapshot; then times, median of 5 runs:
(a) our path, `pvd.documents.render_pdf("pdf/convention.html", pdf_context(snapshot, draft=False))`;
(b) WeasyPrint alone on the same HTML (rendered once), with the same base URL, fetcher and PDF/UA-1 variant.
Prints both, the ratio and the page count; writes bench/results/convention_render.json.
"""

import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_PATH = BASE_DIR / "bench" / "results" / "convention_render.json"
RUNS = 5
OPERATIONS = 60


def progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def build() -> tuple[object, object]:
    """A programme with 60 operations and their money, and its convention-cadre created from the model."""
    from bench.money import create_demo_money
    from operations.conventions.models import ConventionKind
    from operations.conventions.services.conventions import convention_create
    from operations.models import Operation
    from partners.models import Organisation, OrganisationKind
    from programmes.models import Programme
    from pvd.accounts.models import User

    epci = Organisation.objects.create(
        kind=OrganisationKind.EPCI,
        name="CA du Grand Saint-Dizier Der et Vallées",
        siren="200068666",
        epci_type="CA",
    )
    communes = [
        Organisation.objects.create(
            kind=OrganisationKind.COMMUNE, name=name, insee_code=code, population=population, epci=epci
        )
        for name, code, population in [("Wassy", "52550", 2771), ("La Porte du Der", "52331", 2099)]
    ]
    programme = Programme.objects.create(
        name="PVD Wassy et La Porte du Der",
        epci=epci,
        selected_on=datetime.date(2020, 12, 14),
        adhesion_signed_on=datetime.date(2021, 10, 29),
        ends_on=datetime.date(2026, 12, 31),
    )
    programme.communes.set(communes)
    for n in range(OPERATIONS):
        cost = Decimal(80_000 + 15_000 * (n % 20))
        Operation.objects.create(
            programme=programme,
            code=f"PVD-{n + 1:02d}",
            title=f"Opération n° {n + 1} : requalification d'un espace public du centre-bourg",
            owner=communes[n % 2],
            estimated_cost_ht=cost,
            estimated_cost_ttc=cost * Decimal("1.2"),
        )
    create_demo_money(programme)
    manager = User.objects.create_user("bench@pvd.example", full_name="Bench")
    convention = convention_create(
        by=manager,
        kind=ConventionKind.FRAMEWORK,
        title="Convention-cadre Petites Villes de Demain valant opération de revitalisation de territoire",
        programme=programme,
        starts_on=datetime.date(2023, 3, 30),
        ends_on=programme.ends_on,
    )
    return programme, convention


def main() -> None:
    sys.path.insert(0, str(BASE_DIR))
    workdir = tempfile.TemporaryDirectory(prefix="pvd-bench-convention-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pvd.settings",
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(Path(workdir.name) / "media"),
    )
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its per-step progress lines, five renders × 2
    from django.conf import settings
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from pypdf import PdfReader
    from weasyprint import HTML

    from operations.conventions.services.versions import pdf_context
    from operations.conventions.snapshot import take_snapshot
    from pvd import documents

    progress(f"migration de {database_url.split('?')[0]}")
    call_command("migrate", verbosity=0)
    progress(f"programme de {OPERATIONS} opérations avec leurs plans de financement, convention-cadre")
    _programme, convention = build()
    snapshot = take_snapshot(convention)
    context = pdf_context(snapshot, draft=False)

    def ours() -> bytes:
        return documents.render_pdf("pdf/convention.html", pdf_context(snapshot, draft=False))

    # The same HTML as our path renders (the territory's name and logo come from the settings there).
    territory = {
        "territory_name": settings.TERRITORY_NAME,
        "territory_short_name": settings.TERRITORY_SHORT_NAME,
        "territory_logo": settings.TERRITORY_LOGO,
    }
    html = render_to_string("pdf/convention.html", {**territory, **context})
    fetcher = documents._static_fetcher()
    base_url = f"{documents.STATIC_DIR}/"

    def weasyprint_alone() -> bytes:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")

    progress("premier rendu (chargement des polices, non mesuré)")
    pdf = ours()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    progress(f"{RUNS} rendus par notre chemin, {RUNS} par WeasyPrint seul")
    our_runs = [timed(ours) for _ in range(RUNS)]
    alone_runs = [timed(weasyprint_alone) for _ in range(RUNS)]
    ours_median, alone_median = statistics.median(our_runs), statistics.median(alone_runs)
    result = {
        "measured_on": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": database_url.split(":", 1)[0],
        "operations": OPERATIONS,
        "articles": len(snapshot.get("articles", [])),
        "html_bytes": len(html.encode()),
        "pdf_bytes": len(pdf),
        "pages": pages,
        "runs": RUNS,
        "ours_seconds": [round(s, 3) for s in our_runs],
        "weasyprint_seconds": [round(s, 3) for s in alone_runs],
        "ours_median_seconds": round(ours_median, 3),
        "weasyprint_median_seconds": round(alone_median, 3),
        "ratio": round(ours_median / alone_median, 3),
        "seconds_per_page": round(ours_median / pages, 3) if pages else None,
    }
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Convention-cadre : {pages} pages, {OPERATIONS} opérations, {result['articles']} articles")
    print(f"Notre chemin (render_pdf) : médiane {ours_median:.2f} s sur {RUNS} rendus")
    print(f"WeasyPrint seul           : médiane {alone_median:.2f} s sur {RUNS} rendus")
    print(f"Rapport                   : × {result['ratio']:.2f} ; {result['seconds_per_page']} s par page")
    print(f"Résultats : {RESULTS_PATH.relative_to(BASE_DIR)}")
    workdir.cleanup()


if __name__ == "__main__":
    main()
