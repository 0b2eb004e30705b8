"""Page-shaped reads of the operations app."""

from django.db.models import QuerySet

from operations.housing.selectors.results import CommuneHousing, commune_housing_aggregates
from operations.models import HousingProgramme
from partners.models import Organisation
from pvd.accounts.models import User


def housing_programmes_for_home(user: User) -> QuerySet[HousingProgramme]:
    return HousingProgramme.objects.visible_to(user).select_related("owner", "operator", "programme")


def housing_programmes_of_commune(commune: Organisation) -> QuerySet[HousingProgramme]:
    """Housing programmes covering a commune (aggregates only: no household data is read here)."""
    return commune.housing_programmes.select_related("operator").order_by("-starts_on", "pk")


def housing_programmes_of_programme(programme_id: int) -> QuerySet[HousingProgramme]:
    return HousingProgramme.objects.filter(programme_id=programme_id).select_related("operator", "operation")


__all__ = [
    "CommuneHousing",
    "commune_housing_aggregates",
    "housing_programmes_for_home",
    "housing_programmes_of_commune",
    "housing_programmes_of_programme",
]
