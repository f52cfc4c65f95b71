"""Policy expressions evaluated on one row as the viewer: the whole expression, and when it
does not pass, each of its AND, OR and NOT branches with what the failing tests read.

The row is JSON made into a row of the table by `jsonb_populate_record`, named as the table,
so a policy's column references resolve to it without reading the table (where RLS would hide
the row); subqueries inside the policy run as the viewer, as for the real statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from ehgtui.catalog.model import Table
from ehgtui.db.pool import AnyConnection
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.rows.errors import first_line
from ehgtui.rows.policy_parts import PolicyPart, policy_parts

SUBQUERY_SAMPLE = 5
"""Rows of a policy's subquery shown with a failing branch."""


@dataclass(frozen=True)
class PartResult:
    """One branch of a policy expression, evaluated on the row."""

    text: str
    kind: str
    """`and`, `or`, `not` or `test` (see `PolicyPart`)."""
    result: bool | None
    error: str | None = None
    children: tuple[PartResult, ...] = ()
    reads: tuple[tuple[str, str], ...] = ()
    """For a test that did not pass: what it reads, as (name, value) — columns, the request's
    calls (`auth.uid()`), subqueries' results."""


@dataclass(frozen=True)
class Check:
    """One expression of a policy on one row."""

    clause: str
    """`USING` or `WITH CHECK`."""
    row: str
    """`existing` or `proposed`."""
    expression: str
    result: bool | None
    error: str | None = None
    failing: PartResult | None = None
    """The expression's structure with every branch's result, when it did not pass."""


def populated(table: Table, parameter: str) -> str:
    """A FROM item: the JSON row in `parameter` as a row of the table, named as the table so
    that the policy's column references (bare or qualified by the table) resolve to it."""
    return (
        f"jsonb_populate_record(NULL::{qualified(table.schema, table.name)}, {parameter}::jsonb) "
        f"AS {quote_ident(table.name)}"
    )


class Evaluator:
    """Evaluates SQL expressions over one JSON row as the viewer, each failure contained in a
    savepoint so that one bad expression does not end the transaction."""

    def __init__(self, conn: AnyConnection, table: Table) -> None:
        self._conn = conn
        self._table = table
        self._savepoints = 0

    async def values(self, row: Mapping[str, Any], expressions: Sequence[str]) -> list[Any]:
        """Each expression's value as text (None for NULL), or an Exception when it failed."""
        if not expressions:
            return []
        items = ", ".join(f"({e})::text" for e in expressions)
        sql = f"SELECT ARRAY[{items}] FROM {populated(self._table, '$1')}"
        try:
            return list(await self._contained(sql, row))
        except asyncpg.PostgresError:
            if len(expressions) == 1:
                raise
        results: list[Any] = []
        for expression in expressions:  # one by one, to tell which failed
            try:
                results.extend(await self.values(row, [expression]))
            except asyncpg.PostgresError as exc:
                results.append(exc)
        return results

    async def _contained(self, sql: str, row: Mapping[str, Any]) -> list[Any]:
        self._savepoints += 1
        name = f"ehgtui_explain_{self._savepoints}"
        await self._conn.execute(f"SAVEPOINT {name}")
        try:
            value = await self._conn.fetchval(sql, json.dumps(dict(row)))
        except asyncpg.PostgresError:
            await self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        await self._conn.execute(f"RELEASE SAVEPOINT {name}")
        return list(value)


def _truth(value: Any) -> bool | None:
    return None if value is None else value == "true"


def _show(value: Any) -> str:
    if isinstance(value, Exception):
        return f"error: {first_line(value)}"
    return "NULL" if value is None else str(value)


def _column_text(row: Mapping[str, Any], column: str) -> str:
    if column not in row:
        return "(not a column of this table)"
    value = row[column]
    if value is None:
        return "NULL"
    return value if isinstance(value, str) else json.dumps(value)


def _subquery_sql(subquery: str) -> str:
    return (
        f"(SELECT jsonb_agg(q) FROM (SELECT * FROM ({subquery}) AS q0 "
        f"LIMIT {SUBQUERY_SAMPLE + 1}) AS q)"
    )


async def _breakdown(evaluator: Evaluator, row: Mapping[str, Any], top: PolicyPart) -> PartResult:
    """Every branch's result on the row, and what each test that did not pass reads."""
    parts = top.walk()
    results = await evaluator.values(row, [p.text for p in parts])
    by_part = dict(zip((id(p) for p in parts), results, strict=True))

    async def build(part: PolicyPart) -> PartResult:
        value = by_part[id(part)]
        error = first_line(value) if isinstance(value, Exception) else None
        result = None if error else _truth(value)
        children = tuple([await build(c) for c in part.children])
        reads: tuple[tuple[str, str], ...] = ()
        if part.kind == "test" and result is not True:
            named = [(c, _column_text(row, c)) for c in part.columns]
            asked = [*part.calls, *part.subqueries]
            sql = [*part.calls, *(_subquery_sql(s) for s in part.subqueries)]
            values = await evaluator.values(row, sql) if sql else []
            shown = [f"({s})" if s in part.subqueries else s for s in asked]
            reads = (*named, *zip(shown, (_show(v) for v in values), strict=True))
        return PartResult(part.text, part.kind, result, error, children, reads)

    return await build(top)


async def check_expression(
    evaluator: Evaluator, row: Mapping[str, Any], clause: str, which: str, expression: str
) -> Check:
    [value] = await evaluator.values(row, [expression])
    if isinstance(value, Exception):
        return Check(clause, which, expression, None, first_line(value))
    result = _truth(value)
    failing = None
    if result is not True and (parts := policy_parts(expression)) is not None:
        failing = await _breakdown(evaluator, row, parts)
    return Check(clause, which, expression, result, None, failing)
