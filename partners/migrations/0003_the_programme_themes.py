"""The programme's themes: one vocabulary for stakes, engineering needs, offers and operations."""

from django.db import migrations

THEMES = [
    ("habitat", "Rénovation de l'habitat"),
    ("commerce", "Commerces, services et activités"),
    ("mobilite", "Mobilité"),
    ("espaces-publics", "Aménagement des espaces publics"),
    ("patrimoine", "Patrimoine"),
    ("culture", "Culture"),
    ("tourisme", "Tourisme"),
    ("transition-ecologique", "Transition écologique et environnement"),
    ("numerique", "Numérique"),
    ("participation", "Participation"),
    ("transversal", "Transversal"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("partners", "Theme")
    for order, (code, name) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def remove_themes(apps, schema_editor):
    apps.get_model("partners", "Theme").objects.filter(code__in=[code for code, _ in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_themes_and_offers")]
    operations = [migrations.RunPython(add_themes, remove_themes)]
