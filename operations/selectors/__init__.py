"""Page-shaped reads of the operations app, one module per subject; cross-app pages read through here."""

from operations.selectors.housing import (
    housing_programmes_for_home,
    housing_programmes_of_commune,
    housing_programmes_of_programme,
)
from operations.selectors.tracking import commune_operations, escalated_difficulties, tracking_for_page

__all__ = ["housing_programmes_for_home", "housing_programmes_of_commune", "housing_programmes_of_programme"]
__all__ += ["commune_operations", "escalated_difficulties", "tracking_for_page"]
