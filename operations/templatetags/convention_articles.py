"""Template helpers of convention articles (issue 9): the snapshot's articles carry their stable key, not the row's
id the edit links need."""

from django import template

from operations.conventions.models import ConventionArticle

register = template.Library()


@register.simple_tag
def article_ids(convention: object) -> dict[str, int]:
    """{article key: article id} of the convention's current articles (one query)."""
    return {
        str(key): pk
        for key, pk in ConventionArticle.objects.filter(convention=convention).values_list("key", "pk")
    }


@register.filter
def article_id(ids: dict[str, int], key: object) -> int | None:
    return ids.get(str(key))


@register.filter
def with_columns(cells: list[str], columns: list[dict]) -> list[tuple[str, bool]]:
    """A block row's cells paired with whether their column is numeric (right-aligned)."""
    return [(cell, bool(column.get("numeric"))) for cell, column in zip(cells, columns, strict=False)]
