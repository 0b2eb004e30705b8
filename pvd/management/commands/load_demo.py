from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pvd.demo import ACCOUNTS, DEMO_PASSWORD, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Charge le territoire de démonstration (géographie réelle, programme PVD, comptes de démo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Autoriser le chargement avec DEBUG=false.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Ne rien faire si la démo est déjà chargée."
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusé : DEBUG=false (production ?). Les comptes de démo ont un mot de passe public. "
                "Ajoutez --force si c'est bien voulu."
            )
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("Démo déjà chargée.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Territoire de démonstration chargé."))
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.email:<36} {account.description}")
