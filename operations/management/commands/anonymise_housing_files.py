import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from operations.housing.services.privacy import anonymise_expired


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : « {value} » (format attendu AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = (
        "Anonymise les dossiers ménages clos, rejetés, abandonnés ou caducs depuis plus que la durée de "
        "conservation de leur dispositif (RGPD). Avec --dry-run : liste seulement les dossiers concernés."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Simulation : ne modifie rien.")
        parser.add_argument(
            "--date", metavar="AAAA-MM-JJ", help="Date de référence (par défaut : aujourd'hui)."
        )

    def handle(self, *args: object, **options: object) -> None:
        day = _day(options["date"]) if options["date"] else timezone.localdate()
        report = anonymise_expired(day=day, dry_run=bool(options["dry_run"]))
        *body, total = report.lines()
        for line in body:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(total) if not report.dry_run else total)
