"""Writes of the ORT perimeters (*secteurs d'intervention*, CCH L303-2; DOMAIN.md §1.4) of a programme.

A sector lies in one of the programme's communes. Keyword-only, atomic, audited; updates refuse a stale version.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from partners.models import Organisation
from programmes.models import OrtSector, Programme
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned


def _check_commune(programme: Programme, commune: Organisation) -> None:
    if not programme.communes.filter(pk=commune.pk).exists():
        raise ValidationError({"commune": f"{commune.name} n'est pas une commune du programme."})


@transaction.atomic
def ort_sector_create(
    *,
    programme: Programme,
    by: User,
    name: str,
    commune: Organisation,
    is_town_centre: bool = True,
    description: str = "",
    order: int = 1,
    map_file: UploadedFile | None = None,
) -> OrtSector:
    """Add a sector of intervention. The map must have passed the form's checks (PDF, PNG or JPEG, size)."""
    _check_commune(programme, commune)
    sector = OrtSector(
        programme=programme,
        name=name,
        commune=commune,
        is_town_centre=is_town_centre,
        description=description,
        order=order,
    )
    if map_file is not None:
        sector.map_file = map_file
    save_audited(sector, by)
    return sector


@transaction.atomic
def ort_sector_update(
    *,
    sector: OrtSector,
    expected_version: int,
    by: User,
    name: str,
    commune: Organisation,
    is_town_centre: bool,
    description: str,
    order: int,
    map_file: UploadedFile | None = None,
    remove_map: bool = False,
) -> OrtSector:
    _check_commune(sector.programme, commune)
    changes: dict[str, object] = {
        "name": name,
        "commune": commune,
        "is_town_centre": is_town_centre,
        "description": description,
        "order": order,
    }
    if map_file is not None:
        changes["map_file"] = map_file
    elif remove_map:
        changes["map_file"] = ""
    return save_versioned(sector, expected_version=expected_version, by=by, changes=changes)
