"""The content of a convention as one JSON-ready dict: what the page previews, what an issued version freezes,
what the PDF renders and what an avenant is compared with.

    {"schema": 1, "taken_at": "2026-04-14T09:30:00+02:00",
     "convention": {"kind", "kind_label", "title", "purpose", "programme", "housing_programme", "parent",
                    "amendment_number", "starts_on", "ends_on"},          # dates as « 14/04/2026 » or ""
     "articles": [{"key", "kind", "number", "title", "html"}],             # html sanitised, markers kept
     "blocks": {"plan_action": <Table>, …},                                # every block the articles insert
     "signatories": [{"organisation", "signer_name", "signer_capacity", "deliberation"}]}

Built in a fixed number of queries (the convention, its articles, its signatories, then each block's provider).
"""

import datetime
from typing import Any

from django.utils import timezone

from operations.conventions.blocks import render_blocks
from operations.conventions.models import BlockKind, Convention
from operations.conventions.richtext import block_kinds, clean_html, segments

SCHEMA = 1


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def deliberation_label(deliberation: Any) -> str:
    if deliberation is None:
        return ""
    return f"Délibération n° {deliberation.number} du {deliberation.adopted_on:%d/%m/%Y}"


def take_snapshot(convention: Convention) -> dict[str, Any]:
    """The convention's content now, with its data blocks computed from live data."""
    convention = Convention.objects.select_related("programme", "housing_programme", "parent").get(
        pk=convention.pk
    )
    articles = [
        {
            "key": str(article.key),
            "kind": article.kind,
            "number": article.number,
            "title": article.title,
            "html": clean_html(article.body),
        }
        for article in convention.articles.order_by("order", "pk")
    ]
    signatories = [
        {
            "organisation": signatory.organisation.name,
            "signer_name": signatory.signer_name,
            "signer_capacity": signatory.signer_capacity,
            "deliberation": deliberation_label(signatory.deliberation),
        }
        for signatory in convention.signatories.select_related("organisation", "deliberation").order_by(
            "order", "pk"
        )
    ]
    kinds = [kind for article in articles for kind in block_kinds(article["html"])]
    return {
        "schema": SCHEMA,
        "taken_at": timezone.localtime().isoformat(timespec="seconds"),
        "convention": {
            "kind": convention.kind,
            "kind_label": str(convention.get_kind_display()),
            "title": convention.title,
            "purpose": convention.purpose,
            "programme": convention.programme.name if convention.programme else "",
            "housing_programme": convention.housing_programme.name if convention.housing_programme else "",
            "parent": convention.parent.title if convention.parent else "",
            "amendment_number": convention.amendment_number,
            "starts_on": _date(convention.starts_on),
            "ends_on": _date(convention.ends_on),
        },
        "articles": articles,
        "blocks": render_blocks(convention, kinds),
        "signatories": signatories,
    }


def rendered_articles(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshot's articles cut into HTML and block segments, each block with its table, for the page and the
    PDF templates: [{"key", "kind", "number", "title", "anchor", "segments": [{"html"} | {"table"}]}]."""
    blocks = snapshot.get("blocks", {})
    result = []
    for position, article in enumerate(snapshot.get("articles", []), start=1):
        parts = []
        for segment in segments(article["html"]):
            if segment.block:
                table = blocks.get(segment.block)
                if table is not None:
                    parts.append({"table": table})
            else:
                parts.append({"html": segment.html})
        result.append({**article, "anchor": f"article-{position}", "segments": parts})
    return result


def block_label(kind: str) -> str:
    return str(BlockKind(kind).label) if kind in BlockKind.values else kind
