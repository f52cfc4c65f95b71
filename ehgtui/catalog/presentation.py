"""A table's facts as people read them, the same in the TUI, `describe` and the docs.

Row estimate and size: the catalog holds pg_class's raw figures: `reltuples` is -1 until the
table is analysed (and always for a view), and `relpages` is -1 for a partitioned table,
whose rows live in its partitions. Printed raw they read `rows ~-1` and `-8192 bytes`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ehgtui.catalog.model import Constraint, Table


def human_bytes(size: int) -> str:
    """Format a byte count the way pg_size_pretty does (kB, MB, GB; 1024-based)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.0f} {unit}"
        value /= 1024
    return f"{size} bytes"  # unreachable; keeps type checkers calm


def rows_text(table: Table) -> str:
    """`~1,234 rows`; `no rows of its own` for a view; `not analysed` when unknown."""
    if table.kind == "view":
        return "no rows of its own"
    if table.row_estimate < 0:
        return "not analysed"
    return f"~{table.row_estimate:,} rows"


def size_text(table: Table) -> str:
    """`296 kB`; `no storage` for a view; `stored in its partitions` for a partitioned table."""
    if table.kind == "view":
        return "no storage"
    if table.kind == "partitioned table":
        return "stored in its partitions"
    if table.size_bytes < 0:
        return "size unknown"
    return human_bytes(table.size_bytes)


def constraints_in_display_order(constraints: Iterable[Constraint]) -> list[Constraint]:
    """The constraints as the Constraints tab and `describe` list them: by name, the one order
    of every source (the loader, snapshots, `ddl` and pg_dump), so that the same constraint
    sits at the same place in each (the primary key is not put first)."""
    return sorted(constraints, key=lambda c: c.name)


def referenced_by_heading(table: Table) -> str:
    """`Referenced by (101 foreign keys: 100 other tables and itself)`.

    The Relations tab draws the other tables as boxes and the self-reference inside the
    table's own box, so both say "100 other tables and itself".
    """
    refs = table.referenced_by
    if not refs:
        return "Referenced by: no foreign key points here"
    sources = {(r.schema, r.table) for r in refs}
    others = sources - {(table.schema, table.name)}
    fks = f"{len(refs)} foreign key" + ("" if len(refs) == 1 else "s")
    tables = f"{len(others)} other table" + ("" if len(others) == 1 else "s")
    if len(others) < len(sources):
        tables = f"{tables} and itself" if others else "itself"
    return f"Referenced by ({fks}: {tables})"
