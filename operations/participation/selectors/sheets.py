"""Reads of the network and capitalisation pages (issue 11): a programme's network events (filters, pages), a
programme's good-practice sheets, a sheet's page (PDF state, transitions), the library of every sheet a user may
read, and the public library and page (published sheets only, public content only).

Every logged-in read goes through the policy (`visible_to` / `get_for_user`: 404 out of scope); the public reads
take published sheets only. Lists cost a fixed number of queries, whatever their size.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.http import urlencode

from operations.models import NetworkEvent, Operation, PracticeSheet
from operations.participation.models import NetworkEventKind, SheetStatus
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import DocumentStatus, RenderedDocument, StatusChange

PAGE_SIZE = 20
PDF_KIND = "practice_sheet"
SEARCHED = ("title", "summary", "context", "actions", "lessons")


# --- Programmes ---------------------------------------------------------------------------------------------


# --- Network events ------------------------------------------------------------------------------------------


class NetworkFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Type", required=False)
    year = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)
    theme = forms.ChoiceField(label="Thème", required=False)

    def __init__(self, *args: object, years: list[int], themes: list[Theme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Tous les types"), *NetworkEventKind.choices]
        self.fields["year"].choices = [("", "Toutes les années"), *[(y, str(y)) for y in years]]
        self.fields["theme"].choices = [("", "Tous les thèmes"), *[(t.code, t.name) for t in themes]]


@dataclass
class Listing:
    form: forms.Form
    page: Page
    query: str  # the filters as a query string, without the page

    @property
    def filtered(self) -> bool:
        return bool(self.query)


def _page(queryset: QuerySet, number: str | None) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def _query(params: dict[str, str], names: tuple[str, ...]) -> str:
    return urlencode({k: v for k, v in params.items() if k in names and v})


def network_list(user: User, programme: Programme, params: dict[str, str], page: str | None) -> Listing:
    """The programme's network events, newest first, filtered by type, year and theme. Queries: the years, the
    themes (form), the page's count and rows, their themes."""
    base = NetworkEvent.objects.visible_to(user).filter(programme=programme)
    years = [d.year for d in base.dates("date", "year", order="DESC")]
    themes = list(Theme.objects.order_by("order", "pk"))
    form = NetworkFilterForm(params or None, years=years, themes=themes)
    events = base
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["year"]:
            events = events.filter(date__year=data["year"])
        if data["theme"]:
            events = events.filter(themes__code=data["theme"])
    events = events.select_related("organiser").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order", "pk"))
    )
    return Listing(
        form, _page(events.order_by("-date", "-pk"), page), _query(params, ("kind", "year", "theme"))
    )


def network_event_for_page(user: User, pk: int) -> NetworkEvent:
    return policy.get_for_user(
        NetworkEvent.objects.select_related("programme", "organiser").prefetch_related("themes"), user, pk=pk
    )


# --- Good-practice sheets ---------------------------------------------------------------------------------------


def _with_relations(sheets: QuerySet[PracticeSheet]) -> QuerySet[PracticeSheet]:
    return sheets.select_related("programme", "contact_organisation").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order", "pk")),
        Prefetch("communes", queryset=Organisation.objects.order_by("name").only("pk", "name")),
    )


def sheet_list(user: User, programme: Programme) -> list[PracticeSheet]:
    """The programme's sheets the user reads, drafts and published."""
    sheets = PracticeSheet.objects.visible_to(user).filter(programme=programme).select_related("operation")
    return list(_with_relations(sheets).order_by("status", "-published_on", "title", "pk"))


def sheet_for_page(user: User, pk: int) -> PracticeSheet:
    return policy.get_for_user(
        _with_relations(PracticeSheet.objects.select_related("operation", "programme__epci")), user, pk=pk
    )


def can_read_sheet(user: object, sheet: PracticeSheet) -> bool:
    """Who reads a sheet reads its PDF (the documents' access rule)."""
    return PracticeSheet.objects.visible_to(user).filter(pk=sheet.pk).exists()


def operation_for_sheet(user: User, programme: Programme, pk: str | None) -> Operation | None:
    """The operation a new sheet is written from (`?operation=`): one of the programme's, else 404."""
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404("Opération inconnue.")
    return policy.get_for_user(
        Operation.objects.filter(programme=programme).prefetch_related("communes", "themes"), user, pk=int(pk)
    )


def documents_of(sheet: PracticeSheet) -> QuerySet[RenderedDocument]:
    return RenderedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(PracticeSheet), object_id=sheet.pk, kind=PDF_KIND
    ).order_by("-requested_at", "-pk")


@dataclass
class SheetPage:
    document: RenderedDocument | None  # the latest PDF asked for
    changes: list[StatusChange]


def sheet_page(sheet: PracticeSheet) -> SheetPage:
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(PracticeSheet), object_id=sheet.pk
        ).select_related("by")
    )
    return SheetPage(documents_of(sheet).select_related("requested_by").first(), changes)


def sheet_pdf_context(sheet: PracticeSheet) -> dict[str, object]:
    """The print template's context: the public content of the sheet, nothing else."""
    return {
        "sheet": sheet,
        "communes": list(sheet.communes.order_by("name")),
        "themes": list(sheet.themes.order_by("order", "pk")),
        "sections": public_sections(sheet),
    }


def public_sections(sheet: PracticeSheet) -> list[tuple[str, str]]:
    return [
        ("Contexte", sheet.context),
        ("Ce qui a été fait", sheet.actions),
        ("Financement", sheet.funding),
        ("Résultats", sheet.results),
        ("Difficultés rencontrées", sheet.difficulties),
        ("Enseignements", sheet.lessons),
    ]


# --- Library ------------------------------------------------------------------------------------------------


class LibrarySearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Dans le titre, le résumé, le contexte, ce qui a été fait et les enseignements.",
    )
    theme = forms.ChoiceField(label="Thème", required=False)

    def __init__(self, *args: object, themes: list[Theme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Tous les thèmes"), *[(t.code, t.name) for t in themes]]


def _search(sheets: QuerySet[PracticeSheet], params: dict[str, str]) -> tuple[LibrarySearchForm, QuerySet]:
    form = LibrarySearchForm(params or None, themes=list(Theme.objects.order_by("order", "pk")))
    if form.is_bound and form.is_valid():
        for word in form.cleaned_data["q"].split():
            condition = Q()
            for name in SEARCHED:
                condition |= Q(**{f"{name}__icontains": word})
            sheets = sheets.filter(condition)
        if form.cleaned_data["theme"]:
            sheets = sheets.filter(themes__code=form.cleaned_data["theme"])
    return form, sheets


def library(user: User, params: dict[str, str], page: str | None) -> Listing:
    """Every published sheet of every programme, and the drafts the user may read. Queries: the themes (form),
    the page's count and rows (with programme and contact), their themes, their communes."""
    form, sheets = _search(PracticeSheet.objects.visible_to(user), params)
    sheets = _with_relations(sheets).order_by("-published_on", "title", "pk")
    return Listing(form, _page(sheets, page), _query(params, ("q", "theme")))


def published_sheets() -> QuerySet[PracticeSheet]:
    return PracticeSheet.objects.filter(status=SheetStatus.PUBLISHED)


def public_library(params: dict[str, str], page: str | None) -> Listing:
    """The published sheets only, for anyone (no login)."""
    form, sheets = _search(published_sheets(), params)
    sheets = _with_relations(sheets).order_by("-published_on", "title", "pk")
    return Listing(form, _page(sheets, page), _query(params, ("q", "theme")))


def public_sheet(slug: str) -> PracticeSheet:
    sheet = _with_relations(published_sheets()).filter(slug=slug).first()
    if sheet is None:
        raise Http404("Aucune fiche publiée à cette adresse.")
    return sheet


def public_pdf(sheet: PracticeSheet) -> RenderedDocument | None:
    """The latest done PDF of a published sheet, rendered since its latest publication (never a draft's)."""
    published_at = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(PracticeSheet),
            object_id=sheet.pk,
            target=SheetStatus.PUBLISHED,
        )
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    documents = documents_of(sheet).filter(status=DocumentStatus.DONE)
    if published_at is not None:
        documents = documents.filter(requested_at__gte=published_at)
    elif sheet.published_on is not None:  # published without the service (a data import, the demo)
        documents = documents.filter(requested_at__date__gte=sheet.published_on)
    return documents.first()
