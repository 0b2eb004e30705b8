"""Factories of the strategy (documents, stakes, engineering needs) and of catalogue offers."""

from importlib import import_module

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from partners.models import Theme
from programmes.models import EngineeringNeed, NeedKind, Stake, StrategicDocument
from tests.factories import ProgrammeFactory

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


THEMES = dict(import_module("partners.migrations.0003_the_programme_themes").THEMES)


def theme(code: str) -> Theme:
    """One of the programme's themes. Shipped by partners' data migration, but browser tests (transactional)
    empty the tables after each test, so a test that runs after one of them creates it again."""
    order = list(THEMES).index(code) + 1
    return Theme.objects.get_or_create(code=code, defaults={"name": THEMES[code], "order": order})[0]


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = StrategicDocument

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Étude n° {n}")
    kind = StrategicDocument.Kind.COMMERCE_STUDY
    status = StrategicDocument.Status.IN_FORCE
    year = 2024


def pdf_file(name: str = "etude.pdf") -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


class StakeFactory(DjangoModelFactory):
    class Meta:
        model = Stake

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Enjeu n° {n}")
    theme = factory.LazyFunction(lambda: theme("habitat"))


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = EngineeringNeed

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Besoin n° {n}")
    theme = factory.LazyFunction(lambda: theme("mobilite"))
    kind = NeedKind.STUDY
