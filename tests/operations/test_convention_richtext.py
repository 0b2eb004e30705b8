"""The rich text of convention articles: what survives sanitising, and how markers cut an article into segments."""

from operations.conventions.richtext import (
    Segment,
    block_kinds,
    clean_html,
    plain_text,
    segments,
    unknown_blocks,
)


def test_scripts_event_handlers_styles_and_links_never_survive_sanitising() -> None:
    dirty = (
        '<p onclick="steal()">Texte <script>alert(1)</script><strong>fort</strong></p>'
        '<style>body{display:none}</style><a href="javascript:alert(1)">lien</a>'
        '<img src="x" onerror="alert(1)"><iframe src="https://example.com"></iframe>'
    )
    cleaned = clean_html(dirty)
    for forbidden in ("script", "alert", "onclick", "onerror", "style", "href", "<a", "<img", "iframe"):
        assert forbidden not in cleaned
    assert "<strong>fort</strong>" in cleaned
    assert "lien" in cleaned  # the text of a link stays, the link goes


def test_the_allowed_formatting_is_kept_without_attributes() -> None:
    html = '<h3 class="x">Titre</h3><ul><li>un</li></ul><table><tr><td style="color:red">1</td></tr></table>'
    assert (
        clean_html(html)
        == "<h3>Titre</h3><ul><li>un</li></ul><table><tbody><tr><td>1</td></tr></tbody></table>"
    )


def test_a_marker_on_its_own_paragraph_becomes_a_block_segment() -> None:
    html = "<p>Avant.</p><p>[[bloc:plan_action]]</p><p>Après.</p>"
    assert segments(html) == [
        Segment(html="<p>Avant.</p>"),
        Segment(block="plan_action"),
        Segment(html="<p>Après.</p>"),
    ]


def test_a_marker_inside_a_paragraph_leaves_well_formed_html_on_both_sides() -> None:
    parts = segments("<p>Voir [[bloc:enjeux]] ci-dessus</p>")
    assert parts[1] == Segment(block="enjeux")
    assert parts[0].html == "<p>Voir </p>"
    assert "<p>" not in parts[2].html or parts[2].html.count("<p>") == parts[2].html.count("</p>")


def test_unknown_markers_stay_text_and_are_reported() -> None:
    html = "<p>[[bloc:inconnu]]</p><p>[[ bloc : maquette_financiere ]]</p>"
    assert unknown_blocks(html) == ["inconnu"]
    assert block_kinds(html) == ["maquette_financiere"]
    assert segments(html)[0] == Segment(html="<p>[[bloc:inconnu]]</p>")


def test_plain_text_keeps_one_line_per_paragraph_and_decodes_entities() -> None:
    assert plain_text("<p>Élus &amp; partenaires</p><ul><li>un</li><li>deux</li></ul>") == (
        "Élus & partenaires\nun\ndeux"
    )
