import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from partners.services import GEOGRAPHY_DIR, geography_import, read_geography, write_geography_extract


class Command(BaseCommand):
    help = (
        "Importe les communes et EPCI depuis les fichiers de @etalab/decoupage-administratif "
        "(data/communes.json, data/epci.json). Sans option : l'extrait du territoire de démonstration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--communes", type=Path, default=GEOGRAPHY_DIR / "communes.json")
        parser.add_argument("--epci", type=Path, default=GEOGRAPHY_DIR / "epci.json")
        parser.add_argument(
            "--only-epci",
            nargs="*",
            default=[],
            metavar="SIREN",
            help="Ne garder que ces EPCI et leurs communes.",
        )
        parser.add_argument(
            "--write-extract",
            type=Path,
            metavar="DOSSIER",
            help="Écrire l'extrait filtré au lieu d'importer.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args: object, **options: object) -> None:
        communes, epcis = read_geography(options["communes"], options["epci"], options["only_epci"])
        if options["write_extract"]:
            write_geography_extract(communes, epcis, options["write_extract"])
            self.stdout.write(f"Extrait écrit : {len(communes)} communes, {len(epcis)} EPCI.")
            return
        with tqdm(
            total=len(communes) + len(epcis),
            unit=" lignes",
            desc="Géographie",
            disable=options["no_progress"] or options["verbosity"] == 0,
            file=sys.stderr,
        ) as bar:
            report = geography_import(communes=communes, epcis=epcis, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Géographie importée : {report.created} créées, {report.updated} mises à jour, "
                f"{report.unchanged} inchangées."
            )
        )
