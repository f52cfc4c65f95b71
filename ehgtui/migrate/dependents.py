"""Parts of a table in the way of another change: dropped before it, created again after.

PostgreSQL refuses some changes while another object depends on what they change:

- a column's type (or collation, or generation) cannot change, and the column cannot be
  dropped, while a policy or a trigger reads it ("cannot alter type of a column used in a
  policy definition"); a policy on another table that reads it through a subquery counts;
- a primary key, unique constraint or unique index cannot be dropped while a foreign key uses
  it (the foreign key depends on its index), so re-creating one needs its foreign keys gone.

To make the change, B's author dropped those objects and created them again, often with the
same definition: the diff then shows them unchanged, or changed in a way ALTER could write.
The migration does what the author did: each such object is dropped in
`Phase.DROP_DEPENDENTS` (with A's names: renames come later) and created again from B in its
own phase, after the change. The model has no pg_depend, so what reads a column is found in
the expressions' text (`ddl.order.referenced_names`): a column named like another is taken
for it, which costs a drop and a re-creation, never a failed migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from ehgtui.catalog.model import Constraint, Index, Policy, Table, Trigger
from ehgtui.ddl.access import create_policy
from ehgtui.ddl.order import referenced_names, relations_named_in
from ehgtui.diff.model import CatalogDiff, ObjectChange, TableDiff
from ehgtui.migrate.columns import part_target
from ehgtui.migrate.context import Context
from ehgtui.migrate.objects import OBJECT_HANDLERS, constraint_follows, index_in_place
from ehgtui.migrate.plan import Hazard, HazardKind, Phase

MOVING_COLUMN_FIELDS = frozenset(
    {"data_type", "collation", "generated", "generated_kind", "is_local"}
)
"""Column fields whose change (in place, or by drop and add) PostgreSQL refuses under a
policy or trigger that reads the column."""

_KEY_KINDS = ("PRIMARY KEY", "UNIQUE")

_Part = TypeVar("_Part", Constraint, Index)


def _parts_by_table(diff: CatalogDiff) -> dict[str, TableDiff]:
    """Every changed or renamed table of the diff, by A's name."""
    return {
        t.old_name or t.qualified_name: t for t in diff.tables if t.kind in ("changed", "renamed")
    }


def _part(change: TableDiff | None, object_type: str, name: str) -> ObjectChange | None:
    """The diff's entry for A's object `name`, if the diff has one."""
    if change is None:
        return None
    return next(
        (
            p
            for p in change.objects
            if p.object_type == object_type and (p.old_name or p.name) == name
        ),
        None,
    )


def _moving_columns(diff: CatalogDiff) -> set[tuple[str, str]]:
    """`(A's table, A's column)` for every column the migration drops or retypes."""
    found = set()
    for table_name, change in _parts_by_table(diff).items():
        for part in change.objects:
            if part.object_type != "column":
                continue
            if part.kind == "removed" or {f.field for f in part.fields} & MOVING_COLUMN_FIELDS:
                found.add((table_name, part.old_name or part.name))
    return found


def _reads(sql: str | None, column: str) -> bool:
    """`sql` names `column` (alone or as the last part of a dotted name)."""
    return sql is not None and any(chain[-1] == column for chain in referenced_names(sql))


def _policy_reads(ctx: Context, table: Table, policy: Policy, moving: set[tuple[str, str]]) -> str:
    """The first moving column (`table.column`) the policy reads, or ''."""
    texts = [t for t in (policy.using, policy.with_check) if t]
    named = {table.qualified_name}
    for text in texts:
        named |= relations_named_in(text, ctx.a)
    for table_name, column in sorted(moving):
        if table_name in named and any(_reads(text, column) for text in texts):
            return f"{table_name}.{column}"
    return ""


def _trigger_reads(table: Table, trigger: Trigger, moving: set[tuple[str, str]]) -> str:
    for table_name, column in sorted(moving):
        if table_name == table.qualified_name and (
            column in trigger.update_columns or _reads(trigger.when, column)
        ):
            return f"{table_name}.{column}"
    return ""


def _named(parts: Iterable[_Part], name: str) -> _Part | None:
    return next((p for p in parts if p.name == name), None)


def _dropped_keys(ctx: Context, diff: CatalogDiff) -> set[tuple[str, frozenset[str]]]:
    """`(A's table, key columns)` of every key or unique index the migration drops."""
    found = set()
    for table_name, change in _parts_by_table(diff).items():
        old = ctx.a.table(table_name)
        if old is None:
            continue
        for part in change.objects:
            if part.kind == "added":
                continue
            name = part.old_name or part.name
            new = ctx.b.table(change.qualified_name)
            if part.object_type == "constraint":
                constraint = next((c for c in old.constraints if c.name == name), None)
                after = _named(new.constraints if new else (), part.name)
                if constraint is None or constraint.kind not in _KEY_KINDS:
                    continue
                if after is None or not constraint_follows(ctx, old, constraint, after):
                    found.add((table_name, frozenset(constraint.columns)))
            elif part.object_type == "index":
                index = next((i for i in old.indexes if i.name == name), None)
                later = _named(new.indexes if new else (), part.name)
                if index is None or not index.is_unique or index.predicate is not None:
                    continue
                if index.constraint_name is not None:
                    continue  # goes with its constraint, above
                if later is None or new is None or not index_in_place(ctx, old, new, index, later):
                    found.add((table_name, frozenset(index.columns)))
    return found


def _foreign_key_on(constraint: Constraint, keys: set[tuple[str, frozenset[str]]]) -> str:
    """The referenced table when `constraint` is a foreign key using one of `keys`, or ''."""
    if constraint.kind != "FOREIGN KEY" or not constraint.is_local:
        return ""
    target = f"{constraint.ref_schema}.{constraint.ref_table}"
    return target if (target, frozenset(constraint.ref_columns)) in keys else ""


def _in_the_way(
    ctx: Context, diff: CatalogDiff, skip: set[str]
) -> list[tuple[str, Table, str, str]]:
    """`(object_type, A's table, A's name, why)` for every part that must make way."""
    moving = _moving_columns(diff) | ctx.retyped_columns
    keys = _dropped_keys(ctx, diff)
    gone = skip | {t.qualified_name for t in diff.tables if t.kind == "removed"}
    found = [d for d in ctx.object_dependents if d[1].qualified_name not in gone]
    if not moving and not keys:
        return found  # the common case: nothing to read the whole schema's expressions for
    for table in ctx.a.tables:
        if table.is_view or table.qualified_name in gone:
            continue
        for policy in table.policies:
            column = _policy_reads(ctx, table, policy, moving)
            if column:
                found.append(("policy", table, policy.name, f"{column} changes type or goes"))
        for trigger in table.triggers:
            column = _trigger_reads(table, trigger, moving)
            if column and not trigger.is_inherited:
                found.append(("trigger", table, trigger.name, f"{column} changes type or goes"))
        for constraint in table.constraints:
            target = _foreign_key_on(constraint, keys)
            if target:
                found.append(
                    ("constraint", table, constraint.name, f"the key of {target} is re-created")
                )
    return found


def _drop_foreign_keys_of_dropped_tables(ctx: Context, diff: CatalogDiff) -> None:
    """A table that goes takes its foreign keys along, but only in `Phase.DROP_TABLES`: one
    on a key the migration drops (sooner, in `Phase.DROP_CONSTRAINTS`) goes first."""
    removed = [ctx.a.table(t.qualified_name) for t in diff.tables if t.kind == "removed"]
    with_keys = [t for t in removed if t is not None and t.foreign_keys and not t.is_view]
    if not with_keys:
        return
    keys = _dropped_keys(ctx, diff)
    for table in with_keys:
        for constraint in table.foreign_keys:
            if _foreign_key_on(constraint, keys):
                OBJECT_HANDLERS["constraint"].drop(ctx, table, constraint)


def _b_table(ctx: Context, diff: CatalogDiff, old: Table) -> Table | None:
    renamed = next((t for t in diff.tables if t.old_name == old.qualified_name), None)
    return ctx.b.table(renamed.qualified_name if renamed is not None else old.qualified_name)


def mark_in_the_way(ctx: Context, diff: CatalogDiff, skip: set[str]) -> None:
    """Record in `ctx.in_the_way` the parts to drop and create again, and write the drops and
    re-creations of those the diff does not name (the writer handles the others, as a drop
    and a create, since `ctx.in_the_way` holds them). `skip`: A's tables dropped and created
    whole, parts and all."""
    changes = _parts_by_table(diff)
    _drop_foreign_keys_of_dropped_tables(ctx, diff)
    for object_type, old_table, name, why in _in_the_way(ctx, diff, skip):
        key = (object_type, old_table.qualified_name, name)
        if key in ctx.in_the_way:
            continue  # in the way of two changes: made way for once
        ctx.in_the_way.add(key)
        part = _part(changes.get(old_table.qualified_name), object_type, name)
        if part is not None:
            continue  # removed, or changed: the writer drops it (and creates B's)
        new_table = _b_table(ctx, diff, old_table)
        handler = OBJECT_HANDLERS[object_type]
        before = handler.find(old_table, name)
        after = handler.find(new_table, name) if new_table is not None else None
        if after is None or new_table is None:
            continue  # B has it no more: nothing to re-create (the diff would say removed)
        _drop_and_create(ctx, object_type, (old_table, before), (new_table, after), why)


def _drop_and_create(
    ctx: Context,
    object_type: str,
    old: tuple[Table, object],
    new: tuple[Table, object],
    why: str,
) -> None:
    (old_table, before), (new_table, after) = old, new
    handler = OBJECT_HANDLERS[object_type]
    target = part_target(new_table, getattr(after, "name", ""))
    if object_type == "policy":
        hazard = Hazard(
            HazardKind.SECURITY,
            f"dropped because {why}, created again below: until then the table goes without"
            " it, so run the file as one transaction",
        )
        with ctx.hazards(hazard):
            handler.drop(ctx, old_table, before)
        assert isinstance(after, Policy)
        ctx.add(Phase.SECURITY, create_policy(new_table, after), target=target)
        return
    if object_type == "trigger":
        hazard = Hazard(
            HazardKind.SECURITY,
            f"dropped because {why}, created again below: it does not fire in between",
        )
        with ctx.hazards(hazard):
            handler.drop(ctx, old_table, before)
        handler.create(ctx, new_table, after)
        return
    handler.drop(ctx, old_table, before)
    hazard = Hazard(
        HazardKind.REWRITE,
        f"created again because {why}: checks every row of {new_table.qualified_name} again",
    )
    with ctx.hazards(hazard):
        handler.create(ctx, new_table, after)
