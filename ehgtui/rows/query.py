"""Pages of a table's rows, one cell's whole value, and visible-row counts: all read-only.

The user's condition is parsed by PostgreSQL's own parser first (`ehgtui.usersql`): it must
be exactly one expression, and what is spliced into the page's single statement is its
deparsed form, the text that was checked. Before it runs, the server's catalog is asked how
volatile the functions and operators it uses are: VOLATILE ones (dblink_exec,
pg_advisory_lock, pg_terminate_backend…) can act outside the read-only transaction, so the
condition is refused unless the request allows them (`allow_volatile`). It then runs inside
`row_session`'s read-only transaction, so a function that writes a table fails there, and the
session is cleared of advisory locks before the connection goes back to the pool. Rows are
read through a cursor that fetches at most `limit + 1` rows.
Values come back as PostgreSQL prints them (`::text`), whole; secrets never leave the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg

from ehgtui.catalog.model import Table
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.rows.errors import ConditionRefusedError, QueryError, query_error
from ehgtui.rows.masking import MASK, is_secret
from ehgtui.rows.roles import ViewAs, Viewer
from ehgtui.rows.session import RowSession, row_session
from ehgtui.rows.settings import MAX_LIMIT, RowSettings
from ehgtui.usersql.errors import UserSqlError, VolatileCallsError
from ehgtui.usersql.parse import ParsedSql, parse_condition
from ehgtui.usersql.volatility import refuse_volatile

RowKey = tuple[Any, ...]
"""The primary-key values of a row (as asyncpg decodes them), or `(ctid,)` without a key."""

KEYSET = "keyset"
OFFSET = "offset"

_CTID_KINDS = ("table", "materialized view")
"""Relations that have a ctid to find a row by when they have no primary key."""


@dataclass(frozen=True)
class RowRequest:
    """What page of which rows to read, and through whose eyes."""

    where: str | None = None
    """An SQL condition, as typed; None or blank for every row."""
    view_as: ViewAs = field(default_factory=ViewAs)
    limit: int | None = None
    """Rows per page; None for the settings' default."""
    after: RowKey | None = None
    """Keyset paging: the page after the row with this key."""
    before: RowKey | None = None
    """Keyset paging: the page before the row with this key."""
    offset: int = 0
    """OFFSET paging (tables without a primary key): rows to skip."""
    show_secrets: bool = False
    """Show secret-looking columns unmasked."""
    allow_volatile: bool = False
    """Run the condition even though it calls VOLATILE functions (the user said so)."""


@dataclass(frozen=True)
class ResultColumn:
    """A column of a page: its name, its type and whether its values are masked."""

    name: str
    data_type: str
    masked: bool


@dataclass(frozen=True)
class RowPage:
    """One page of rows, with what it takes to ask for the next and previous pages."""

    table: str
    """`schema.name` of the table."""
    viewer: Viewer
    """Whose eyes the rows were seen through (`viewer.label` says it in words)."""
    columns: tuple[ResultColumn, ...]
    rows: tuple[tuple[str | None, ...], ...]
    """Values as PostgreSQL prints them; None for NULL; masked values are `MASK`."""
    keys: tuple[RowKey | None, ...]
    """Each row's key, for `fetch_value`; None where the relation has no way to find a row."""
    paging: str
    """`keyset` (on the primary key) or `offset`."""
    order_by: tuple[str, ...]
    """Columns the rows are ordered by; empty when the order is the server's."""
    limit: int
    offset: int
    has_next: bool
    has_previous: bool
    where: str | None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def next_request(self, request: RowRequest) -> RowRequest | None:
        """The request for the following page, or None on the last page."""
        if not self.has_next or not self.rows:
            return None
        if self.paging == KEYSET:
            return replace(request, after=self.keys[-1], before=None, offset=0)
        return replace(request, offset=self.offset + len(self.rows))

    def previous_request(self, request: RowRequest) -> RowRequest | None:
        """The request for the page before, or None on the first page."""
        if not self.has_previous:
            return None
        if self.paging == KEYSET:
            if not self.rows:
                return replace(request, after=None, before=None)
            return replace(request, before=self.keys[0], after=None, offset=0)
        return replace(request, offset=max(0, self.offset - self.limit))


def _relation(table: Table) -> str:
    """`schema.name` of the table, quoted exactly as PostgreSQL's quote_ident() would."""
    return qualified(table.schema, table.name)


def parsed_condition(where: str | None) -> ParsedSql | None:
    """The user's condition parsed and checked to be one expression; None for every row.

    Raises ConditionRefusedError (one line) when it is not one expression.
    """
    if where is None or not where.strip():
        return None
    try:
        return parse_condition(where)
    except UserSqlError as exc:
        raise ConditionRefusedError(str(exc)) from None


async def _refuse_volatile(session: RowSession, condition: ParsedSql | None, allow: bool) -> None:
    """Ask the server how volatile the condition's calls are; refuse VOLATILE ones unless
    allowed, in the session the condition will run in (its search path, its role)."""
    if condition is None:
        return
    try:
        await refuse_volatile(session.conn, condition, allow)
    except VolatileCallsError as exc:
        raise ConditionRefusedError(str(exc), tuple(c.words for c in exc.calls)) from None
    except asyncpg.PostgresError as exc:
        raise query_error(exc, session.settings.statement_timeout) from None


def _condition(condition: ParsedSql | None) -> str:
    """The checked condition (its deparsed form) in parentheses, or `true` for every row."""
    return f"({condition.sql})" if condition is not None else "true"


def _key_columns(table: Table) -> tuple[str, ...]:
    pk = table.primary_key
    return pk.columns if pk is not None else ()


def _key_select(table: Table) -> tuple[list[str], str]:
    """The hidden key expressions of a row, and the paging mode they allow."""
    keys = _key_columns(table)
    if keys:
        return [quote_ident(c) for c in keys], KEYSET
    if table.kind in _CTID_KINDS:
        return ["ctid"], OFFSET
    return [], OFFSET


def _value_expression(name: str, masked: bool) -> str:
    """`col::text`, or for a masked column only whether it is null: the secret stays put."""
    column = quote_ident(name)
    return f"({column} IS NOT NULL)" if masked else f"{column}::text"


def _result_columns(table: Table, settings: RowSettings, show: bool) -> tuple[ResultColumn, ...]:
    return tuple(
        ResultColumn(
            c.name, c.data_type, masked=not show and is_secret(c.name, settings.secret_pattern)
        )
        for c in table.columns
    )


def _row_key_condition(columns: Sequence[str], first_param: int, op: str) -> str:
    left = ", ".join(quote_ident(c) for c in columns)
    right = ", ".join(f"${first_param + i}" for i in range(len(columns)))
    return f"ROW({left}) {op} ROW({right})"


def _page_sql(
    table: Table,
    columns: Sequence[ResultColumn],
    request: RowRequest,
    limit: int,
    condition: ParsedSql | None,
) -> tuple[str, list[Any], str, tuple[str, ...]]:
    """The page's single SELECT, its parameters, the paging mode and the order columns."""
    key_exprs, paging = _key_select(table)
    # Aliases no table column will have: ORDER BY must see the columns, not their text.
    select = [
        f"{_value_expression(c.name, c.masked)} AS __ehgtui_v{i}" for i, c in enumerate(columns)
    ]
    select += [f"{expr} AS __ehgtui_key_{i}" for i, expr in enumerate(key_exprs)]
    params: list[Any] = [limit + 1]
    conditions = [_condition(condition)]
    order: tuple[str, ...] = ()
    direction = ""
    if paging == KEYSET:
        order = _key_columns(table)
        anchor = request.before if request.before is not None else request.after
        if anchor is not None:
            if len(anchor) != len(order):
                raise QueryError(f"a key of {table.qualified_name} has {len(order)} value(s)")
            op = "<" if request.before is not None else ">"
            conditions.append(_row_key_condition(order, len(params) + 1, op))
            params.extend(anchor)
        direction = " DESC" if request.before is not None else ""
    elif key_exprs:
        order = ("ctid",)
    order_sql = ", ".join(quote_ident(c) + direction for c in order)
    sql = (
        f"SELECT {', '.join(select) or 'NULL'}\n  FROM {_relation(table)}\n WHERE "
        + "\n   AND ".join(conditions)
        + (f"\n ORDER BY {order_sql}" if order_sql else "")
        + "\n LIMIT $1"
        + (f" OFFSET {int(request.offset)}" if paging == OFFSET and request.offset else "")
    )
    return sql, params, paging, order


def _cell(value: Any, masked: bool) -> str | None:
    if masked:
        return MASK if value else None
    return value


def _clamp_limit(limit: int | None, settings: RowSettings) -> int:
    return max(1, min(limit or settings.limit, MAX_LIMIT))


async def _read(session: RowSession, sql: str, params: Sequence[Any], count: int) -> list[Any]:
    """Run one statement through a cursor, taking at most `count` rows; errors in one line."""
    try:
        cursor = await session.conn.cursor(sql, *params)
        return list(await cursor.fetch(count))
    except asyncpg.PostgresError as exc:
        raise query_error(exc, session.settings.statement_timeout) from None
    except (asyncpg.DataError, TypeError, ValueError) as exc:
        raise QueryError(f"bad key value: {exc}") from None


async def fetch_page(
    pool: asyncpg.Pool, table: Table, request: RowRequest, settings: RowSettings
) -> RowPage:
    """Read one page of `table` as `request.view_as` sees it, read-only, with the timeout.

    Raises RowsDisabledError, RoleError or QueryError (ConditionRefusedError,
    QueryTimeoutError), each one line.
    """
    limit = _clamp_limit(request.limit, settings)
    columns = _result_columns(table, settings, request.show_secrets)
    condition = parsed_condition(request.where)
    sql, params, paging, order = _page_sql(table, columns, request, limit, condition)
    async with row_session(pool, request.view_as, settings) as session:
        await _refuse_volatile(session, condition, request.allow_volatile)
        records = await _read(session, sql, params, limit + 1)
    more = len(records) > limit
    records = records[:limit]
    backwards = paging == KEYSET and request.before is not None
    if backwards:
        records.reverse()
    n = len(columns)
    rows = tuple(tuple(_cell(r[i], c.masked) for i, c in enumerate(columns)) for r in records)
    keys = tuple(tuple(r[n:]) or None for r in records)
    if paging == KEYSET:
        has_next = True if backwards else more
        has_previous = more if backwards else request.after is not None
    else:
        has_next, has_previous = more, request.offset > 0
    return RowPage(
        table=table.qualified_name,
        viewer=session.viewer,
        columns=columns,
        rows=rows,
        keys=keys,
        paging=paging,
        order_by=order,
        limit=limit,
        offset=request.offset if paging == OFFSET else 0,
        has_next=has_next,
        has_previous=has_previous,
        where=request.where,
    )


async def fetch_value(
    pool: asyncpg.Pool,
    table: Table,
    key: RowKey,
    column: str,
    settings: RowSettings,
    view_as: ViewAs | None = None,
    show_secrets: bool = False,
) -> str | None:
    """The whole value of one cell, found by its row's key, through the same read-only path."""
    if table.column(column) is None:
        raise QueryError(f"{table.qualified_name} has no column {column!r}")
    masked = not show_secrets and is_secret(column, settings.secret_pattern)
    key_exprs, _paging = _key_select(table)
    if not key_exprs or len(key) != len(key_exprs):
        raise QueryError(f"cannot find one row of {table.qualified_name}: it has no key")
    condition = _row_key_condition(_key_columns(table) or ("ctid",), 2, "=")
    sql = (
        f"SELECT {_value_expression(column, masked)}\n  FROM {_relation(table)}\n"
        f" WHERE {condition}\n LIMIT $1"
    )
    async with row_session(pool, view_as or ViewAs(), settings) as session:
        records = await _read(session, sql, [1, *key], 1)
    if not records:
        raise QueryError(f"that row of {table.qualified_name} is not visible (or is gone)")
    return _cell(records[0][0], masked)


async def count_visible(session: RowSession, table: Table, cap: int) -> int:
    """How many rows the session's viewer sees, counting no further than `cap + 1`."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {_relation(table)} LIMIT $1) AS visible"
    records = await _read(session, sql, [cap + 1], 1)
    return int(records[0][0])


async def count_rows(
    pool: asyncpg.Pool, table: Table, view_as: ViewAs, settings: RowSettings
) -> tuple[int, Viewer]:
    """Rows of `table` visible to view_as (up to `settings.count_cap + 1`), and the viewer."""
    async with row_session(pool, view_as, settings) as session:
        return await count_visible(session, table, settings.count_cap), session.viewer
