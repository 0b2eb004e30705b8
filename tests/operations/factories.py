"""Factories of the action plan: operations (fiches-actions) and their phases.

Shared by the action plan, tracking (phases, journal, risks), the Gantt and the import tests.
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from operations.models import Operation, OperationStatus, Phase
from partners.models import Organisation, Theme
from tests.factories import CommuneFactory, ProgrammeFactory


class OperationFactory(DjangoModelFactory):
    """An operation of a programme. `communes=[...]`, `themes=[...]`, `partners=[...]` set the m2m; the owner
    defaults to a new commune."""

    class Meta:
        model = Operation
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"OP-{n:03d}")
    title = factory.Sequence(lambda n: f"Opération n° {n}")
    owner = factory.SubFactory(CommuneFactory)
    status = OperationStatus.IDEA
    estimated_cost_ht = Decimal("100000.00")
    estimated_cost_ttc = Decimal("120000.00")

    @factory.post_generation
    def communes(self, create: bool, extracted: list[Organisation] | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)

    @factory.post_generation
    def themes(self, create: bool, extracted: list[Theme] | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def partners(self, create: bool, extracted: list[Organisation] | None, **kwargs: object) -> None:
        if create and extracted:
            self.partners.set(extracted)


class PhaseFactory(DjangoModelFactory):
    class Meta:
        model = Phase

    operation = factory.SubFactory(OperationFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Phase n° {n}")
    weight = Decimal(1)
    progress = Decimal(0)
    baseline_start = datetime.date(2026, 1, 1)
    baseline_end = datetime.date(2026, 6, 30)
