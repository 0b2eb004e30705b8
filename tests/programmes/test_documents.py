"""Strategic documents: the inventory page, create/edit, uploads checked on content, the guarded download,
the XLSX export and the list's query budget."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import StrategicDocument
from programmes.services import documents as services
from programmes.validators import validate_upload
from pvd.accounts.models import Role
from tests.conftest import Territory
from tests.factories import MembershipFactory, ProgrammeFactory, UserFactory
from tests.programmes.factories import PDF_BYTES, DocumentFactory, pdf_file, theme

MB = 1024 * 1024
PNG_BYTES = bytes.fromhex("89504E470D0A1A0A") + b"\x00" * 32
JPEG_BYTES = bytes.fromhex("FFD8FFE0") + b"\x00" * 32
OLE2_BYTES = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT_BYTES = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
DOCM_BYTES = zip_bytes(
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00"}
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(name: str, content: bytes) -> str:
    """The type code validate_upload accepts, or the French message it refuses with."""
    try:
        return validate_upload(io.BytesIO(content), name=name, size=len(content)).code
    except ValidationError as error:
        return error.messages[0]


# --- Uploads: type and size checked on content ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("etude.pdf", PDF_BYTES, "pdf"),
        ("note.docx", DOCX_BYTES, "docx"),
        ("tableau.xlsx", XLSX_BYTES, "xlsx"),
        ("compte-rendu.odt", ODT_BYTES, "odt"),
        ("ancien.doc", OLE2_BYTES, "doc"),
        ("ancien.xls", OLE2_BYTES, "xls"),
        ("plan.png", PNG_BYTES, "png"),
        ("photo.JPG", JPEG_BYTES, "jpeg"),
    ],
)
def test_accepted_types_are_recognised_from_their_content(name: str, content: bytes, expected: str) -> None:
    assert check(name, content) == expected


def test_a_pdf_name_on_other_content_is_refused() -> None:
    assert check("etude.pdf", b"Ceci n'est pas un PDF") == (
        "Le contenu du fichier « etude.pdf » n'est pas celui d'un fichier PDF : il a peut-être été renommé. "
        "Enregistrez-le au bon format ou choisissez un autre fichier."
    )


def test_an_executable_renamed_as_pdf_is_refused() -> None:
    assert check("rapport.pdf", EXE_BYTES).startswith("Le contenu du fichier « rapport.pdf » n'est pas celui")


def test_an_executable_is_refused_by_its_extension() -> None:
    assert check("installer.exe", EXE_BYTES) == (
        "Le format « .exe » n'est pas accepté. "
        "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PPTX, DOC, XLS, JPEG, PNG."
    )


def test_a_plain_zip_renamed_as_docx_is_refused() -> None:
    assert check("note.docx", zip_bytes({"readme.txt": b"x"})).startswith(
        "Le contenu du fichier « note.docx » n'est pas celui d'un fichier DOCX"
    )


def test_an_xlsx_named_docx_is_refused() -> None:
    assert check("note.docx", XLSX_BYTES).startswith("Le contenu du fichier « note.docx »")


def test_a_document_with_macros_is_refused() -> None:
    assert check("note.docx", DOCM_BYTES) == (
        "Le fichier « note.docx » contient des macros : enregistrez-le sans macros (DOCX, XLSX, PPTX)."
    )


def test_a_file_over_the_size_limit_is_refused() -> None:
    content = PDF_BYTES + b"0" * (21 * MB - len(PDF_BYTES))
    assert (
        check("gros.pdf", content) == "Le fichier « gros.pdf » pèse 21 Mo : la taille maximale est de 20 Mo."
    )


def test_the_size_limit_is_a_setting(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1 * MB
    content = PDF_BYTES + b"0" * (MB + 1)
    assert check("moyen.pdf", content) == (
        "Le fichier « moyen.pdf » pèse 1,1 Mo : la taille maximale est de 1 Mo."
    )


def test_an_empty_file_is_refused() -> None:
    assert check("vide.pdf", b"") == "Le fichier « vide.pdf » est vide."


# --- Create, edit, download ---------------------------------------------------------------------------------


def form_data(**overrides: object) -> dict[str, object]:
    data = {
        "title": "Étude commerce 2023",
        "kind": StrategicDocument.Kind.COMMERCE_STUDY,
        "status": StrategicDocument.Status.IN_FORCE,
        "year": "2023",
        "url": "",
        "summary": "Vacance commerciale rue principale.",
    }
    data.update(overrides)
    return data


def test_manager_adds_a_document_with_a_pdf(client_for, manager, territory: Territory) -> None:
    data = form_data(
        file=upload("etude-commerce.pdf", PDF_BYTES),
        themes=[theme("commerce").pk],
        communes=[territory.wassy.pk],
    )
    response = client_for("manager").post(
        reverse("programmes:document_create", args=[territory.programme.pk]), data
    )
    document = StrategicDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:document_detail", args=[document.pk])
    assert document.file.read() == PDF_BYTES
    assert [t.code for t in document.themes.all()] == ["commerce"]
    assert list(document.communes.all()) == [territory.wassy]
    assert document.history.latest().history_user == manager


def test_an_upload_with_the_wrong_content_is_refused_with_a_message(client_for, manager, territory) -> None:
    data = form_data(file=upload("etude.pdf", PNG_BYTES))
    response = client_for("manager").post(
        reverse("programmes:document_create", args=[territory.programme.pk]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        (
            "Le contenu du fichier « etude.pdf » n'est pas celui d'un fichier PDF : il a peut-être été renommé. "
            "Enregistrez-le au bon format ou choisissez un autre fichier."
        )
    ]
    assert StrategicDocument.objects.count() == 0


def test_a_commune_outside_the_programme_is_refused(manager, territory: Territory) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.document_create(
            programme=territory.programme,
            by=manager,
            title="Étude",
            kind="other",
            status="planned",
            communes=[territory.saint_dizier],
        )
    assert refusal.value.message_dict == {"communes": ["Hors du programme : Saint-Dizier."]}


def test_the_referent_cannot_add_a_document(client_for, referent, territory: Territory) -> None:
    url = reverse("programmes:document_create", args=[territory.programme.pk])
    assert client_for("referent").post(url, form_data()).status_code == 403
    assert StrategicDocument.objects.count() == 0


def test_a_stale_edit_is_refused_and_changes_nothing(client_for, manager, territory: Territory) -> None:
    document = DocumentFactory(programme=territory.programme, title="PLUi")
    url = reverse("programmes:document_edit", args=[document.pk])
    client = client_for("manager")
    first = client.post(url, form_data(title="PLUi (arrêté)", version=1))
    assert first.status_code == 302
    second = client.post(url, form_data(title="PLUi — autre saisie", version=1), follow=True)
    document.refresh_from_db()
    assert document.title == "PLUi (arrêté)"
    assert document.version == 2
    first_message, message = (str(m) for m in second.context["messages"])
    assert first_message == "Le document a été enregistré."
    assert message.startswith("« PLUi (arrêté) » a été modifié par Camille Martin le ")
    assert "Champs modifiés : titre, année, résumé." in message


def test_editing_can_replace_then_remove_the_file(client_for, manager, territory: Territory) -> None:
    document = DocumentFactory(programme=territory.programme, file=pdf_file("ancien.pdf"))
    url = reverse("programmes:document_edit", args=[document.pk])
    client = client_for("manager")
    client.post(url, form_data(version=1, file=upload("plan.png", PNG_BYTES)))
    document.refresh_from_db()
    assert document.file.name.endswith(".png")
    client.post(url, form_data(version=2, **{"file-clear": "on"}))
    document.refresh_from_db()
    assert not document.file


def test_the_file_is_downloaded_through_the_policy(client_for, manager, mayor_of_wassy, territory) -> None:
    document = DocumentFactory(programme=territory.programme, file=pdf_file("diagnostic.pdf"))
    url = reverse("programmes:document_file", args=[document.pk])
    response = client_for("mayor_of_wassy").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "private, no-store"


def test_the_file_is_not_found_for_the_mayor_of_another_commune_and_an_outsider(
    client_for, outsider, territory: Territory
) -> None:
    document = DocumentFactory(programme=territory.programme, file=pdf_file("diagnostic.pdf"))
    mayor_of_joinville = UserFactory()
    MembershipFactory(user=mayor_of_joinville, role=Role.MAYOR, commune=territory.other_commune)
    other_mayor = Client()
    other_mayor.force_login(mayor_of_joinville)
    url = reverse("programmes:document_file", args=[document.pk])
    assert other_mayor.get(url).status_code == 404
    assert client_for("outsider").get(url).status_code == 404


def test_a_document_without_file_has_no_download(client_for, manager, territory: Territory) -> None:
    document = DocumentFactory(programme=territory.programme, url="https://exemple.fr/scot.pdf")
    assert (
        client_for("manager").get(reverse("programmes:document_file", args=[document.pk])).status_code == 404
    )


# --- The list: filters, export, query budget ---------------------------------------------------------------


def test_the_list_filters_by_kind_theme_and_commune(client_for, manager, territory: Territory) -> None:
    scot = DocumentFactory(programme=territory.programme, title="SCoT", kind="scot")
    scot.themes.set([theme("habitat")])
    commerce = DocumentFactory(programme=territory.programme, title="Commerce à Wassy")
    commerce.themes.set([theme("commerce")])
    commerce.communes.set([territory.wassy])
    DocumentFactory(programme=territory.other_programme, title="Étude d'ailleurs", kind="scot")
    client = client_for("manager")
    url = reverse("programmes:documents", args=[territory.programme.pk])

    def titles(**params: object) -> list[str]:
        return [d.title for d in client.get(url, params).context["documents"]]

    assert titles() == ["Commerce à Wassy", "SCoT"]
    assert titles(kind="scot") == ["SCoT"]
    assert titles(theme=theme("commerce").pk) == ["Commerce à Wassy"]
    assert titles(commune=territory.wassy.pk) == ["Commerce à Wassy"]
    assert titles(status="planned") == []


def test_the_export_lists_the_programme_documents_with_french_headers(
    client_for, mayor_of_wassy, territory
) -> None:
    document = DocumentFactory(programme=territory.programme, title="=SOMME(A1)", year=2023)
    document.themes.set([theme("commerce"), theme("habitat")])
    DocumentFactory(programme=territory.other_programme, title="Étude d'ailleurs")
    response = client_for("mayor_of_wassy").get(
        reverse("programmes:documents_export", args=[territory.programme.pk])
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Titre",
        "Nature",
        "État",
        "Auteur",
        "Année",
        "Thèmes",
        "Communes",
        "Fichier",
        "Lien",
        "Résumé",
    )
    assert rows[1:] == [
        (
            "=SOMME(A1)",
            "Étude commerce",
            "En vigueur",
            None,
            2023,
            "Rénovation de l'habitat, Commerces, services et activités",
            "Tout le programme",
            "Non",
            None,
            None,
        )
    ]
    assert sheet["A2"].data_type == "s"  # text, not a formula


def grow(territory: Territory, factor: int) -> None:
    """Documents with themes, communes and an author, in our programme and another one."""
    for n in range(3 * factor):
        document = DocumentFactory(programme=territory.programme, author=territory.anah, title=f"Étude {n}")
        document.themes.set([theme("habitat"), theme("mobilite")])
        document.communes.set([territory.wassy, territory.la_porte_du_der])
        DocumentFactory(programme=ProgrammeFactory(epci=territory.other_epci))


@pytest.mark.parametrize("factor", [1, 10])
def test_document_list_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    url = reverse("programmes:documents", args=[territory.programme.pk])
    # session, user, memberships (scope), programme + EPCI, its communes, themes (filter choices),
    # documents + author, their themes, their communes, menu: programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(14):  # +1: the bell's unread count (issue 8)
        response = client.get(url)
    assert len(response.context["documents"]) == 3 * factor
