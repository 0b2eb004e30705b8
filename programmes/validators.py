"""Uploaded documents: a size limit and a type recognised from the file's content, not only its name.

The limit and the accepted types are settings (`UPLOAD_MAX_BYTES`, `UPLOAD_ALLOWED_TYPES`). The type is read
from the first bytes (PDF, OLE2 for DOC/XLS, JPEG, PNG) or, for ZIP containers, from their inner files
(`mimetype` for OpenDocument, `[Content_Types].xml` and the main folder for Office Open XML), and the
extension must agree with it: a renamed executable or a ZIP called « .pdf » is refused.
"""

import math
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


FILE_TYPES = {
    t.code: t
    for t in [
        FileType("pdf", "PDF", ("pdf",), "application/pdf"),
        FileType("odt", "ODT", ("odt",), "application/vnd.oasis.opendocument.text"),
        FileType("ods", "ODS", ("ods",), "application/vnd.oasis.opendocument.spreadsheet"),
        FileType(
            "docx",
            "DOCX",
            ("docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileType(
            "xlsx", "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        FileType(
            "pptx",
            "PPTX",
            ("pptx",),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        FileType("doc", "DOC", ("doc",), "application/msword"),
        FileType("xls", "XLS", ("xls",), "application/vnd.ms-excel"),
        FileType("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg"),
        FileType("png", "PNG", ("png",), "image/png"),
    ]
}

PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Word 97-2003, Excel 97-2003 (compound document)
JPEG_MAGIC = bytes.fromhex("FFD8FF")
PNG_MAGIC = bytes.fromhex("89504E470D0A1A0A")
ZIP_MAGIC = b"PK\x03\x04"

ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
OOXML_MAIN_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


def allowed_types() -> list[FileType]:
    return [FILE_TYPES[code] for code in settings.UPLOAD_ALLOWED_TYPES]


def allowed_labels() -> str:
    """« PDF, ODT, ODS, … » for help texts and messages."""
    return ", ".join(t.label for t in allowed_types())


def format_megabytes(size: int) -> str:
    """Bytes as « 20 » or « 20,1 » Mo (1 Mo = 1 048 576 octets), rounded up: a file just over the limit
    never reads as equal to it."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    whole, tenth = divmod(tenths, 10)
    return f"{whole},{tenth}" if tenth else str(whole)


def _zip_kind(file: IO[bytes]) -> set[str]:
    """The possible types of a ZIP container, from its inner files (empty: not a document we know)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = ODF_MIMETYPES.get(archive.read("mimetype").strip())
                return {kind} if kind else set()
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    return {"macro"}
                return {
                    code
                    for folder, code in OOXML_MAIN_FOLDERS.items()
                    if any(n.startswith(folder) for n in names)
                }
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return set()
    return set()


def detect_types(file: IO[bytes]) -> set[str]:
    """The type codes the content can be (OLE2 cannot tell DOC from XLS without parsing: both)."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(PDF_MAGIC):
            return {"pdf"}
        if head.startswith(OLE2_MAGIC):
            return {"doc", "xls"}
        if head.startswith(JPEG_MAGIC):
            return {"jpeg"}
        if head.startswith(PNG_MAGIC):
            return {"png"}
        if head.startswith(ZIP_MAGIC):
            return _zip_kind(file)
        return set()
    finally:
        file.seek(0)


def validate_upload(file: IO[bytes], *, name: str, size: int) -> FileType:
    """The file's type if it is accepted, else ValidationError with a French message saying why."""
    limit = settings.UPLOAD_MAX_BYTES
    if size == 0:
        raise ValidationError("Le fichier « %(name)s » est vide.", code="empty", params={"name": name})
    if size > limit:
        raise ValidationError(
            "Le fichier « %(name)s » pèse %(size)s Mo : la taille maximale est de %(limit)s Mo.",
            code="too_large",
            params={"name": name, "size": format_megabytes(size), "limit": format_megabytes(limit)},
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    claimed = next((t for t in allowed_types() if extension in t.extensions), None)
    if claimed is None:
        raise ValidationError(
            "Le format « %(extension)s » n'est pas accepté. Formats acceptés : %(allowed)s.",
            code="extension",
            params={
                "extension": f".{extension}" if extension else "sans extension",
                "allowed": allowed_labels(),
            },
        )
    detected = detect_types(file)
    if "macro" in detected:
        raise ValidationError(
            "Le fichier « %(name)s » contient des macros : enregistrez-le sans macros (DOCX, XLSX, PPTX).",
            code="macro",
            params={"name": name},
        )
    if claimed.code not in detected:
        raise ValidationError(
            "Le contenu du fichier « %(name)s » n'est pas celui d'un fichier %(label)s : il a peut-être été "
            "renommé. Enregistrez-le au bon format ou choisissez un autre fichier.",
            code="content",
            params={"name": name, "label": claimed.label},
        )
    return claimed


def content_type_for(name: str) -> str:
    """The content type a stored file is served with (from its checked extension)."""
    extension = PurePath(name).suffix.lower().lstrip(".")
    for file_type in FILE_TYPES.values():
        if extension in file_type.extensions:
            return file_type.content_type
    return "application/octet-stream"
