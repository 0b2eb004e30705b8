"""`make bench`: national-scale timings of PVD Pilot on PostgreSQL, printed and saved as JSON.

Steps (bench/README.md says why each one is there):
1. drop and recreate the bench database (DATABASE_URL, default pvd_bench), migrate, collect static files;
2. load the demo territory and time the key pages at 1× — 60 communes, one programme;
3. time the import of the national geography (@etalab/decoupage-administratif 6.0.0), twice;
4. create 1,646 PVD programmes with their managers and mayors, ~17 operations each with their money
   (financing plans, subsidies, PPI, AP/CP, budget lines, expenses), an OPAH-RU each with 213 household files
   (~350,000), and time the same pages again.
If the demo programme has no money of its own, its operations get the same before 1× (bench/money.py).
Pages and the access policy's scoped lists are measured at both scales, for the same accounts: three demo
accounts, and a partner of every programme that the bench creates.

Progress goes to stderr, the report to stdout and to bench/results/latest.json.
"""

import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CACHE_DIR = BASE_DIR / "var" / "bench"  # npm tarball, extracted geography, collected static files
RESULTS_PATH = BASE_DIR / "bench" / "results" / "latest.json"

# Production-like settings: no DEBUG (templates cached, no query log), manifest static files.
BENCH_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "pvd.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false",
    "STATIC_ROOT": str(CACHE_DIR / "static"),
}


def progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def measure_scale() -> dict[str, object]:
    """Everything measured at one scale: row counts, pages, scoped lists. Call after django.setup()."""
    from bench import dataset, pages, scoping

    return {
        "volumes": asdict(dataset.Volumes.count()),
        "pages": [result.as_dict() for result in pages.measure_pages()],
        "scoped_lists": [result.as_dict() for result in scoping.measure_scoped_lists()],
    }


def main() -> None:
    started = time.perf_counter()
    # `python bench/run.py` puts bench/ first on sys.path; the project needs its root there.
    sys.path.insert(0, str(BASE_DIR))
    from bench import database

    url = database.database_url()
    os.environ.update(BENCH_ENVIRONMENT, DATABASE_URL=url)
    progress(f"Base {url} : suppression et recréation")
    db = database.recreate(url)

    import django

    django.setup()

    # Everything below reads the models: imported once Django is set up.
    from django.core.management import call_command

    from bench import dataset, geography, housing, money, pages, report
    from pvd.demo import load_demo

    progress("Géographie nationale : npm pack (ou cache var/bench/)")
    files = geography.fetch_package(CACHE_DIR)

    progress("Migrations et fichiers statiques")
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - start
    # DEBUG=false serves static files through their manifest: {% static %} needs it.
    call_command("collectstatic", interactive=False, verbosity=0)

    # 1×: the demo territory alone, measured before anything national is loaded.
    progress("Territoire de démonstration et pages à 1×")
    load_demo()
    demo_money = money.create_demo_money(pages.demo_programme())
    dataset.ensure_national_partner()
    dataset.analyze()
    demo_scale = measure_scale()

    progress("Import national de la géographie, 1er passage")
    first_run = geography.time_national_import(files)
    progress("Import national de la géographie, 2e passage")
    second_run = geography.time_national_import(files)
    if second_run.created or second_run.updated:
        raise SystemExit(
            f"L'import n'est pas idempotent : 2e passage, {second_run.created} créées, "
            f"{second_run.updated} mises à jour (0 attendu)."
        )

    progress(f"{dataset.PVD_PROGRAMME_COUNT} programmes, leurs chefs de projet et leurs maires")
    national_dataset = dataset.create_national_programmes()
    dataset.ensure_national_partner()
    progress(f"{money.OPERATIONS_PER_PROGRAMME} opérations par programme et leur argent")
    national_money = money.create_national_money()
    progress(f"{housing.FILES_PER_PROGRAMME} dossiers ménages par programme (une OPAH-RU chacun)")
    national_housing = housing.create_national_housing(exclude_programme=pages.demo_programme())
    progress(f"Gouvernance : {dataset.GOVERNANCE_MEETINGS} réunions, arbitrages et alertes par programme")
    national_governance = dataset.create_national_governance(exclude_programme=pages.demo_programme())
    dataset.analyze()
    progress("Pages à l'échelle nationale")
    national_scale = measure_scale()

    results = {
        "machine": report.machine_info(BASE_DIR, db.server_version),
        "database": db.name,
        "migrate_seconds": migrate_seconds,
        "warmups": pages.WARMUPS,
        "runs": pages.RUNS,
        "geography": {
            "package": geography.PACKAGE_SPEC,
            "source": "téléchargé" if files.downloaded else "cache var/bench/",
            "communes_in_files": first_run.communes,
            "epcis_in_files": first_run.epcis,
            "first_run": first_run.as_dict(),
            "second_run": second_run.as_dict(),
        },
        "dataset": asdict(national_dataset),
        "money": {
            "demo": asdict(demo_money) if demo_money else None,
            "national": asdict(national_money),
        },
        "housing": asdict(national_housing),
        "governance": asdict(national_governance),
        "scales": {"demo": demo_scale, "national": national_scale},
        "json_path": str(RESULTS_PATH.relative_to(BASE_DIR)),
        "total_seconds": time.perf_counter() - started,
    }
    report.write_json(results, RESULTS_PATH)
    print(report.render(results))


if __name__ == "__main__":
    main()
