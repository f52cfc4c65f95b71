"""Mermaid and DOT exports: Mermaid checked against its ER grammar, DOT by Graphviz itself."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Catalog
from ehgtui.relations.diagram import diagram_for_domain, diagram_for_tables
from ehgtui.relations.dot import to_dot
from ehgtui.relations.mermaid import KEYWORD_PREFIXES, entity_name, to_mermaid

ENTITY = r'(?:[A-Za-z_][A-Za-z0-9_]*|"[^"%\\\r\n]+")'
"""An entity name as we write it: bare word or double-quoted (Mermaid's ENTITY_NAME)."""
WORD = r"(?:[*A-Za-z_][A-Za-z0-9\-_\[\]().,*]*|`[^`]+`)"
"""An attribute type or name: Mermaid's ATTRIBUTE_WORD or its backtick form."""
CARD = r"(?:\|\||\|o|o\||o\{|\|\{|\}o|\}\|)"
LINE_RULES = {
    "block_start": re.compile(rf"    {ENTITY} \{{"),
    "attribute": re.compile(rf"        {WORD} {WORD}(?: (?:PK|FK|UK)(?:, (?:PK|FK|UK))*)?"),
    "block_end": re.compile(r"    \}"),
    "stub": re.compile(rf"    {ENTITY}"),
    "relationship": re.compile(rf'    {ENTITY} {CARD}(?:--|\.\.){CARD} {ENTITY} : "[^"\n]*"'),
}


def check_mermaid(text: str) -> dict[str, int]:
    """Every line matches one rule of the grammar, blocks nest; return how many of each."""
    lines = text.splitlines()
    assert lines[0] == "erDiagram"
    counts = dict.fromkeys(LINE_RULES, 0)
    in_block = False
    for line in lines[1:]:
        kind = next((k for k, rule in LINE_RULES.items() if rule.fullmatch(line)), None)
        assert kind is not None, f"malformed line: {line!r}"
        if kind == "attribute":
            assert in_block, line
            name = line.split()[1]
            assert name.lower() not in ("pk", "fk", "uk"), line
        elif kind == "block_start":
            assert not in_block, line
            in_block = True
        elif kind == "block_end":
            assert in_block
            in_block = False
        else:
            assert not in_block, line
        counts[kind] += 1
    assert not in_block
    return counts


def bare_entities(text: str) -> list[str]:
    found = []
    for line in text.splitlines()[1:]:
        if line.startswith("    ") and not line.startswith("        "):
            found += re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)", line.split(" : ")[0])
    return found


def test_mermaid_is_well_formed_and_quotes_what_it_must(catalog: Catalog) -> None:
    diagram = diagram_for_tables(catalog, ["strategic_directives_v2", "end"], depth=2)
    text = to_mermaid(diagram)
    counts = check_mermaid(text)
    assert counts["block_start"] == len(diagram.tables)
    assert counts["relationship"] == len(diagram.edges)
    assert '"order items" {' in text
    assert '    "end" {' in text  # `end` is a Mermaid keyword: never bare
    assert "        integer `item id` PK" in text
    assert "        integer `pk`" in text  # would be read as a key marker
    assert '        numeric(10,2) `Weird"Col`' in text
    for name in bare_entities(text):
        assert not name.lower().startswith(KEYWORD_PREFIXES), name


def test_mermaid_cardinality_follows_nullability_and_uniqueness(catalog: Catalog) -> None:
    text = to_mermaid(diagram_for_tables(catalog, ["strategic_directives_v2"]))
    assert 'strategic_directives_v2 ||--o{ "order items" : "sd_id → id"' in text
    assert "strategic_directives_v2 ||--|{ sd_phase_handoffs : " in text
    assert "strategic_directives_v2 ||--o| sd_backlog_map : " in text
    assert "strategic_directives_v2 ||--|| sd_charter : " in text
    assert 'users ||--|{ strategic_directives_v2 : "owner_id → id"' in text
    assert text.count("strategic_directives_v2 ||--o{ strategic_directives_v2 :") == 2


def test_entity_name_rules() -> None:
    assert entity_name("users") == "users"
    assert entity_name("auth.users") == '"auth.users"'
    assert entity_name("one_thing") == '"one_thing"'
    assert entity_name('we"ird%') == '"we_ird_"'


def test_domain_diagram_draws_neighbours_as_stubs(catalog: Catalog) -> None:
    domains = classify(catalog)
    diagram = diagram_for_domain(catalog, "Strategic Directives", domains)
    assert {t.name for t in diagram.tables} == {
        "strategic_directives_v2",
        "sd_phase_handoffs",
        "sd_backlog_map",
        "sd_charter",
        # joined by the foreign-key rule: each has a key into a Strategic Directives table
        "users",
        "order items",
        "handoff_notes",
    }
    assert set(diagram.stubs) == {"public.orgs", "public.end"}
    counts = check_mermaid(to_mermaid(diagram))
    assert counts["stub"] == 2


@pytest.fixture(scope="module")
def dot_program() -> str:
    found = shutil.which("dot")
    if found is None:
        pytest.skip("Graphviz is not installed (Debian package graphviz): cannot check DOT")
    return found


def test_dot_passes_graphviz(catalog: Catalog, dot_program: str) -> None:
    domains = classify(catalog)
    texts = []
    for diagram in (
        diagram_for_tables(catalog, ["strategic_directives_v2", "end", "ventures"], depth=2),
        diagram_for_domain(catalog, "Strategic Directives", domains),
    ):
        text = to_dot(diagram)
        texts.append(text)
        result = subprocess.run(
            [dot_program, "-Tsvg"], input=text, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "<svg" in result.stdout
        for edge in diagram.edges:
            assert edge.label.replace(">", "&gt;") in result.stdout
    assert "Weird&quot;Col" in texts[0]  # HTML-escaped inside the table label
    assert 'shape=box, style=dashed, label="orgs"' in texts[1]  # a stub


def test_dot_escapes_names() -> None:
    from ehgtui.relations.dot import quote_id

    assert quote_id('a"b\\c') == '"a\\"b\\\\c"'
