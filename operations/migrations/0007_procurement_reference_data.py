"""Reference data of procurement (DOMAIN.md §4.1, DOMAIN_RULES.md §1): the dated thresholds and the late-payment
rates. Idempotent; a row edited since by the administrator is left as it is.

Only verified values are shipped, from 2020 (décret 2019-1344) on, the temporary works regimes of 2020–2025
included; a consultation launched before 2020 says that the threshold is missing instead of guessing.
The ECB rate is the main refinancing rate in force on 1 January / 1 July of the half-year (R2192-31); the
last row stays in force until the administrator enters the next half-year's.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date

THRESHOLDS = [
    # kind, nature, value HT, from, until, reference
    ("exemption", "supplies_services", "40000", D(2020, 1, 1), D(2026, 3, 31),
     "CCP art. R2122-8 (décret n° 2019-1344 du 12 décembre 2019)"),
    ("exemption", "supplies_services", "60000", D(2026, 4, 1), None,
     "CCP art. R2122-8 (décret n° 2025-1386 du 29 décembre 2025)"),
    ("exemption", "works", "40000", D(2020, 1, 1), D(2020, 7, 23),
     "CCP art. R2122-8 (décret n° 2019-1344 du 12 décembre 2019)"),
    ("exemption", "works", "70000", D(2020, 7, 24), D(2020, 12, 7),
     "Décret n° 2020-893 du 22 juillet 2020 (relèvement temporaire)"),
    ("exemption", "works", "100000", D(2020, 12, 8), D(2025, 12, 31),
     "Loi n° 2020-1525 (ASAP) art. 142, prorogé par les décrets n° 2022-1683 et n° 2024-1217"),
    ("exemption", "works", "100000", D(2026, 1, 1), None,
     "CCP art. R2122-8 (décret n° 2025-1386 du 29 décembre 2025)"),
    ("publicity", "all", "90000", D(2016, 4, 1), None, "CCP art. R2131-12 (BOAMP ou JAL et profil d'acheteur)"),
    ("eu", "supplies_services", "214000", D(2020, 1, 1), D(2021, 12, 31),
     "Règlement délégué (UE) 2019/1828 ; avis CCP seuils 2020-2021"),
    ("eu", "works", "5350000", D(2020, 1, 1), D(2021, 12, 31),
     "Règlement délégué (UE) 2019/1828 ; avis CCP seuils 2020-2021"),
    ("eu", "supplies_services", "215000", D(2022, 1, 1), D(2023, 12, 31),
     "Règlement délégué (UE) 2021/1952 ; avis CCP seuils 2022-2023"),
    ("eu", "works", "5382000", D(2022, 1, 1), D(2023, 12, 31),
     "Règlement délégué (UE) 2021/1952 ; avis CCP seuils 2022-2023"),
    ("eu", "supplies_services", "221000", D(2024, 1, 1), D(2025, 12, 31),
     "Règlement délégué (UE) 2023/2497 ; avis CCP seuils 2024-2025"),
    ("eu", "works", "5538000", D(2024, 1, 1), D(2025, 12, 31),
     "Règlement délégué (UE) 2023/2497 ; avis CCP seuils 2024-2025"),
    ("eu", "supplies_services", "216000", D(2026, 1, 1), D(2027, 12, 31),
     "Règlements délégués (UE) 2025/2150 et 2025/2152 (collectivités territoriales)"),
    ("eu", "works", "5404000", D(2026, 1, 1), D(2027, 12, 31),
     "Règlements délégués (UE) 2025/2150 et 2025/2152"),
]

LATE_PAYMENT = [
    # from, until, ECB main refinancing rate
    (D(2024, 1, 1), D(2024, 6, 30), "0.0450"),
    (D(2024, 7, 1), D(2024, 12, 31), "0.0425"),
    (D(2025, 1, 1), D(2025, 6, 30), "0.0315"),
    (D(2025, 7, 1), D(2025, 12, 31), "0.0215"),
    (D(2026, 1, 1), None, "0.0215"),
]
LATE_PAYMENT_REFERENCE = "CCP art. R2192-10 et R2192-31 à R2192-36 (taux BCE au 1er jour du semestre + 8 points ; 40 €)"


def add_procurement_reference_data(apps, schema_editor):
    Threshold = apps.get_model("operations", "ProcurementThreshold")
    LatePaymentRate = apps.get_model("operations", "LatePaymentRate")
    for kind, nature, value, valid_from, valid_until, reference in THRESHOLDS:
        Threshold.objects.get_or_create(
            kind=kind,
            nature=nature,
            valid_from=valid_from,
            defaults={"value_ht": Decimal(value), "valid_until": valid_until, "legal_reference": reference},
        )
    for valid_from, valid_until, ecb in LATE_PAYMENT:
        LatePaymentRate.objects.get_or_create(
            valid_from=valid_from,
            defaults={
                "valid_until": valid_until,
                "ecb_rate": Decimal(ecb),
                "margin": Decimal("0.08"),
                "flat_fee": Decimal("40.00"),
                "payment_days": 30,
                "legal_reference": LATE_PAYMENT_REFERENCE,
            },
        )


def remove_procurement_reference_data(apps, schema_editor):
    apps.get_model("operations", "ProcurementThreshold").objects.all().delete()
    apps.get_model("operations", "LatePaymentRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("operations", "0006_procurement")]
    operations = [migrations.RunPython(add_procurement_reference_data, remove_procurement_reference_data)]
