"""`--rename old=new`: turn a removed-plus-added pair of the diff into a rename.

A table is `schema.table` or `table` (in A's first schema); a column is `table.column` on the
left and the new column's name (or `table.column`) on the right. The diff already reports a
rename by itself when the OIDs match (the same database, before and after); across two
databases it cannot know, and a rename written as drop plus add would lose the data.
"""

from __future__ import annotations

import dataclasses

from ehgtui.catalog.model import Catalog, Table
from ehgtui.diff.compare import COLUMN_FIELDS, compare_tables
from ehgtui.diff.model import CatalogDiff, FieldChange, ObjectChange, TableDiff


class RenameError(ValueError):
    """A `--rename` that names nothing the diff removes and adds; the message is one line."""


def parse_rename(text: str) -> tuple[str, str]:
    """`old=new` as a pair, or RenameError."""
    old, sep, new = text.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise RenameError(f"--rename {text!r}: expected OLD=NEW, e.g. --rename ventures=projects")
    return old.strip(), new.strip()


def _find(catalog: Catalog, name: str) -> Table | None:
    return catalog.table(name)


def _rename_table(diff: CatalogDiff, a: Table, b: Table) -> CatalogDiff:
    removed = diff.table(a.qualified_name)
    added = diff.table(b.qualified_name)
    if removed is None or removed.kind != "removed" or added is None or added.kind != "added":
        raise RenameError(
            f"--rename {a.qualified_name}={b.qualified_name}: the diff does not remove the"
            " first and add the second"
        )
    fields, objects = compare_tables(a, b)
    renamed = TableDiff(
        b.schema, b.name, "renamed", b.kind, added.domain, a.qualified_name, fields, objects
    )
    tables = [t for t in diff.tables if t not in (removed, added)] + [renamed]
    return dataclasses.replace(diff, tables=tuple(sorted(tables, key=lambda t: (t.schema, t.name))))


def _rename_column(diff: CatalogDiff, a: Table, b: Table, old: str, new: str) -> CatalogDiff:
    change = diff.table(b.qualified_name)
    parts = change.objects if change is not None else ()
    gone = next(
        (p for p in parts if (p.object_type, p.name, p.kind) == ("column", old, "removed")), None
    )
    came = next(
        (p for p in parts if (p.object_type, p.name, p.kind) == ("column", new, "added")), None
    )
    column_a, column_b = a.column(old), b.column(new)
    if change is None or gone is None or came is None or column_a is None or column_b is None:
        raise RenameError(
            f"--rename {a.qualified_name}.{old}={new}: the diff does not drop the first column"
            " and add the second"
        )
    fields = tuple(
        FieldChange(n, getattr(column_a, n), getattr(column_b, n))
        for n in COLUMN_FIELDS
        if getattr(column_a, n) != getattr(column_b, n)
    )
    renamed = ObjectChange("column", new, "renamed", fields, old_name=old)
    objects = tuple(p for p in parts if p not in (gone, came)) + (renamed,)
    tables = tuple(
        dataclasses.replace(t, objects=objects) if t is change else t for t in diff.tables
    )
    return dataclasses.replace(diff, tables=tables)


def apply_renames(
    diff: CatalogDiff, a: Catalog, b: Catalog, renames: tuple[tuple[str, str], ...]
) -> CatalogDiff:
    """The diff with each `(old, new)` pair made a rename, or RenameError."""
    for old, new in renames:
        table_a, table_b = _find(a, old), _find(b, new)
        if table_a is not None and table_b is not None:
            diff = _rename_table(diff, table_a, table_b)
            continue
        table_name, dot, column = old.rpartition(".")
        new_column = new.rpartition(".")[2]
        table_a = _find(a, table_name) if dot else None
        table_b = _find(b, table_name) if dot else None
        if table_a is None or table_b is None:
            raise RenameError(f"--rename {old}={new}: no table or column {old} on side A")
        diff = _rename_column(diff, table_a, table_b, column, new_column)
    return diff


def rename_hints(diff: CatalogDiff) -> list[str]:
    """Notes for a removed and an added relation, or column of one table, that may be renames."""
    notes = []
    removed = [t for t in diff.tables if t.kind == "removed"]
    added = [t for t in diff.tables if t.kind == "added"]
    for old in removed:
        for new in added:
            if (old.schema, old.table_kind) == (new.schema, new.table_kind):
                notes.append(
                    f"{old.qualified_name} is dropped and {new.qualified_name} created; if it is"
                    f" a rename, say --rename {old.qualified_name}={new.qualified_name}"
                )
    for table in diff.tables:
        gone = [p.name for p in table.objects if (p.object_type, p.kind) == ("column", "removed")]
        came = [p.name for p in table.objects if (p.object_type, p.kind) == ("column", "added")]
        for old_column in gone:
            for new_column in came:
                notes.append(
                    f"{table.qualified_name}: column {old_column} is dropped and {new_column}"
                    f" added; if it is a rename, say --rename"
                    f" {table.qualified_name}.{old_column}={new_column}"
                )
    return notes
