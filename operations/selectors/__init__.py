"""Page-shaped reads of the operations app, one module per subject; cross-app pages read through here."""

from operations.selectors.housing import (
    housing_programmes_for_home,
    housing_programmes_of_commune,
    housing_programmes_of_programme,
)

__all__ = ["housing_programmes_for_home", "housing_programmes_of_commune", "housing_programmes_of_programme"]
