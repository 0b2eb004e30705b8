"""The financers' publicity obligations DOMAIN.md §8 and §2.3 state: the DETR site panel whose proof goes with
the payment request (the préfecture guides). Other financers' requirements (EU emblem, Région, Département) are
[U]/[P] there: the administrator enters them from the decision that imposes them; a subsidy decision flagged
"obligation de publicité" already makes the financer's mention required (budget.selectors.publicity)."""

import datetime

from django.db import migrations

ROWS = [
    {
        "scheme": "detr",
        "label": "Panneau de chantier mentionnant la participation de l'État (DETR)",
        "description": (
            "Pendant les travaux, un panneau sur le site indique la participation financière de l'État au titre "
            "de la DETR ; une photographie du panneau est jointe aux pièces de la demande de paiement."
        ),
        "channels": ["signage"],
        "valid_from": datetime.date(2021, 1, 1),
        "source": "Préfectures (guides DETR : pièces de paiement) — DOMAIN.md §2.3 et §8",
    },
]


def add_publicity_reference(apps, schema_editor):
    Offer = apps.get_model("partners", "Offer")
    Requirement = apps.get_model("partners", "PublicityRequirement")
    for row in ROWS:
        values = dict(row)
        scheme = Offer.objects.filter(code=values.pop("scheme")).first()
        if scheme is None or Requirement.objects.filter(scheme=scheme, label=values["label"]).exists():
            continue
        Requirement.objects.create(scheme=scheme, funder_id=scheme.organisation_id, **values)


class Migration(migrations.Migration):
    dependencies = [("partners", "0007_publicity_requirements")]

    operations = [migrations.RunPython(add_publicity_reference, migrations.RunPython.noop)]
