"""Writes of conventions (issue 9): creation from the model of its kind, edits (optimistic locking), the status
workflow with its legal rules, avenants.

Statuses (DOMAIN.md §1.2, §6.2; DOMAIN_RULES.md §3): projet → en relecture par les parties → approuvée par
délibérations → signée → en vigueur → terminée. A convention is **approved** once every local authority that signs
it has adopted its authorising deliberation, and **signed** only once every one of those deliberations is
enforceable (published and transmitted to the préfet) on the signing day and a version has been issued: that
version becomes the signed one, frozen. Every move is a StatusChange (who, when, why).

Keyword-only, atomic, audited (the history user on every row); refusals as ConventionError (French).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from operations.conventions.models import (
    ArticleTemplate,
    Convention,
    ConventionArticle,
    ConventionKind,
    ConventionStatus,
    ConventionVersion,
    Signatory,
)
from partners.models import Organisation
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.models import DocumentStatus, StatusChange

S = ConventionStatus

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.REVIEW,),
    S.REVIEW: (S.DRAFT, S.APPROVED),
    S.APPROVED: (S.REVIEW, S.SIGNED),
    S.SIGNED: (S.IN_FORCE, S.ENDED),
    S.IN_FORCE: (S.ENDED,),
    S.ENDED: (),
}

CONVENTION_FIELDS = ("title", "purpose", "starts_on", "ends_on")


class ConventionError(DomainError):
    """A rule of conventions refused the action (French message)."""


# --- Creation ---------------------------------------------------------------------------------------------


def _copy_template(convention: Convention, by: User, start: int = 1) -> int:
    """The articles of the model of the convention's kind; returns the next order."""
    order = start
    for template in ArticleTemplate.objects.filter(convention_kind=convention.kind).order_by("order", "pk"):
        article = ConventionArticle(
            convention=convention,
            order=order,
            kind=template.kind,
            number=template.number,
            title=template.title,
            body=template.body,
        )
        save_audited(article, by)
        order += 1
    return order


def _default_parties(convention: Convention) -> list[Organisation]:
    """Who usually signs: the EPCI and the programme's communes (PVD conventions); the maître d'ouvrage (and the
    perimeter's communes when the owner is the EPCI) for an OPAH or a PIG. The State and the partners are added on
    the page: the directory may hold several services of the State."""
    if convention.housing_programme_id is not None and convention.kind == ConventionKind.HOUSING:
        housing = convention.housing_programme
        parties = [housing.owner]
        if housing.owner.kind == "epci":
            parties += list(housing.communes.order_by("name"))
        return parties
    if convention.programme_id is not None:
        programme = convention.programme
        return [programme.epci, *programme.communes.order_by("name")]
    return []


@transaction.atomic
def convention_create(
    *,
    by: User,
    kind: str,
    title: str,
    programme: object | None = None,
    housing_programme: object | None = None,
    purpose: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Convention:
    """A new convention in draft, with the articles of its kind's model and its usual parties."""
    if kind == ConventionKind.AMENDMENT:
        raise ConventionError("Un avenant se crée depuis la convention qu'il modifie.")
    if kind == ConventionKind.HOUSING and housing_programme is None:
        raise ConventionError(
            "Une convention d'OPAH ou de PIG se rattache à son opération (OPAH, OPAH-RU, PIG)."
        )
    if housing_programme is not None and programme is None:
        programme = housing_programme.programme
    convention = Convention(
        kind=kind,
        title=title.strip(),
        programme=programme,
        housing_programme=housing_programme,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    save_audited(convention, by)
    _copy_template(convention, by)
    for order, organisation in enumerate(_default_parties(convention), start=1):
        if organisation is not None:
            save_audited(Signatory(convention=convention, organisation=organisation, order=order), by)
    StatusChange.objects.create(obj=convention, source="", target=S.DRAFT, by=by, comment="Création.")
    return convention


@transaction.atomic
def convention_update(
    *, convention: Convention, by: User, changes: dict[str, object], expected_version: int
) -> Convention:
    """Title, object and dates. Dates stay editable until signature (the programme's end moves, DOMAIN_RULES §1)."""
    unknown = set(changes) - set(CONVENTION_FIELDS)
    if unknown:
        raise ConventionError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    if convention.status == S.ENDED:
        raise ConventionError("Une convention terminée ne se modifie plus.")
    text_changed = {
        name
        for name in ("title", "purpose")
        if name in changes and changes[name] != getattr(convention, name)
    }
    if convention.status in (S.SIGNED, S.IN_FORCE) and text_changed:
        raise ConventionError("Une convention signée ne se modifie plus : passez par un avenant.")
    return save_versioned(convention, expected_version=expected_version, changes=changes, by=by)


# --- Signature rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One condition of a status, as the page lists it: met or not, blocking or only a warning."""

    label: str
    ok: bool
    detail: str = ""
    blocking: bool = True


def _deliberation_checks(
    signatories: list[Signatory], on: datetime.date, *, enforceable: bool
) -> list[Check]:
    checks = []
    for signatory in signatories:
        if not signatory.needs_deliberation:
            continue
        name = signatory.organisation.name
        deliberation = signatory.deliberation
        if deliberation is None:
            checks.append(
                Check(f"Délibération de {name}", False, "Aucune délibération n'autorise la signature.")
            )
            continue
        if not enforceable:
            checks.append(Check(f"Délibération de {name}", True, str(deliberation)))
            continue
        if deliberation.is_enforceable(on):
            checks.append(
                Check(
                    f"Délibération de {name} exécutoire",
                    True,
                    f"{deliberation} — exécutoire depuis le {deliberation.enforceable_on:%d/%m/%Y}.",
                )
            )
        elif deliberation.missing_formalities:
            checks.append(
                Check(
                    f"Délibération de {name} exécutoire",
                    False,
                    f"{deliberation} — manque {' et '.join(deliberation.missing_formalities)} : elle n'est pas "
                    "encore exécutoire.",
                )
            )
        else:
            checks.append(
                Check(
                    f"Délibération de {name} exécutoire",
                    False,
                    f"{deliberation} — exécutoire seulement le {deliberation.enforceable_on:%d/%m/%Y}.",
                )
            )
    return checks


def _main_town_check(convention: Convention, signatories: list[Signatory]) -> list[Check]:
    """A convention-cadre is worth an ORT only if the EPCI and its main town sign (CCH L303-2; DOMAIN.md §1.3).
    Which commune is the main town is a local fact: the most populous one is named, as a warning."""
    if convention.kind != ConventionKind.FRAMEWORK or convention.programme_id is None:
        return []
    epci = convention.programme.epci
    signing = {signatory.organisation_id for signatory in signatories}
    checks = [Check("L'intercommunalité signe", epci.pk in signing, epci.name)]
    main_town = Organisation.objects.filter(epci=epci, kind="commune").order_by("-population", "name").first()
    if main_town is not None:
        checks.append(
            Check(
                "La ville principale de l'intercommunalité signe (valeur ORT)",
                main_town.pk in signing,
                f"{main_town.name} est la commune la plus peuplée de l'intercommunalité ; vérifiez qu'elle est "
                "bien la ville principale retenue.",
                blocking=False,
            )
        )
    return checks


def status_checks(convention: Convention, target: str, on: datetime.date) -> list[Check]:
    """The conditions of moving `convention` to `target` on `on`, met or not (the page shows them before the
    button; the transition refuses while a blocking one fails)."""
    signatories = list(
        convention.signatories.select_related("organisation", "deliberation").order_by("order", "pk")
    )
    checks: list[Check] = []
    if target == S.REVIEW:
        checks.append(Check("La convention a des articles", convention.articles.exists()))
    if target in (S.APPROVED, S.SIGNED):
        checks.append(
            Check("Au moins deux parties signent", len(signatories) >= 2, f"{len(signatories)} partie(s).")
        )
        checks += _deliberation_checks(signatories, on, enforceable=target == S.SIGNED)
        checks += _main_town_check(convention, signatories)
    if target == S.SIGNED:
        latest = convention.versions.select_related("document").order_by("-number").first()
        ready = (
            latest is not None
            and latest.document is not None
            and latest.document.status == DocumentStatus.DONE
        )
        detail = (
            f"La version {latest.number} ({latest.reference}) sera la version signée."
            if ready
            else "Émettez une version et attendez son PDF : c'est elle que les parties signent."
        )
        checks.append(Check("Une version émise, avec son PDF", ready, detail))
    if target == S.IN_FORCE:
        starts = convention.starts_on or convention.signed_on
        checks.append(
            Check(
                "La date d'entrée en vigueur est atteinte",
                starts is not None and starts <= on,
                f"Entrée en vigueur le {starts:%d/%m/%Y}." if starts else "",
            )
        )
    return checks


@transaction.atomic
def convention_change_status(
    *,
    convention: Convention,
    by: User,
    target: str,
    on: datetime.date,
    comment: str = "",
    expected_version: int | None = None,
) -> Convention:
    """Move the convention to `target` on day `on`, if the workflow and the legal conditions allow it."""
    current = (
        Convention.objects.select_for_update(of=("self",))
        .select_related("programme__epci")
        .get(pk=convention.pk)
    )
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=target,
        subject=f"La convention « {current.title} »",
        pronoun="elle",
    )
    if message:
        raise ConventionError(message)
    failed = [check for check in status_checks(current, target, on) if check.blocking and not check.ok]
    if failed:
        reasons = " ; ".join(
            f"{check.label} : {check.detail.rstrip('.')}" if check.detail else check.label for check in failed
        )
        raise ConventionError(f"Passage à « {S(target).label} » impossible — {reasons}.")
    changes: dict[str, object] = {"status": target}
    if target == S.SIGNED:
        changes["signed_on"] = on
        if current.starts_on is None:
            changes["starts_on"] = on
        latest = current.versions.order_by("-number").first()
        ConventionVersion.objects.filter(pk=latest.pk).update(signed=True)
    if target == S.ENDED:
        changes["ended_on"] = on
    saved = save_versioned(
        current,
        expected_version=current.version if expected_version is None else expected_version,
        changes=changes,
        by=by,
    )
    StatusChange.objects.create(obj=saved, source=source, target=target, by=by, comment=comment.strip())
    return saved


# --- Avenants ---------------------------------------------------------------------------------------------


def version_in_force(convention: Convention, *, before: Convention | None = None) -> ConventionVersion | None:
    """What is contractually agreed now: the signed version of the latest signed avenant, else the convention's
    own signed version (DOMAIN_RULES.md §4, conventions versioned by avenants).

    With `before` (one of its avenants): what was in force before that avenant — the latest signed avenant numbered
    below it (an ended one included: it was in force then), else the convention's own signed version."""
    amendments = ConventionVersion.objects.filter(signed=True, convention__parent=convention)
    if before is None:
        amendments = amendments.filter(convention__status__in=[S.SIGNED, S.IN_FORCE])
    else:
        amendments = amendments.filter(
            convention__status__in=[S.SIGNED, S.IN_FORCE, S.ENDED],
            convention__amendment_number__lt=before.amendment_number,
        )
    amendment = amendments.select_related("convention").order_by("-convention__amendment_number").first()
    if amendment is not None:
        return amendment
    return convention.versions.filter(signed=True).first()


@transaction.atomic
def amendment_create(*, parent: Convention, by: User, title: str = "", purpose: str = "") -> Convention:
    """An avenant to `parent` (signed or in force): its own articles from the avenant model, then the text in
    force — articles keep their keys so that the comparison pairs them; the data blocks show live data."""
    parent = Convention.objects.select_for_update(of=("self",)).get(pk=parent.pk)
    if parent.is_amendment:
        raise ConventionError("Un avenant se rattache à la convention d'origine, pas à un autre avenant.")
    if parent.status not in (S.SIGNED, S.IN_FORCE):
        raise ConventionError("Seule une convention signée ou en vigueur peut être modifiée par avenant.")
    in_force = version_in_force(parent)
    if in_force is None:
        raise ConventionError("La convention n'a pas de version signée à modifier.")
    number = (parent.amendments.aggregate(top=Max("amendment_number"))["top"] or 0) + 1
    amendment = Convention(
        kind=ConventionKind.AMENDMENT,
        title=title.strip() or f"Avenant n° {number} — {parent.title}",
        programme=parent.programme,
        housing_programme=parent.housing_programme,
        parent=parent,
        amendment_number=number,
        purpose=purpose,
        created_by=by,
    )
    save_audited(amendment, by)
    order = _copy_template(amendment, by)
    for article in in_force.snapshot.get("articles", []):
        copy = ConventionArticle(
            convention=amendment,
            key=article["key"],
            order=order,
            kind=article["kind"],
            number=article["number"],
            title=article["title"],
            body=article["html"],
        )
        save_audited(copy, by)
        order += 1
    for signatory in parent.signatories.order_by("order", "pk"):
        save_audited(
            Signatory(
                convention=amendment,
                organisation_id=signatory.organisation_id,
                signer_name=signatory.signer_name,
                signer_capacity=signatory.signer_capacity,
                order=signatory.order,
            ),
            by,
        )
    StatusChange.objects.create(
        obj=amendment, source="", target=S.DRAFT, by=by, comment=f"Avenant à la version {in_force.reference}."
    )
    return amendment
