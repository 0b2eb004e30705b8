"""The rich text of articles: a safe subset of HTML, and the `[[bloc:…]]` markers that insert data tables.

`clean_html` keeps an allow-list of tags and no attribute at all (nh3, the maintained binding of Rust's ammonia):
a `<script>`, an event handler, a style or a link never reaches a page or a PDF. It runs when an article is saved
and again when it is shown, so a row written by any other path is harmless too.
"""

import html as html_module
import re
from dataclasses import dataclass

import nh3

from operations.conventions.models import BlockKind

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li", "h3", "h4", "blockquote"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
MARKER = re.compile(r"\[\[\s*bloc\s*:\s*([a-z_]+)\s*\]\]")
ALONE = re.compile(r"<p>\s*(\[\[\s*bloc\s*:\s*([a-z_]+)\s*\]\])\s*</p>")  # a marker as its own paragraph


def clean_html(html: str) -> str:
    """The article's HTML reduced to the allowed tags, without attributes; scripts and styles removed with their
    content."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={},
        clean_content_tags={"script", "style"},
        link_rel=None,
        strip_comments=True,
    ).strip()


def block_kinds(html: str) -> list[str]:
    """The data blocks an article inserts, in order (known kinds only)."""
    return [kind for kind in MARKER.findall(html or "") if kind in BlockKind.values]


def unknown_blocks(html: str) -> list[str]:
    """Markers naming no block: the form refuses them with the list of valid names."""
    return [kind for kind in MARKER.findall(html or "") if kind not in BlockKind.values]


@dataclass(frozen=True)
class Segment:
    """A piece of an article: sanitised HTML, or the kind of a data block to insert there."""

    html: str = ""
    block: str = ""


def segments(html: str) -> list[Segment]:
    """The article cut at its markers: [html, block, html, …]. The HTML parts are sanitised again here.

    A marker is usually a paragraph of its own (`<p>[[bloc:plan_action]]</p>`): the paragraph around it goes, so
    the table is not nested in a <p>."""
    cleaned = clean_html(html)
    cleaned = ALONE.sub(lambda m: m.group(1) if m.group(2) in BlockKind.values else m.group(0), cleaned)
    parts: list[Segment] = []
    position = 0
    for match in MARKER.finditer(cleaned):
        if match.group(1) not in BlockKind.values:
            continue  # an unknown marker stays as text (the form refuses it)
        before = clean_html(cleaned[position : match.start()])  # re-cleaning closes a cut paragraph
        if before:
            parts.append(Segment(html=before))
        parts.append(Segment(block=match.group(1)))
        position = match.end()
    rest = clean_html(cleaned[position:])
    if rest:
        parts.append(Segment(html=rest))
    return parts


def plain_text(html: str) -> str:
    """The article's text without tags (comparison of avenants, search)."""
    text = re.sub(r"<br\s*/?>|</(p|li|h3|h4|tr|blockquote)>", "\n", clean_html(html))
    text = re.sub(r"<[^>]+>", "", text)
    text = html_module.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
