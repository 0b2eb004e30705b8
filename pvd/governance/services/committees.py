"""Bodies (instances) of a programme and their dated members (issue 8, DOMAIN.md §6.1).

A COPIL or COTECH may name the OPAH-RU / PIG housing programme it steers (one of the programme's); a council, a bureau
or a CAO names the authority whose organ it is. Every write is versioned (stale edits refused) and in the history.
"""

from django.db import transaction

from operations.models import HousingProgramme
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.governance.models import Committee, CommitteeKind, CommitteeMember

HOUSING_KINDS = {CommitteeKind.COPIL, CommitteeKind.COTECH}
AUTHORITY_KINDS = {
    CommitteeKind.BUREAU,
    CommitteeKind.COMMUNITY_COUNCIL,
    CommitteeKind.MUNICIPAL_COUNCIL,
    CommitteeKind.CAO,
}


class CommitteeError(DomainError):
    """A rule of the bodies refused the action."""


def _check_committee(committee: Committee) -> None:
    if committee.housing_programme_id:
        if committee.kind not in HOUSING_KINDS:
            raise CommitteeError(
                "Seuls un COPIL ou un COTECH peuvent être rattachés à une opération programmée (OPAH-RU, PIG)."
            )
        housing = (
            HousingProgramme.objects.filter(pk=committee.housing_programme_id).values("programme_id").first()
        )
        if housing is None or housing["programme_id"] != committee.programme_id:
            raise CommitteeError("Cette opération programmée ne relève pas de ce programme.")
    if committee.kind in AUTHORITY_KINDS and not committee.organisation_id:
        raise CommitteeError(
            "Un conseil, un bureau ou une CAO est l'organe d'une collectivité : indiquez laquelle."
        )


@transaction.atomic
def committee_create(*, by: User, **fields: object) -> Committee:
    committee = Committee(**fields)
    _check_committee(committee)
    save_audited(committee, by, reason="Création de l'instance")
    return committee


@transaction.atomic
def committee_update(
    *, committee: Committee, expected_version: int, by: User, **changes: object
) -> Committee:
    probe = Committee(**{f.attname: getattr(committee, f.attname) for f in Committee._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_committee(probe)
    return save_versioned(committee, expected_version=expected_version, changes=changes, by=by)


def _check_member(member: CommitteeMember) -> None:
    if not member.organisation_id and not member.person_id:
        raise CommitteeError("Indiquez un organisme ou une personne.")


@transaction.atomic
def member_create(*, committee: Committee, by: User, **fields: object) -> CommitteeMember:
    member = CommitteeMember(committee=committee, **fields)
    _check_member(member)
    save_audited(member, by, reason="Nouveau membre")
    return member


@transaction.atomic
def member_update(
    *, member: CommitteeMember, expected_version: int, by: User, **changes: object
) -> CommitteeMember:
    """Edit a seat; a mandate ends by setting `valid_until` (the member stays, dated, among the past members)."""
    if not (changes.get("organisation", member.organisation) or changes.get("person", member.person)):
        raise CommitteeError("Indiquez un organisme ou une personne.")
    return save_versioned(member, expected_version=expected_version, changes=changes, by=by)
