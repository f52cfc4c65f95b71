"""How volatile the functions a user's text calls are, in the server's own catalog.

A READ ONLY transaction stops writes to tables, but not functions whose effects live outside
it (dblink_exec, pg_terminate_backend, pg_advisory_lock, pg_stat_reset, adminpack's file
writers…). Those are VOLATILE in pg_proc, as is any function whose author did not declare it
STABLE or IMMUTABLE. So the rule is the server's own word, not a list of names: a text that
calls anything VOLATILE does not run unless the user allows it for that query.

Names are resolved as the server resolves them: a qualified name in its schema, an unqualified
one in the session's effective search path (`current_schemas(true)`, pg_catalog included),
looked up in the same transaction as the query it guards. Overloads are taken conservatively:
if any function of that name the path can see is VOLATILE, the call counts as VOLATILE (no
built-in function has overloads that differ only by being VOLATILE, except ts_rewrite).
Operators count by the function behind them (`pg_operator.oprcode`), casts to a type by that
type's input function and the cast functions into it.
"""

from __future__ import annotations

from ehgtui.db.pool import AnyConnection
from ehgtui.usersql.errors import VolatileCall, VolatileCallsError
from ehgtui.usersql.parse import ParsedSql, SqlName

VOLATILE_CALLS_SQL = """
WITH path AS (
    SELECT n.oid
      FROM pg_catalog.unnest(pg_catalog.current_schemas(true)) AS s(name)
      JOIN pg_catalog.pg_namespace n ON n.nspname = s.name
),
named AS (
    SELECT t.kind, t.schema, t.name,
           CASE WHEN t.schema = 'pg_temp' THEN pg_catalog.pg_my_temp_schema()
                ELSE (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = t.schema)
           END AS schema_oid
      FROM (SELECT 'function' AS kind, f.schema, f.name
              FROM ROWS FROM (pg_catalog.unnest($1::text[]),
                              pg_catalog.unnest($2::text[])) AS f(schema, name)
            UNION ALL
            SELECT 'operator', o.schema, o.name
              FROM ROWS FROM (pg_catalog.unnest($3::text[]),
                              pg_catalog.unnest($4::text[])) AS o(schema, name)) AS t
),
cast_types AS (
    SELECT c.name, ty.oid
      FROM pg_catalog.unnest($5::text[]) AS c(name)
      JOIN pg_catalog.pg_type ty
        ON ty.oid = pg_catalog.to_regtype(c.name)
        OR ty.oid = (SELECT e.typelem FROM pg_catalog.pg_type e
                      WHERE e.oid = pg_catalog.to_regtype(c.name))
),
calls AS (
    SELECT named.kind, named.schema, named.name, p.oid AS proc
      FROM named
      JOIN pg_catalog.pg_proc p
        ON named.kind = 'function' AND p.proname = named.name
       AND CASE WHEN named.schema IS NULL THEN p.pronamespace IN (SELECT oid FROM path)
                ELSE p.pronamespace = named.schema_oid END
    UNION ALL
    SELECT named.kind, named.schema, named.name, o.oprcode
      FROM named
      JOIN pg_catalog.pg_operator o
        ON named.kind = 'operator' AND o.oprname = named.name
       AND CASE WHEN named.schema IS NULL THEN o.oprnamespace IN (SELECT oid FROM path)
                ELSE o.oprnamespace = named.schema_oid END
    UNION ALL
    SELECT 'cast', NULL, t.name, ty.typinput
      FROM cast_types t JOIN pg_catalog.pg_type ty ON ty.oid = t.oid
    UNION ALL
    SELECT 'cast', NULL, t.name, c.castfunc
      FROM cast_types t JOIN pg_catalog.pg_cast c ON c.casttarget = t.oid
)
SELECT DISTINCT calls.kind, calls.schema, calls.name, calls.proc::pg_catalog.regprocedure::text
  FROM calls JOIN pg_catalog.pg_proc p ON p.oid = calls.proc
 WHERE p.provolatile = 'v'
 ORDER BY 1, 3, 2, 4
"""
"""The VOLATILE functions behind the named functions ($1 schemas, $2 names), operators ($3,
$4) and cast target types ($5), in one read-only query."""


def _columns(names: frozenset[SqlName]) -> tuple[list[str | None], list[str]]:
    ordered = sorted(names, key=lambda n: (n.schema or "", n.name))
    return [n.schema for n in ordered], [n.name for n in ordered]


def _what(kind: str, schema: str | None, name: str) -> str:
    named = str(SqlName(schema, name))
    if kind == "function":
        return f"{named}()"
    if kind == "operator":
        return f"operator {named}"
    return f"cast to {named}"


async def volatile_calls(conn: AnyConnection, parsed: ParsedSql) -> tuple[VolatileCall, ...]:
    """The VOLATILE calls of parsed, one per name the text uses, in the order of the names.

    Run on the connection (and in the transaction) the text will run in, so that the search
    path and the role are the ones the server will resolve the names with.
    """
    if not (parsed.functions or parsed.operators or parsed.casts):
        return ()
    function_schemas, function_names = _columns(parsed.functions)
    operator_schemas, operator_names = _columns(parsed.operators)
    rows = await conn.fetch(
        VOLATILE_CALLS_SQL,
        function_schemas,
        function_names,
        operator_schemas,
        operator_names,
        sorted(parsed.casts),
    )
    calls: dict[str, VolatileCall] = {}
    for kind, schema, name, function in rows:
        what = _what(kind, schema, name)
        calls.setdefault(what, VolatileCall(what, function))
    return tuple(calls.values())


async def refuse_volatile(
    conn: AnyConnection, parsed: ParsedSql, allow_volatile: bool = False
) -> tuple[VolatileCall, ...]:
    """Raise VolatileCallsError when parsed calls anything VOLATILE, unless allowed.

    Returns the VOLATILE calls that were allowed (empty when there are none).
    """
    calls = await volatile_calls(conn, parsed)
    if calls and not allow_volatile:
        raise VolatileCallsError(calls)
    return calls
