"""The status workflow of a convention (issue 9, H1) with real deliberations: approval needs a deliberation of every
local authority that signs; signature needs each of them enforceable (published and transmitted to the préfet) on
the signing day and an issued version with its PDF, which becomes the signed version; refused transitions and stale
pages are refused with French messages and nothing is saved."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.conventions.services.conventions import ConventionError, convention_change_status
from operations.models import Convention, ConventionVersion
from pvd.models import DocumentStatus, RenderedDocument, StatusChange
from tests.conftest import Territory
from tests.operations.convention_factories import (
    ConventionArticleFactory,
    ConventionFactory,
    ConventionVersionFactory,
    DeliberationFactory,
    SignatoryFactory,
)

D = datetime.date
S = ConventionStatus
pytestmark = pytest.mark.django_db
FAKE_PDF = b"%PDF-1.7\n% convention\n%%EOF\n"


def adhesion(t: Territory, status: str = S.APPROVED, **deliberation: object) -> Convention:
    """A convention d'adhésion signed by the EPCI (deliberation enforceable since 13/03/2026) and Wassy (its
    deliberation adopted on 10/03/2026, published and transmitted as `deliberation` says)."""
    convention = ConventionFactory(
        programme=t.programme, kind=ConventionKind.ADHESION, title="Convention d'adhésion PVD", status=status
    )
    ConventionArticleFactory(convention=convention)
    epci = DeliberationFactory(organisation=t.epci, programme=t.programme, number="CC-2026-01")
    wassy = DeliberationFactory(
        organisation=t.wassy, programme=t.programme, number="2026-010", **deliberation
    )
    SignatoryFactory(convention=convention, organisation=t.epci, deliberation=epci, order=1)
    SignatoryFactory(convention=convention, organisation=t.wassy, deliberation=wassy, order=2)
    return convention


def issued(convention: Convention, number: int = 1, status: str = DocumentStatus.DONE) -> ConventionVersion:
    """An issued version whose PDF is in `status` (done: a file and its SHA-256)."""
    version = ConventionVersionFactory(convention=convention, number=number)
    done = status == DocumentStatus.DONE
    version.document = RenderedDocument.objects.create(
        obj=version,
        kind="convention_version",
        title=f"{convention.title} — version {number}",
        status=status,
        file=ContentFile(FAKE_PDF, name="convention.pdf") if done else "",
        sha256=hashlib.sha256(FAKE_PDF).hexdigest() if done else "",
        size=len(FAKE_PDF) if done else None,
    )
    version.save(update_fields=["document"])
    return version


def post_status(client, convention: Convention, target: str, on: str = "2026-04-01", **extra: object):
    convention.refresh_from_db()
    data = {"vers": target, "on": on, "comment": "", "version": convention.version, **extra}
    return client.post(reverse("operations:convention_status", args=[convention.pk]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Approval -------------------------------------------------------------------------------------------------


def test_approval_is_refused_while_a_signing_commune_has_no_deliberation(territory, client_for) -> None:
    convention = adhesion(territory, status=S.REVIEW)
    convention.signatories.filter(organisation=territory.wassy).update(deliberation=None)
    response = post_status(client_for("manager"), convention, S.APPROVED)
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Passage à « Approuvée par délibérations » impossible")
    assert "Délibération de Wassy : Aucune délibération n'autorise la signature" in message
    convention.refresh_from_db()
    assert convention.status == S.REVIEW
    assert not StatusChange.objects.filter(object_id=convention.pk, target=S.APPROVED).exists()


def test_approval_is_accepted_once_every_local_authority_has_deliberated(territory, client_for) -> None:
    convention = adhesion(territory, status=S.REVIEW, published_on=None, transmitted_on=None)
    response = post_status(client_for("manager"), convention, S.APPROVED, comment="Délibérations adoptées.")
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.status == S.APPROVED  # adopted is enough to approve; enforceable is needed to sign
    change = StatusChange.objects.get(object_id=convention.pk, target=S.APPROVED)
    assert (change.source, change.comment) == (S.REVIEW, "Délibérations adoptées.")


# --- Signature ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deliberation", "reason"),
    [
        ({"published_on": None}, "manque la publication : elle n'est pas encore exécutoire"),
        ({"transmitted_on": None}, "manque la transmission au préfet : elle n'est pas encore exécutoire"),
        ({"published_on": D(2026, 4, 10)}, "exécutoire seulement le 10/04/2026"),
    ],
    ids=["not-published", "not-transmitted", "enforceable-after-signing"],
)
def test_signature_is_refused_while_a_deliberation_is_not_enforceable_on_the_signing_day(
    territory, client_for, deliberation, reason
) -> None:
    convention = adhesion(territory, **deliberation)
    version = issued(convention)
    response = post_status(client_for("manager"), convention, S.SIGNED, on="2026-04-01")
    [message] = messages_of(response)
    assert "Délibération de Wassy exécutoire" in message and reason in message
    assert "CC-2026-01" not in message  # the EPCI's deliberation is enforceable: not listed as a reason
    convention.refresh_from_db()
    version.refresh_from_db()
    assert (convention.status, convention.signed_on, version.signed) == (S.APPROVED, None, False)


@pytest.mark.parametrize("pdf", [None, DocumentStatus.QUEUED, DocumentStatus.FAILED])
def test_signature_is_refused_without_an_issued_version_whose_pdf_is_ready(
    territory, client_for, pdf
) -> None:
    convention = adhesion(territory)
    if pdf is not None:
        issued(convention, status=pdf)
    response = post_status(client_for("manager"), convention, S.SIGNED, on="2026-04-01")
    [message] = messages_of(response)
    assert "Une version émise, avec son PDF : Émettez une version et attendez son PDF" in message
    convention.refresh_from_db()
    assert convention.status == S.APPROVED


def test_signature_is_accepted_when_every_deliberation_is_enforceable_and_the_pdf_is_ready(
    territory, client_for, referent
) -> None:
    convention = adhesion(territory)
    first = issued(convention, number=1)
    latest = issued(convention, number=2)
    client = client_for("referent")
    response = post_status(client, convention, S.SIGNED, on="2026-04-01", comment="Signée en COPIL.")
    assert response.status_code == 302
    assert response["Location"] == reverse("operations:convention", args=[convention.pk])
    convention.refresh_from_db()
    assert (convention.status, convention.signed_on, convention.starts_on) == (
        S.SIGNED,
        D(2026, 4, 1),
        D(2026, 4, 1),  # no date of entry into force: the signing day
    )
    assert list(convention.versions.filter(signed=True)) == [latest]
    first.refresh_from_db()
    assert not first.signed
    change = StatusChange.objects.get(object_id=convention.pk, target=S.SIGNED)
    assert (change.by, change.comment) == (referent, "Signée en COPIL.")
    page = client.get(response["Location"]).content.decode()
    assert "version signée" in page and "La convention est maintenant « Signée »." in page


def test_the_status_page_lists_the_conditions_on_the_chosen_date(territory, client_for) -> None:
    convention = adhesion(territory, published_on=None)
    issued(convention)
    url = reverse("operations:convention_status", args=[convention.pk])
    page = client_for("manager").get(f"{url}?vers=signed").content.decode()
    assert "Passer à « Signée »" in page
    assert "exécutoire depuis le 13/03/2026" in page  # the EPCI's: met
    assert "Condition non remplie :</span> Délibération de Wassy exécutoire" in page
    assert "manque la publication" in page
    assert "La version 1" in page  # the version that will be signed
    assert 'name="on"' in page and 'type="date"' in page


def test_a_signed_convention_comes_into_force_then_ends(territory, client_for) -> None:
    convention = adhesion(territory)
    issued(convention)
    client = client_for("manager")
    assert post_status(client, convention, S.SIGNED, on="2026-04-01").status_code == 302
    assert post_status(client, convention, S.IN_FORCE, on="2026-04-02").status_code == 302
    assert (
        post_status(client, convention, S.ENDED, on="2026-12-31", comment="Fin du programme.").status_code
        == 302
    )
    convention.refresh_from_db()
    assert (convention.status, convention.ended_on) == (S.ENDED, D(2026, 12, 31))
    assert list(
        StatusChange.objects.filter(object_id=convention.pk).order_by("pk").values_list("source", "target")
    ) == [(S.APPROVED, S.SIGNED), (S.SIGNED, S.IN_FORCE), (S.IN_FORCE, S.ENDED)]


# --- Refusals -------------------------------------------------------------------------------------------------


def test_a_transition_the_workflow_does_not_allow_is_refused_in_french(territory, manager) -> None:
    convention = adhesion(territory, status=S.DRAFT)
    with pytest.raises(ConventionError) as error:
        convention_change_status(convention=convention, by=manager, target=S.SIGNED, on=D(2026, 4, 1))
    assert str(error.value) == (
        "La convention « Convention d'adhésion PVD » ne peut pas passer de « Projet » à « Signée » ; statuts "
        "possibles : « En relecture par les parties »."
    )


def test_an_ended_convention_cannot_move_any_more(territory, manager) -> None:
    convention = ConventionFactory(programme=territory.programme, status=S.ENDED, ended_on=D(2026, 1, 1))
    with pytest.raises(ConventionError, match="ce statut est définitif"):
        convention_change_status(convention=convention, by=manager, target=S.IN_FORCE, on=D(2026, 4, 1))


def test_the_status_page_refuses_a_status_the_workflow_does_not_allow(territory, client_for) -> None:
    convention = adhesion(territory, status=S.DRAFT)
    response = post_status(client_for("manager"), convention, S.SIGNED)
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.status == S.DRAFT


def test_a_status_change_from_a_stale_page_is_refused(territory, client_for, manager) -> None:
    convention = adhesion(territory, status=S.DRAFT)
    stale_version = convention.version
    convention_change_status(convention=convention, by=manager, target=S.REVIEW, on=D(2026, 4, 1))
    convention_change_status(convention=convention, by=manager, target=S.DRAFT, on=D(2026, 4, 1))
    response = client_for("manager").post(
        reverse("operations:convention_status", args=[convention.pk]),
        {"vers": S.REVIEW, "on": "2026-04-02", "comment": "", "version": stale_version},
    )
    [message] = messages_of(response)
    assert "a été modifié par Camille Martin" in message and "rechargez la page" in message
    convention.refresh_from_db()
    assert convention.status == S.DRAFT


def test_a_stale_edit_of_the_convention_is_refused(territory, client_for, manager) -> None:
    convention = adhesion(territory, status=S.DRAFT)
    stale_version = convention.version
    url = reverse("operations:convention_edit", args=[convention.pk])
    form = {"title": "Titre A", "purpose": "", "starts_on": "", "ends_on": "", "version": stale_version}
    assert client_for("manager").post(url, form).status_code == 302
    response = client_for("manager").post(url, {**form, "title": "Titre B"})
    assert response.status_code == 200
    [message] = messages_of(response)
    assert "Champs modifiés : intitulé" in message
    convention.refresh_from_db()
    assert convention.title == "Titre A"


def test_a_signed_convention_keeps_its_text_but_its_end_date_may_move(territory, client_for) -> None:
    convention = ConventionFactory(
        programme=territory.programme, status=S.IN_FORCE, title="Convention signée", starts_on=D(2026, 4, 1)
    )
    url = reverse("operations:convention_edit", args=[convention.pk])
    response = client_for("manager").post(
        url,
        {
            "title": "Nouveau titre",
            "purpose": "Autre objet",
            "starts_on": "2026-04-01",
            "ends_on": "2028-12-31",
            "version": convention.version,
        },
    )
    assert response.status_code == 302
    convention.refresh_from_db()
    assert (convention.title, convention.purpose, convention.ends_on) == (
        "Convention signée",
        "",
        D(2028, 12, 31),
    )


def test_the_referent_changes_the_status_but_does_not_edit(territory, client_for) -> None:
    convention = adhesion(territory, status=S.DRAFT)
    client = client_for("referent")
    assert client.get(reverse("operations:convention_edit", args=[convention.pk])).status_code == 403
    assert post_status(client, convention, S.REVIEW).status_code == 302
    convention.refresh_from_db()
    assert convention.status == S.REVIEW


def test_a_partner_cannot_change_the_status(territory, client_for) -> None:
    convention = adhesion(territory, status=S.REVIEW)
    assert post_status(client_for("partner"), convention, S.APPROVED).status_code == 403
    convention.refresh_from_db()
    assert convention.status == S.REVIEW
