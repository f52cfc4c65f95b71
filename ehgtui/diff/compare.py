"""Compare two catalogs: a pure function from two models to a `CatalogDiff`.

Only what describes the schema is compared. OIDs, row estimates, sizes, load times and column
positions (attnum counts dropped columns, so it differs between databases with the same schema)
never are; `referenced_by` is not either, since it only mirrors other tables' foreign keys, which
are reported on those tables. OIDs are used for one thing: a table (or column) missing on one
side and present under another name on the other is reported as renamed when the OIDs (attnums)
match; otherwise as removed plus added.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import msgspec

from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Catalog, Column, Table
from ehgtui.diff.model import CatalogDiff, FieldChange, ObjectChange, TableDiff
from ehgtui.diff.object_kinds import compare_objects
from ehgtui.diff.qualification import comparable

TABLE_FIELDS = (
    "kind",
    "comment",
    "rls_enabled",
    "rls_forced",
    "owner",
    "persistence",
    "replica_identity",
    "options",
    "partition_key",
    "partition_of",
    "partition_bound",
    "inherits",
    "view_definition",
)
"""Table attributes compared (not oid, row_estimate, size_bytes: they move with the data)."""

COLUMN_FIELDS = (
    "data_type",
    "default",
    "not_null",
    "identity",
    "generated",
    "generated_kind",
    "collation",
    "storage",
    "comment",
    "enum_values",
    "is_local",
)
"""Column attributes compared (not position: see the module docstring)."""

CONSTRAINT_FIELDS = ("kind", "definition", "deferrable", "deferred", "validated", "is_local")
INDEX_FIELDS = ("definition", "is_valid", "is_inherited")
POLICY_FIELDS = ("command", "roles", "permissive", "using", "with_check")
TRIGGER_FIELDS = (
    "timing",
    "events",
    "update_columns",
    "for_each",
    "function",
    "arguments",
    "when",
    "enabled",
)
"""Trigger attributes compared; `definition` too, but only when none of these differ."""

RENAME_MIN_COLUMN_OVERLAP = 0.5
"""A same-OID pair counts as a rename only if this share of attnums is on both sides and one
column name is shared, so that an OID repeating by chance across two unrelated databases is
not taken for a rename."""


def _identity(item: Any) -> Any:
    return item


def _fields(a: Any, b: Any, names: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(n, getattr(a, n), getattr(b, n))
        for n in names
        if getattr(a, n) != getattr(b, n)
    )


def _column_fields(a: Column, b: Column) -> tuple[FieldChange, ...]:
    """`COLUMN_FIELDS` that differ, and the NOT NULL constraint's name when both sides have
    one (PostgreSQL 18 names them; an older server's catalog has none to compare)."""
    found = _fields(a, b, COLUMN_FIELDS)
    if a.not_null_name and b.not_null_name and a.not_null_name != b.not_null_name:
        found += (FieldChange("not_null_name", a.not_null_name, b.not_null_name),)
    return found


def _column_summary(column: Column) -> str:
    parts = [column.data_type]
    if column.not_null:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.identity:
        parts.append(f"GENERATED {column.identity} AS IDENTITY")
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) {column.generated_kind or ''}")
    return " ".join(parts).strip()


def _summary(object_type: str, item: Any) -> str:
    if object_type == "column":
        return _column_summary(item)
    if object_type == "policy":
        head = f"{'PERMISSIVE' if item.permissive else 'RESTRICTIVE'} {item.command}"
        text = f"{head} TO {', '.join(item.roles)}"
        if item.using:
            text += f" USING ({item.using})"
        if item.with_check:
            text += f" WITH CHECK ({item.with_check})"
        return text
    if object_type == "trigger":
        return f"{item.definition} [{item.enabled}]"
    if object_type == "grant":
        return f"{item.privilege} TO {item.grantee}" + (
            " WITH GRANT OPTION" if item.grantable else ""
        )
    return str(item.definition)


def _compare_items(
    object_type: str,
    items_a: Sequence[Any],
    items_b: Sequence[Any],
    key: Callable[[Any], Hashable],
    fields: Iterable[str],
    *,
    normalise_a: Callable[[Any], Any] = _identity,
    normalise_b: Callable[[Any], Any] = _identity,
    fallback_field: str | None = None,
    compare: Callable[[Any, Any], tuple[FieldChange, ...]] | None = None,
) -> list[ObjectChange]:
    """Match items by key; report removed, added and changed ones in a stable order.
    `compare` finds the fields that differ (by default: those of `fields`)."""
    fields = tuple(fields)
    by_key_a = {key(i): i for i in items_a}
    by_key_b = {key(i): i for i in items_b}
    changes: list[ObjectChange] = []
    for k, item in by_key_a.items():
        if k not in by_key_b:
            changes.append(
                ObjectChange(object_type, str(k), "removed", summary=_summary(object_type, item))
            )
    for k, item in by_key_b.items():
        if k not in by_key_a:
            changes.append(
                ObjectChange(object_type, str(k), "added", summary=_summary(object_type, item))
            )
            continue
        before, after = normalise_a(by_key_a[k]), normalise_b(item)
        diffs = compare(before, after) if compare else _fields(before, after, fields)
        if not diffs and fallback_field:
            diffs = _fields(before, after, (fallback_field,))
        if diffs:
            changes.append(ObjectChange(object_type, str(k), "changed", diffs))
    return changes


def _compare_columns(a: Table, b: Table, same_oid: bool) -> list[ObjectChange]:
    """Columns by name; with the same table OID, a name that moved at one attnum is a rename."""
    names_a = {c.name for c in a.columns}
    names_b = {c.name for c in b.columns}
    renamed: list[ObjectChange] = []
    renamed_pairs: dict[str, str] = {}
    if same_oid:
        gone = {c.position: c for c in a.columns if c.name not in names_b}
        for column in b.columns:
            old = gone.get(column.position)
            if column.name not in names_a and old is not None:
                renamed_pairs[old.name] = column.name
                renamed.append(
                    ObjectChange(
                        "column",
                        column.name,
                        "renamed",
                        _column_fields(old, column),
                        old_name=old.name,
                    )
                )
    rest_a = [c for c in a.columns if c.name not in renamed_pairs]
    rest_b = [c for c in b.columns if c.name not in renamed_pairs.values()]
    return renamed + _compare_items(
        "column", rest_a, rest_b, lambda c: c.name, COLUMN_FIELDS, compare=_column_fields
    )


TABLE_PLACEHOLDER = "<table>"
"""What a table's own name becomes in index and trigger definitions when comparing a rename."""


def _name_forms(table: Table) -> tuple[str, ...]:
    """Every way a definition may spell `schema.table` (each part quoted or not)."""

    def forms(name: str) -> tuple[str, str]:
        return '"' + name.replace('"', '""') + '"', name

    return tuple(f"{s}.{n}" for s in forms(table.schema) for n in forms(table.name))


def _without_own_name(table: Table) -> Callable[[Any], Any]:
    """Replace `ON schema.table` in a definition by a placeholder, so a rename alone changes
    no index or trigger of the renamed table."""
    spellings = _name_forms(table)

    def rewrite(item: Any) -> Any:
        definition = getattr(item, "definition", None)
        if not definition:
            return item
        for spelling in spellings:
            definition = definition.replace(f" ON {spelling} ", f" ON {TABLE_PLACEHOLDER} ")
        return msgspec.structs.replace(item, definition=definition)

    return rewrite


def compare_tables(a: Table, b: Table) -> tuple[tuple[FieldChange, ...], tuple[ObjectChange, ...]]:
    """Compare two versions of one table: its own attributes, then its parts."""
    same_oid = a.oid == b.oid
    renamed = a.qualified_name != b.qualified_name
    normalise_a = _without_own_name(a) if renamed else _identity
    normalise_b = _without_own_name(b) if renamed else _identity
    objects: list[ObjectChange] = []
    objects += _compare_columns(a, b, same_oid)
    objects += _compare_items(
        "constraint", a.constraints, b.constraints, lambda c: c.name, CONSTRAINT_FIELDS
    )
    objects += _compare_items(
        "index",
        a.indexes,
        b.indexes,
        lambda i: i.name,
        INDEX_FIELDS,
        normalise_a=normalise_a,
        normalise_b=normalise_b,
    )
    objects += _compare_items("policy", a.policies, b.policies, lambda p: p.name, POLICY_FIELDS)
    objects += _compare_items(
        "trigger",
        a.triggers,
        b.triggers,
        lambda t: t.name,
        TRIGGER_FIELDS,
        normalise_a=normalise_a,
        normalise_b=normalise_b,
        fallback_field="definition",
    )
    objects += _compare_items(
        "grant",
        a.privileges,
        b.privileges,
        lambda p: f"{p.privilege} to {p.grantee}",
        ("grantable",),
    )
    return _fields(a, b, TABLE_FIELDS), tuple(objects)


def _is_rename(a: Table, b: Table) -> bool:
    """Same OID and kind, and enough of the same columns (by attnum, one name in common)."""
    if a.oid != b.oid or a.kind != b.kind:
        return False
    if not a.columns and not b.columns:
        return True
    positions_a = {c.position for c in a.columns}
    positions_b = {c.position for c in b.columns}
    shared = len(positions_a & positions_b)
    same_name = bool({c.name for c in a.columns} & {c.name for c in b.columns})
    return same_name and shared >= RENAME_MIN_COLUMN_OVERLAP * max(
        len(positions_a), len(positions_b)
    )


def diff_catalogs(
    a: Catalog, b: Catalog, domain_settings: DomainSettings | None = None
) -> CatalogDiff:
    """Everything that differs from catalog `a` to catalog `b`: tables by domain, then the
    other kinds (functions, types, sequences, ...; see `object_kinds.OBJECT_KINDS`).

    Args:
        a: the "before" side (e.g. a snapshot).
        b: the "after" side (e.g. the live database).
        domain_settings: the domain rules used to group tables (the built-in ones if None).

    Returns:
        A CatalogDiff, empty when both describe the same schema. A snapshot from before
        the texts were schema-qualified is compared as `qualification.comparable` says.
    """
    a, b = comparable(a, b)
    domains_a = classify(a, domain_settings)
    domains_b = classify(b, domain_settings)
    tables_a = {t.qualified_name: t for t in a.tables}
    tables_b = {t.qualified_name: t for t in b.tables}
    only_a = [t for name, t in tables_a.items() if name not in tables_b]
    only_b = [t for name, t in tables_b.items() if name not in tables_a]

    pairs: list[tuple[Table, Table]] = [
        (tables_a[name], t) for name, t in tables_b.items() if name in tables_a
    ]
    renamed_from: dict[str, str] = {}
    by_oid_a = {t.oid: t for t in only_a}
    for table in only_b:
        old = by_oid_a.get(table.oid)
        if old is not None and old.qualified_name not in renamed_from and _is_rename(old, table):
            renamed_from[old.qualified_name] = table.qualified_name
            pairs.append((old, table))

    diffs: list[TableDiff] = []
    for old, new in pairs:
        fields, objects = compare_tables(old, new)
        is_rename = old.qualified_name != new.qualified_name
        if fields or objects or is_rename:
            diffs.append(
                TableDiff(
                    new.schema,
                    new.name,
                    "renamed" if is_rename else "changed",
                    new.kind,
                    domains_b.domain_of(new),
                    old.qualified_name if is_rename else None,
                    fields,
                    objects,
                )
            )
    renamed_to = set(renamed_from.values())
    for table in only_a:
        if table.qualified_name not in renamed_from:
            diffs.append(
                TableDiff(
                    table.schema, table.name, "removed", table.kind, domains_a.domain_of(table)
                )
            )
    for table in only_b:
        if table.qualified_name not in renamed_to:
            diffs.append(
                TableDiff(table.schema, table.name, "added", table.kind, domains_b.domain_of(table))
            )

    order = [d.name for d in domains_b.domains]
    order += [d.name for d in domains_a.domains if d.name not in order]
    return CatalogDiff(
        tables=tuple(sorted(diffs, key=lambda d: (d.schema, d.name))),
        domain_order=tuple(order),
        schemas_a=a.schemas,
        schemas_b=b.schemas,
        objects=compare_objects(a, b),
    )
