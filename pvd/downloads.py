"""Serving a stored file to a user the view has already let in: as an attachment, with the content type of its
checked extension, never kept by a shared cache (the access check must run on every download)."""

from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from programmes.validators import content_type_for


def private_download(file: FieldFile, filename: str = "") -> FileResponse:
    name = filename or PurePath(file.name).name
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=content_type_for(name)
    )
    response["Cache-Control"] = "private, no-store"
    return response
