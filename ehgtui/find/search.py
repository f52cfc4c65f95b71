"""Find tables, columns and functions by name across a catalog: `ehgtui find` and the palette.

A query is a name, optionally followed by words that narrow the tables: `created_by` lists
every table with a column named like it, `created_by strategic` only those whose table name
also matches `strategic`. Tables are matched on their name (every word must match); functions
on their name, by the first word alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehgtui.catalog.model import Catalog, Function, Table
from ehgtui.find.score import fuzzy_score


@dataclass(frozen=True)
class TableHit:
    """A table (or view) whose name matches."""

    score: float
    table: Table


@dataclass(frozen=True)
class ColumnHit:
    """A column whose name matches, in a table that matches the narrowing words."""

    score: float
    table: Table
    column: str
    data_type: str


@dataclass(frozen=True)
class FunctionHit:
    """A function (procedure, aggregate) whose name matches."""

    score: float
    function: Function


@dataclass(frozen=True)
class FindResult:
    """What a query found, best first in each list."""

    name: str
    """The first word: the table or column name looked for."""
    narrowing: tuple[str, ...]
    """The other words: each must match the table's name."""
    tables: tuple[TableHit, ...]
    columns: tuple[ColumnHit, ...]
    functions: tuple[FunctionHit, ...] = ()

    @property
    def column_tables(self) -> int:
        """How many tables have a matching column."""
        return len({hit.table.qualified_name for hit in self.columns})


def _narrowed(table: Table, words: tuple[str, ...]) -> float | None:
    """The lowest score of the narrowing words on the table's name; None when one misses."""
    if not words:
        return 0.0
    scores = [fuzzy_score(word, table.name) for word in words]
    return None if min(scores) <= 0 else min(scores)


def find(catalog: Catalog, query: str) -> FindResult:
    """Tables and columns matching `query` (see the module docstring).

    Args:
        catalog: The loaded catalog.
        query: One or more words; empty finds nothing.
    """
    words = tuple(query.split())
    if not words:
        return FindResult("", (), (), ())
    name, narrowing = words[0], words[1:]
    tables: list[TableHit] = []
    columns: list[ColumnHit] = []
    column_scores: dict[str, float] = {}
    for table in catalog.tables:
        narrow = _narrowed(table, narrowing)
        if narrow is None:
            continue
        table_score = fuzzy_score(name, table.name)
        if table_score > 0:
            tables.append(TableHit(table_score, table))
        for column in table.columns:
            found = column_scores.get(column.name)
            if found is None:
                found = column_scores[column.name] = fuzzy_score(name, column.name)
            if found > 0:
                score = found + narrow / 1000  # among equal names, the better table first
                columns.append(ColumnHit(score, table, column.name, column.data_type))
    functions: list[FunctionHit] = []
    if not narrowing:  # the narrowing words are about tables
        for function in catalog.functions:
            score = fuzzy_score(name, function.name)
            if score > 0:
                functions.append(FunctionHit(score, function))
    tables.sort(key=lambda h: (-h.score, h.table.qualified_name))
    columns.sort(key=lambda h: (-h.score, h.column, h.table.qualified_name))
    functions.sort(key=lambda h: (-h.score, h.function.signature))
    return FindResult(name, narrowing, tuple(tables), tuple(columns), tuple(functions))
