"""Run one statement the user typed, read-only by construction, through anyone's eyes.

The order of a run, each step one reason the pad cannot write or leave the session changed:

1. The text is parsed by PostgreSQL's own parser (`usersql.statement`): it must be exactly
   one SELECT (WITH, VALUES, TABLE) or EXPLAIN of one. COMMIT, SET ROLE, RESET, SET SESSION
   AUTHORIZATION, DISCARD and every write are refused before anything is sent, as is text
   holding several statements.
2. It runs in the Rows tab's session (`rows.session.row_session`): `BEGIN READ ONLY` on a
   pooled connection, the statement timeout set with `set_config(…, true)`, "view as" done
   with `SET LOCAL ROLE` and the JWT claims, all of it ended by ROLLBACK with the session
   cleared of advisory locks. The server itself refuses any write in that transaction.
3. The server's catalog is asked how volatile the calls are (`usersql.volatility`): VOLATILE
   functions (nextval, dblink_exec, pg_advisory_lock…) are refused unless allowed.
4. The text as typed is prepared (parsed and planned, never executed) so that an error's
   position is a place in what the user typed, and the result's columns are known. What
   executes is the checked, deparsed form, wrapped so that every value comes back as
   PostgreSQL prints it and masked columns only as whether they are null.
5. Rows come through a cursor, in batches, up to the row cap: memory stays bounded.

The extended protocol carries one statement per message, so nothing typed can smuggle a
second statement past the parse either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg

from ehgtui.db.pool import AnyConnection
from ehgtui.query.errors import QueryFailedError, QueryRefusedError, server_error
from ehgtui.query.masking import masked_positions
from ehgtui.query.settings import HARD_MAX_ROWS, QuerySettings
from ehgtui.rows.errors import QueryError
from ehgtui.rows.masking import MASK
from ehgtui.rows.roles import ViewAs, Viewer
from ehgtui.rows.session import require_enabled, row_session
from ehgtui.usersql.errors import UserSqlError, VolatileCallsError
from ehgtui.usersql.statement import ReadStatement, parse_read_statement
from ehgtui.usersql.volatility import refuse_volatile

FIRST_BATCH_ROWS = 200
"""Rows fetched first, so that they are on screen while the rest arrive."""

BATCH_ROWS = 5_000
"""Rows per fetch after the first: few round trips, bounded memory per step."""

Row = tuple[str | None, ...]


@dataclass(frozen=True)
class QueryRequest:
    """One statement to run, and through whose eyes."""

    sql: str
    view_as: ViewAs = field(default_factory=ViewAs)
    allow_volatile: bool = False
    """Run it even though it calls VOLATILE functions (the user said so)."""
    show_secrets: bool = False
    max_rows: int | None = None
    """Rows to fetch at most; None for the settings' cap."""


@dataclass(frozen=True)
class QueryColumn:
    """A result column: its name, its type as the server names it, and whether it is masked."""

    name: str
    data_type: str
    masked: bool


@dataclass
class QueryResult:
    """What a statement gave: its columns and rows (values as PostgreSQL prints them)."""

    statement: ReadStatement
    viewer: Viewer
    columns: tuple[QueryColumn, ...]
    rows: list[Row]
    truncated: bool = False
    """More rows followed than the cap let through."""
    elapsed: float = 0.0
    """Seconds from sending the statement to the last row fetched."""
    max_rows: int = 0

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def plan(self) -> list[str] | None:
        """EXPLAIN's output lines, None for a SELECT."""
        if not self.statement.explain:
            return None
        return [row[0] or "" for row in self.rows]


def checked_statement(sql: str) -> ReadStatement:
    """The typed text as the one read it must be, or QueryRefusedError (one line)."""
    try:
        return parse_read_statement(sql)
    except UserSqlError as exc:
        raise QueryRefusedError(str(exc), getattr(exc, "position", None)) from None


async def _refuse_volatile(conn: AnyConnection, statement: ReadStatement, allow: bool) -> None:
    try:
        await refuse_volatile(conn, statement.select, allow)
    except VolatileCallsError as exc:
        raise QueryRefusedError(str(exc), volatile=tuple(c.words for c in exc.calls)) from None


def _wrapped(statement: ReadStatement, masked: frozenset[int], count: int) -> str:
    """The checked SELECT with every output as text, masked ones as whether they are null.

    Outputs are renamed by position (`q(c0, c1, …)`), so duplicate and odd names are fine.
    """
    names = [f"c{i}" for i in range(count)]
    values = [
        f"(q.{n} IS NOT NULL)" if i in masked else f"q.{n}::text" for i, n in enumerate(names)
    ]
    return (
        f"SELECT {', '.join(values) or 'NULL'}\n"
        f"  FROM (\n{statement.sql}\n) AS q({', '.join(names)})"
    )


def _cell(value: object, masked: bool) -> str | None:
    if masked:
        return MASK if value else None
    return None if value is None else str(value)


async def _describe(conn: AnyConnection, sql: str) -> list[asyncpg.types.Attribute]:
    """The result's columns of the text as typed: parsed and planned, not executed."""
    prepared = await conn.prepare(sql)
    return list(prepared.get_attributes())


def _type_name(attribute: asyncpg.types.Attribute) -> str:
    kind = attribute.type
    return kind.name if kind.schema in ("pg_catalog", "") else f"{kind.schema}.{kind.name}"


async def _fetch(
    conn: AnyConnection,
    result: QueryResult,
    sql: str,
    cap: int,
    on_rows: Callable[[QueryResult], None] | None,
) -> None:
    masked = [c.masked for c in result.columns]
    cursor = await conn.cursor(sql)
    batch = FIRST_BATCH_ROWS
    while len(result.rows) <= cap:
        want = min(batch, cap + 1 - len(result.rows))
        records = await cursor.fetch(want)
        result.rows.extend(
            tuple(_cell(v, masked[i]) for i, v in enumerate(record)) for record in records
        )
        if len(records) < want:
            break
        if on_rows is not None:
            on_rows(result)
        batch = BATCH_ROWS
    if len(result.rows) > cap:
        del result.rows[cap:]
        result.truncated = True


async def run_query(
    pool: asyncpg.Pool,
    request: QueryRequest,
    settings: QuerySettings,
    on_rows: Callable[[QueryResult], None] | None = None,
) -> QueryResult:
    """Run request's statement read-only, as `request.view_as` sees the data.

    `on_rows` is called with the result after each batch but the last, while rows are still
    arriving (the same object each time, growing). Cancelling the task that awaits this
    cancels the statement on the server. Raises RowsDisabledError, RoleError, or a
    QueryError: QueryRefusedError, QueryFailedError, QueryTimeoutError, each one line.
    """
    require_enabled(settings.rows)
    return await run_statement(pool, checked_statement(request.sql), request, settings, on_rows)


async def run_statement(
    pool: asyncpg.Pool,
    statement: ReadStatement,
    request: QueryRequest,
    settings: QuerySettings,
    on_rows: Callable[[QueryResult], None] | None = None,
) -> QueryResult:
    """Run a statement `checked_statement` made of `request.sql` (steps 2 to 5 of a run).

    An EXPLAIN runs as it is; a SELECT runs wrapped (values as text, secrets masked).
    """
    require_enabled(settings.rows)
    cap = max(1, min(request.max_rows or settings.max_rows, HARD_MAX_ROWS))
    pattern = settings.rows.secret_pattern
    async with row_session(pool, request.view_as, settings.session_settings) as session:
        conn = session.conn
        timeout = settings.statement_timeout
        started = time.perf_counter()
        try:
            await _refuse_volatile(conn, statement, request.allow_volatile)
            attributes = await _describe(conn, request.sql)
        except asyncpg.PostgresError as exc:
            raise server_error(exc, timeout) from None
        names = [a.name for a in attributes]
        masked = (
            frozenset()
            if request.show_secrets or statement.explain
            else masked_positions(names, statement.select.sql, pattern)
        )
        columns = tuple(
            QueryColumn(a.name, _type_name(a), i in masked) for i, a in enumerate(attributes)
        )
        result = QueryResult(statement, session.viewer, columns, [], max_rows=cap)
        sql = statement.sql if statement.explain else _wrapped(statement, masked, len(names))
        try:
            await _fetch(conn, result, sql, cap, on_rows)
        except asyncpg.PostgresError as exc:
            raise server_error(exc, timeout, typed=False) from None
        except (asyncpg.DataError, ValueError) as exc:
            raise QueryFailedError(f"cannot read the result: {exc}") from None
        result.elapsed = time.perf_counter() - started
    return result


__all__ = [
    "QueryColumn",
    "QueryError",
    "QueryRequest",
    "QueryResult",
    "checked_statement",
    "run_query",
    "run_statement",
]
