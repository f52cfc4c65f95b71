"""The other way round from one row's access: the rows the connection's role sees that a
viewer does not, counted (capped), with the policy that hides each of a few of them.

One read-only transaction reads, as the connection's role, the keys of the table's first rows
in key order (up to the cap); then, switched to the viewer, it asks which of those keys the
viewer's RLS lets through (an EXISTS on the key, so only the viewer's own policies decide).
The rest are hidden. A sample of them is then explained one by one with `explain_row`
(SELECT), each in its own read-only transaction: a row deleted in between is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg

from ehgtui.catalog.model import Table
from ehgtui.db.read_only_session import read_only
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.rows import roles
from ehgtui.rows.errors import query_error
from ehgtui.rows.policy_eval import populated
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_access import CommandAccess, explain_row
from ehgtui.rows.row_key import RowNotFoundError, first_keys_sql, key_columns
from ehgtui.rows.session import require_enabled, set_statement_timeout
from ehgtui.rows.settings import RowSettings

HIDDEN_SAMPLE = 5
"""Hidden rows explained by default."""


@dataclass(frozen=True)
class HiddenRow:
    """One row the viewer does not see, and why."""

    key: dict[str, str]
    reason: str
    """The SELECT verdict's reason, e.g. `… no permissive policy passes (user_owned)`."""
    hiding: tuple[str, ...]
    """The policies that hide it: the failing restrictive ones when a permissive one passes,
    else every permissive one (none passed) and every failing restrictive one. Empty when no
    policy applies or the viewer lacks the privilege (the reason says which)."""


@dataclass(frozen=True)
class HiddenRows:
    """The rows of one table the connection's role sees and a viewer does not."""

    table: str
    viewer: str
    role: str
    seen_by_connection: int
    """Rows the connection's role sees, looked at (at most `cap`)."""
    capped: bool
    """True when the connection's role sees more than `cap` rows: only the first `cap`, in
    key order, were looked at."""
    hidden: int
    """Of those, the rows the viewer does not see."""
    cap: int
    samples: tuple[HiddenRow, ...]


def _visible_sql(table: Table, columns: list[str]) -> str:
    relation = qualified(table.schema, table.name)
    name = quote_ident(table.name)
    matches = " AND ".join(f"t.{quote_ident(c)} = {name}.{quote_ident(c)}" for c in columns)
    return (
        "SELECT coalesce(array_agg(e.ord::int), '{}') "
        "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord), "
        f"LATERAL {populated(table, 'e.v')} "
        f"WHERE EXISTS (SELECT 1 FROM {relation} AS t WHERE {matches})"
    )


def _hiding(answer: CommandAccess) -> tuple[str, ...]:
    permissive = [p for p in answer.policies if p.permissive]
    failing_restrictive = [p.name for p in answer.policies if not p.permissive and not p.passed]
    if any(p.passed for p in permissive):
        return tuple(failing_restrictive)
    return tuple(dict.fromkeys([*(p.name for p in permissive), *failing_restrictive]))


async def hidden_rows(
    pool: asyncpg.Pool,
    table: Table,
    view_as: ViewAs,
    settings: RowSettings,
    sample: int = HIDDEN_SAMPLE,
) -> HiddenRows:
    """The rows of `table` the connection's role sees and `view_as` does not.

    Raises:
        RowsDisabledError, RoleError, RowKeyError (no primary key), QueryError (one line).
    """
    require_enabled(settings)
    columns = key_columns(table)
    cap = settings.count_cap
    try:
        async with read_only(pool) as conn:
            await set_statement_timeout(conn, settings)
            found = [list(r[0]) for r in await conn.fetch(first_keys_sql(table, cap + 1))]
            capped = len(found) > cap
            keys = [dict(zip(columns, k, strict=True)) for k in found[:cap]]
            viewer = await roles.enter_view(conn, view_as)
            await conn.execute("SAVEPOINT ehgtui_hidden")
            try:
                shown = set(await conn.fetchval(_visible_sql(table, columns), json.dumps(keys)))
            except asyncpg.InsufficientPrivilegeError:
                shown = set()  # without the privilege the viewer sees no row at all
                await conn.execute("ROLLBACK TO SAVEPOINT ehgtui_hidden")
    except asyncpg.PostgresError as exc:
        raise query_error(exc, settings.statement_timeout) from None
    hidden = [k for index, k in enumerate(keys, start=1) if index not in shown]
    samples: list[HiddenRow] = []
    for key in hidden:
        if len(samples) >= sample:
            break
        try:
            explained = await explain_row(pool, table, view_as, settings, key, ["SELECT"])
        except RowNotFoundError:
            continue  # deleted since the keys were read
        [answer] = explained.commands
        if answer.verdict == "allow":
            continue  # changed since: the viewer sees it now
        samples.append(HiddenRow(key, answer.reason, _hiding(answer)))
    return HiddenRows(
        table=table.qualified_name,
        viewer=viewer.label,
        role=viewer.role,
        seen_by_connection=len(keys),
        capped=capped,
        hidden=len(hidden),
        cap=cap,
        samples=tuple(samples),
    )
