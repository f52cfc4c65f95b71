"""The row a user names on the command line (`--row KEY`) and the values they give it
(`--set col=value`), read against the table's columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ehgtui.catalog.model import Table
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.rows.errors import RowsError

NULL_INPUT = "NULL"
"""A `--set` value that means SQL NULL."""


class RowNotFoundError(RowsError):
    """No row has the key (as the connection's role sees the table)."""


class RowKeyError(RowsError):
    """The key given does not name one row (unknown column, a partial key, bad syntax)."""


def parse_key(table: Table, key: str) -> dict[str, str]:
    """`KEY` as column → text: the primary key's value, or `col=value,col2=value`."""
    columns = {c.name for c in table.columns}
    pk = table.primary_key
    pk_columns = list(pk.columns) if pk is not None else []
    if "=" not in key:
        if len(pk_columns) != 1:
            raise RowKeyError(
                f"{table.qualified_name} has "
                + ("no primary key" if not pk_columns else f"a {len(pk_columns)}-column key")
                + ": give the row as col=value,…"
            )
        return {pk_columns[0]: key}
    found: dict[str, str] = {}
    for item in key.split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise RowKeyError(f"cannot read {item!r} in the row key: write col=value,col2=value")
        if name not in columns:
            raise RowKeyError(f"{table.qualified_name} has no column {name!r}")
        found[name] = value
    return found


def parse_assignments(table: Table, assignments: Sequence[str]) -> dict[str, str | None]:
    """`--set col=value` values as column → text (None for `NULL`)."""
    columns = {c.name for c in table.columns}
    values: dict[str, str | None] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise RowKeyError(f"cannot read --set {item!r}: write --set column=value")
        if name not in columns:
            raise RowKeyError(f"{table.qualified_name} has no column {name!r}")
        values[name] = None if value == NULL_INPUT else value
    return values


def key_text(key: Mapping[str, str]) -> str:
    """A key as it is typed: `col=value,col2=value`."""
    return ",".join(f"{c}={v}" for c, v in key.items())


def key_columns(table: Table) -> list[str]:
    """The primary key's columns, the way a row is named.

    Raises:
        RowKeyError: the table has no primary key.
    """
    pk = table.primary_key
    if pk is None or not pk.columns:
        raise RowKeyError(f"{table.qualified_name} has no primary key: no row can be named")
    return list(pk.columns)


def first_keys_sql(table: Table, limit: int) -> str:
    """A query for the keys of the table's first `limit` rows in key order, each as an array
    of the key columns' text (as `--row` takes them)."""
    columns = key_columns(table)
    values = ", ".join(f"t.{quote_ident(c)}::text" for c in columns)
    order = ", ".join(f"t.{quote_ident(c)}" for c in columns)
    return (
        f"SELECT ARRAY[{values}] FROM {qualified(table.schema, table.name)} AS t "
        f"ORDER BY {order} LIMIT {int(limit)}"
    )
