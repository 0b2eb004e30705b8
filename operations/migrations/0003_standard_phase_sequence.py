"""The standard public-works sequence offered as a template for an operation's phases (editable)."""

from decimal import Decimal

from django.db import migrations

SEQUENCE = [
    ("Études préalables", Decimal("1"), 6),
    ("Programmation", Decimal("1"), 4),
    ("Maîtrise d'œuvre (conception)", Decimal("2"), 9),
    ("Consultation des entreprises", Decimal("1"), 4),
    ("Travaux", Decimal("4"), 12),
    ("Réception", Decimal("1"), 1),
]


def add_sequence(apps, schema_editor):
    PhaseTemplate = apps.get_model("operations", "PhaseTemplate")
    for order, (name, weight, months) in enumerate(SEQUENCE, start=1):
        PhaseTemplate.objects.update_or_create(
            name=name, defaults={"order": order, "weight": weight, "typical_months": months}
        )


def remove_sequence(apps, schema_editor):
    apps.get_model("operations", "PhaseTemplate").objects.filter(name__in=[n for n, _, _ in SEQUENCE]).delete()


class Migration(migrations.Migration):
    dependencies = [("operations", "0002_operations_phases_journal_risks")]
    operations = [migrations.RunPython(add_sequence, remove_sequence)]
