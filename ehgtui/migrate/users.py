"""What uses a function or type the migration drops and creates again: made way for.

`DROP FUNCTION` and `DROP TYPE` fail while something depends on the object. The catalog
records its users (`ObjectUse`, from pg_depend and the triggers' functions); each is dropped
before the drop and created again from B after the creation, in its own phase:

- triggers, policies, checks and indexes join the parts in the way of a change
  (`Context.object_dependents`, written by `dependents.mark_in_the_way`);
- views are rebuilt (`Context.views_in_the_way`);
- a column default is dropped and set again from B.

Users of other kinds (another function's SQL-standard body, a domain, a column of the type)
are named in a note: the migration cannot make way for them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ehgtui.catalog.model import ObjectUse
from ehgtui.ddl.quote import quote_ident
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.plan import Phase

PART_KINDS = {"trigger": "trigger", "policy": "policy", "check": "constraint", "index": "index"}
"""ObjectUse kinds that are parts of a table, and the table-part handler each goes through."""


def make_way(ctx: Context, what: str, uses: Iterable[ObjectUse], *, skip: str = "") -> None:
    """Drop before, and create again after, every user of `what` (A's uses) B still has.

    `skip`: a use kind the caller handles itself (`column` for a type it converts)."""
    for use in uses:
        table_name = f"{use.schema}.{use.relation}"
        old_table = ctx.a.table(table_name)
        why = f"{what} is dropped and created again"
        if use.kind == skip:
            continue
        if use.kind in PART_KINDS and old_table is not None and use.name is not None:
            entry = (PART_KINDS[use.kind], old_table, use.name, why)
            if entry not in ctx.object_dependents:
                ctx.object_dependents.append(entry)
        elif use.kind == "view" and old_table is not None:
            ctx.views_in_the_way.add(table_name)
        elif use.kind == "default" and old_table is not None and use.name is not None:
            _default_out_of_the_way(ctx, table_name, use.name)
        else:
            user = f"{use.kind} {table_name}" + (f".{use.name}" if use.name else "")
            ctx.note(f"{what} is dropped and created again but {user} uses it: not handled")


def _default_out_of_the_way(ctx: Context, table_name: str, column: str) -> None:
    old_table = ctx.a.table(table_name)
    new_table = ctx.b.table(table_name)
    assert old_table is not None
    alter = f"ALTER TABLE {name_of(old_table)} ALTER COLUMN {quote_ident(column)}"
    ctx.add(Phase.DROP_DEPENDENTS, f"{alter} DROP DEFAULT;")
    new_column = new_table.column(column) if new_table is not None else None
    if new_table is not None and new_column is not None and new_column.default is not None:
        alter = f"ALTER TABLE {name_of(new_table)} ALTER COLUMN {quote_ident(column)}"
        ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new_column.default};")
