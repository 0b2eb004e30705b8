"""Demo of the annual report (issue 10): the report of the current year for the demo programme, with a short
assessment written by the cheffe de projet. The current year, not the last one: the demo's operations are created
(and their history starts) when the demo loads, so a past year would show an empty action plan. Idempotent: a second
load finds the report and changes nothing."""

from django.utils import timezone

from programmes.indicators.models import AnnualReport
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.dashboards import services

ASSESSMENT = """\
{year} a été l'année du passage des études aux travaux : la convention-cadre valant ORT fixe le plan d'actions et \
les premières opérations du centre de Wassy sont engagées, leurs plans de financement bouclés.

Difficultés : les délais d'instruction des subventions et la hausse du coût des travaux ont décalé des opérations \
de plusieurs mois ; la vacance commerciale du centre-bourg reste élevée malgré les premières aides à l'installation.

Perspectives {next_year} : livrer la requalification des espaces publics engagés, lancer les consultations de travaux \
de La Porte du Der et consolider les mesures des indicateurs (vacance, commerces) avec les communes."""


def load(programme: Programme, users: dict[str, User]) -> AnnualReport:
    year = timezone.localdate().year
    report = AnnualReport.objects.filter(programme=programme, year=year).first()
    if report is not None:
        return report
    return services.annual_report_create(
        programme=programme,
        year=year,
        by=users["cheffe-de-projet"],
        assessment=ASSESSMENT.format(year=year, next_year=year + 1),
    )
