"""Index facts the conventions check needs: coverage of columns and duplicate definitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ehgtui.catalog.model import Index, Table


def leads_with(index: Index, columns: Sequence[str]) -> bool:
    """True when the index's first key columns are exactly `columns`, in any order."""
    n = len(columns)
    return len(index.columns) >= n and set(index.columns[:n]) == set(columns)


def covering_index(table: Table, columns: Sequence[str]) -> Index | None:
    """A valid index of the table whose leading columns are `columns` (as splinter's 0001)."""
    return next((i for i in table.indexes if i.is_valid and leads_with(i, columns)), None)


def definition_without_name(index: Index) -> str:
    """`pg_get_indexdef()` with the index's own name cut out: equal texts mean equal indexes."""
    definition = index.definition
    for keyword in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
        if definition.startswith(keyword):
            rest = definition[len(keyword) :]
            return keyword + rest[_identifier_end(rest) :]
    return definition


def _identifier_end(text: str) -> int:
    """Length of the (possibly double-quoted) identifier at the start of text."""
    if not text.startswith('"'):
        return text.find(" ") if " " in text else len(text)
    i = 1
    while i < len(text):
        if text[i] == '"':
            if text[i + 1 : i + 2] == '"':
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def duplicate_index_groups(table: Table) -> list[tuple[str, ...]]:
    """Names of indexes sharing one definition (apart from the name), groups of two or more."""
    groups: dict[str, list[str]] = defaultdict(list)
    for index in table.indexes:
        groups[definition_without_name(index)].append(index.name)
    return [tuple(sorted(names)) for _, names in sorted(groups.items()) if len(names) > 1]
