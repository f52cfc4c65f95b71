"""Views and materialized views: `CREATE ... AS <pg_get_viewdef()>` and what follows it."""

from __future__ import annotations

from ehgtui.catalog.model import Table
from ehgtui.ddl.create_table import storage_options
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified, quote_ident


def create_view(table: Table, options: DdlOptions) -> str:
    """`CREATE [MATERIALIZED] VIEW name [WITH (...)] AS ... [WITH ... CHECK OPTION]`.

    `check_option` is a reloption in the catalog but a clause after the query in SQL. A
    materialized view is created populated (the default), as a migration would.
    """
    name = qualified(table.schema, table.name)
    check_option = None
    reloptions = []
    for option in table.options:
        key, _, value = option.partition("=")
        if key == "check_option":
            check_option = value.upper()
        else:
            reloptions.append(option)
    materialized = table.kind == "materialized view"
    if materialized:
        if_not_exists = "IF NOT EXISTS " if options.if_not_exists else ""
        head = f"CREATE MATERIALIZED VIEW {if_not_exists}{name}"
    else:
        head = f"CREATE VIEW {name}"
    if reloptions:
        head += f" WITH ({storage_options(tuple(reloptions))})"
    query = (table.view_definition or "").rstrip().rstrip(";").rstrip()
    text = f"{head} AS\n{query}"
    if check_option:
        text += f"\n  WITH {check_option} CHECK OPTION"
    return text + ";"


def view_column_defaults(table: Table) -> list[str]:
    """Defaults on view columns (used by INSERTs through an updatable view)."""
    name = qualified(table.schema, table.name)
    return [
        f"ALTER VIEW {name} ALTER COLUMN {quote_ident(c.name)} SET DEFAULT {c.default};"
        for c in table.columns
        if c.default is not None
    ]
