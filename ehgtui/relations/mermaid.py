"""A diagram as a Mermaid `erDiagram`, written to the letter of Mermaid's ER grammar.

Grammar facts relied on (mermaid `erDiagram.jison`): a bare entity name is word characters
(and `-`, `*`, `.`); keywords (`one`, `many`, `to`, `end`, `class`, ...) are lexed before
names, so a name starting with one is quoted; a quoted name may not hold `"`, `%` or `\\`.
Attribute types and names are bare words (letters, digits, `_-[]().,*`) or backtick-quoted,
and a column called `PK`, `FK` or `UK` would be read as a key marker.
"""

from __future__ import annotations

import re

from ehgtui.relations.diagram import Diagram, cardinality

BARE_ENTITY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Entity names written without quotes (a safe subset of Mermaid's UNICODE_TEXT)."""

KEYWORD_PREFIXES = (
    "erdiagram",
    "one",
    "only",
    "many",
    "zero",
    "to",
    "optionally",
    "end",
    "class",
    "style",
    "subgraph",
    "direction",
    "acctitle",
    "accdescr",
    "title",
)
"""Lowercase keywords of the lexer that could swallow the start of a bare name."""

BARE_ATTRIBUTE = re.compile(r"[*A-Za-z_][A-Za-z0-9\-_\[\]().,*]*")
"""Mermaid's ATTRIBUTE_WORD, ASCII part."""

KEY_WORDS = {"pk", "fk", "uk"}


def entity_name(name: str) -> str:
    """The name as Mermaid reads it: bare when safe, else double-quoted.

    Characters a quoted name cannot hold are replaced by `_`.
    """
    if BARE_ENTITY.fullmatch(name) and not name.lower().startswith(KEYWORD_PREFIXES):
        return name
    return '"' + re.sub(r'["%\\\r\n\v\b]', "_", name) + '"'


def attribute_word(word: str) -> str:
    """A column type or name: bare when Mermaid reads it as one word, else backtick-quoted."""
    if BARE_ATTRIBUTE.fullmatch(word) and word.lower() not in KEY_WORDS:
        return word
    return "`" + word.replace("`", "'").replace("\n", " ") + "`"


def relationship_label(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ") + '"'


def crow_foot(nullable: bool, unique: bool) -> str:
    """The referencing side's marker: `o{`/`|{` for many, `o|`/`||` for at most one."""
    return ("o" if nullable else "|") + ("|" if unique else "{")


def to_mermaid(diagram: Diagram) -> str:
    """Render the diagram; tables become entity blocks, every FK one relationship line."""
    lines = ["erDiagram"]
    by_name = {t.qualified_name: t for t in diagram.tables}
    for table in diagram.tables:
        pk = set(table.primary_key.columns) if table.primary_key else set()
        fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
        lines.append(f"    {entity_name(diagram.display_name(table.qualified_name))} {{")
        for col in table.columns:
            keys = [k for k, on in (("PK", col.name in pk), ("FK", col.name in fk_cols)) if on]
            marker = f" {', '.join(keys)}" if keys else ""
            lines.append(
                f"        {attribute_word(col.data_type)} {attribute_word(col.name)}{marker}"
            )
        lines.append("    }")
    for stub in diagram.stubs:
        lines.append(f"    {entity_name(diagram.display_name(stub))}")
    for edge in diagram.edges:
        card = cardinality(by_name.get(edge.source), edge)
        parent = entity_name(diagram.display_name(edge.target))
        child = entity_name(diagram.display_name(edge.source))
        rel = f"||--{crow_foot(card.nullable, card.unique)}"
        lines.append(f"    {parent} {rel} {child} : {relationship_label(edge.label)}")
    return "\n".join(lines) + "\n"
