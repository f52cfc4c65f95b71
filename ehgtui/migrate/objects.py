"""The parts of a table, one handler per kind: how each is created, dropped and altered.

`OBJECT_HANDLERS` is the table the writer dispatches on, keyed by `ObjectChange.object_type`.
A handler's `alter` returns False when the change cannot be made in place; the writer then
drops the old object and creates the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ehgtui.catalog.model import Column, Constraint, Index, Policy, Privilege, Table, Trigger
from ehgtui.ddl.access import create_policy, role_name
from ehgtui.ddl.constraints import add_constraint
from ehgtui.ddl.create_table import column_line, parent_columns
from ehgtui.ddl.indexes import index_definition
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.ddl.sequences import create_sequence, owned_by
from ehgtui.ddl.triggers import STATE_CLAUSES
from ehgtui.diff.model import ObjectChange
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.plan import Hazard, HazardKind, Phase
from ehgtui.migrate.types import classify_type_change

SET_EXPRESSION_SINCE = 170000
"""server_version_num from which `ALTER COLUMN ... SET EXPRESSION` exists."""

PUBLIC_ROLES = frozenset({"anon", "public", "PUBLIC"})
"""Grantees that mean "anyone who can reach the API"; a grant to them is a security hazard."""

_VOLATILE_DEFAULTS = (
    "nextval(",
    "random(",
    "gen_random_uuid(",
    "uuid_generate_",
    "clock_timestamp(",
)
"""Defaults PostgreSQL cannot store once for every existing row: adding them rewrites."""


@dataclass(frozen=True, slots=True)
class ObjectHandler:
    """How one kind of table part is written."""

    find: Callable[[Table, str], Any]
    """The object named (as `ObjectChange.name` spells it) in a table, or None."""
    create: Callable[[Context, Table, Any], None]
    drop: Callable[[Context, Table, Any], None]
    alter: Callable[[Context, Table, Table, Any, Any, ObjectChange], bool] | None = None
    rename: Callable[[Context, Table, str, str], None] | None = None


def _target(table: Table, name: str) -> str:
    return f"{table.qualified_name}.{name}"


# ---------------------------------------------------------------- columns


def _find_column(table: Table, name: str) -> Column | None:
    return table.column(name)


def _owned_sequence(ctx: Context, table: Table, column: Column) -> Any:
    for seq in ctx.b.sequences_by_table.get(table.qualified_name, ()):
        if seq.owned_by_column == column.name:
            return seq
    return None


def _new_serial_sequence(ctx: Context, table: Table, column: Column) -> None:
    """A serial column brings its sequence: create it unless A has it already."""
    seq = _owned_sequence(ctx, table, column)
    if seq is None or seq.is_identity or "nextval(" not in (column.default or ""):
        return
    if any((s.schema, s.name) == (seq.schema, seq.name) for s in ctx.a.sequences):
        return
    ctx.add(Phase.COLUMNS, create_sequence(seq, ctx.ddl_options))
    ctx.add(Phase.KEYS, owned_by(seq, table))


def _create_column(ctx: Context, table: Table, column: Column) -> None:
    if not column.is_local:
        return  # comes from a parent, which gets the column itself
    _new_serial_sequence(ctx, table, column)
    identity = _owned_sequence(ctx, table, column) if column.identity else None
    parent = parent_columns(table, ctx.b).get(column.name)
    line = column_line(table, column, identity, parent)
    hazards = []
    target = _target(table, column.name)
    volatile = any(v in (column.default or "") for v in _VOLATILE_DEFAULTS)
    if column.generated is not None and column.generated_kind != "VIRTUAL":
        hazards.append(Hazard(HazardKind.REWRITE, "a stored generated column rewrites the table"))
    elif column.identity or volatile:
        hazards.append(Hazard(HazardKind.REWRITE, "a volatile default rewrites the table"))
    if column.not_null and column.default is None and not column.identity and not column.generated:
        hazards.append(
            Hazard(HazardKind.MAY_FAIL, "NOT NULL without a default fails if the table has rows")
        )
    ctx.add(
        Phase.COLUMNS, f"ALTER TABLE {name_of(table)} ADD COLUMN {line};", *hazards, target=target
    )
    if column.storage:
        col = quote_ident(column.name)
        ctx.add(
            Phase.COLUMNS,
            f"ALTER TABLE {name_of(table)} ALTER COLUMN {col} SET STORAGE {column.storage};",
        )
    if column.comment is not None:
        _column_comment(ctx, table, column.name, column.comment)


def _drop_column(ctx: Context, table: Table, column: Column) -> None:
    if not column.is_local:
        return
    ctx.add(
        Phase.DROP_COLUMNS,
        f"ALTER TABLE {name_of(table)} DROP COLUMN {quote_ident(column.name)};",
        Hazard(HazardKind.DATA_LOSS, f"drops column {column.name} and every value in it"),
        target=_target(table, column.name),
    )


def _column_comment(ctx: Context, table: Table, column: str, comment: str | None) -> None:
    text = "NULL" if comment is None else quote_literal(comment)
    target = f"{name_of(table)}.{quote_ident(column)}"
    ctx.add(Phase.COMMENTS, f"COMMENT ON COLUMN {target} IS {text};")


def _type_change(ctx: Context, table: Table, old: Column, new: Column) -> None:
    col = quote_ident(new.name)
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {col}"
    kind = classify_type_change(old.data_type, new.data_type)
    hazards = []
    if not kind.widening:
        hazards.append(
            Hazard(
                HazardKind.DATA_LOSS,
                f"{old.data_type} to {new.data_type} is not a widening: values may be cut,"
                " rounded or refused",
            )
        )
        hazards.append(
            Hazard(HazardKind.MAY_FAIL, f"fails on values that do not cast to {new.data_type}")
        )
    if kind.rewrite:
        hazards.append(
            Hazard(HazardKind.REWRITE, "rewrites the table and its indexes under an exclusive lock")
        )
    if old.default is not None and new.identity is None:
        ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")  # the old default may not cast
    collate = f" COLLATE {new.collation}" if new.collation else ""
    using = "" if kind.widening else f" USING {col}::{new.data_type}"
    ctx.add(
        Phase.COLUMNS,
        f"{alter} TYPE {new.data_type}{collate}{using};",
        *hazards,
        target=_target(table, new.name),
    )
    if new.default is not None and new.identity is None and new.generated is None:
        ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")


def _not_null_change(ctx: Context, table: Table, new: Column) -> None:
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if not new.not_null:
        ctx.add(Phase.COLUMNS, f"{alter} DROP NOT NULL;")
        return
    check = quote_ident(f"{table.name}_{new.name}_not_null_check")
    route = (
        f"on a large table, first ADD CONSTRAINT {check} CHECK ({quote_ident(new.name)}"
        f" IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT {check} (no exclusive lock),"
        " then SET NOT NULL (it uses the check) and DROP the check"
    )
    ctx.add(
        Phase.COLUMNS,
        f"{alter} SET NOT NULL;",
        Hazard(HazardKind.MAY_FAIL, "fails if any row holds NULL"),
        Hazard(HazardKind.REWRITE, f"scans the whole table under an exclusive lock; {route}"),
        target=_target(table, new.name),
    )


def _identity_change(ctx: Context, table: Table, old: Column, new: Column) -> None:
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if new.identity is None:
        ctx.add(Phase.COLUMNS, f"{alter} DROP IDENTITY;")
    elif old.identity is None:
        if old.default is not None:
            ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")
        ctx.add(Phase.COLUMNS, f"{alter} ADD GENERATED {new.identity} AS IDENTITY;")
    else:
        ctx.add(Phase.COLUMNS, f"{alter} SET GENERATED {new.identity};")


def _alter_column(
    ctx: Context, old_table: Table, table: Table, old: Column, new: Column, change: ObjectChange
) -> bool:
    fields = {f.field for f in change.fields}
    if fields & {"generated_kind", "is_local"}:
        return False
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if "generated" in fields:
        if old.generated is None:
            return False  # a column cannot become generated in place
        if new.generated is None:
            if old.generated_kind == "VIRTUAL":
                return False
            ctx.add(Phase.COLUMNS, f"{alter} DROP EXPRESSION;")
        elif ctx.a.server.version_num >= SET_EXPRESSION_SINCE:
            ctx.add(
                Phase.COLUMNS,
                f"{alter} SET EXPRESSION AS ({new.generated});",
                Hazard(HazardKind.REWRITE, "recomputes every row under an exclusive lock"),
                target=_target(table, new.name),
            )
        else:
            return False
    if "not_null" in fields and new.not_null:
        _not_null_change(ctx, table, new)  # an identity column must be NOT NULL first
    if "identity" in fields:
        _identity_change(ctx, table, old, new)
    if "data_type" in fields or "collation" in fields:
        _type_change(ctx, table, old, new)
    elif "default" in fields and "identity" not in fields:
        if new.default is None:
            ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")
        else:
            ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")
    elif "default" in fields and new.default is not None:
        ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")
    if "not_null" in fields and not new.not_null:
        _not_null_change(ctx, table, new)  # after DROP IDENTITY, which needs NOT NULL
    if "storage" in fields:
        ctx.add(Phase.COLUMNS, f"{alter} SET STORAGE {new.storage or 'EXTENDED'};")
    if "comment" in fields:
        _column_comment(ctx, table, new.name, new.comment)
    if "enum_values" in fields and fields == {"enum_values"}:
        ctx.note(
            f"{table.qualified_name}.{new.name}: its enum type's labels changed; types are"
            " not written by this version"
        )
    return True


def _rename_column(ctx: Context, table: Table, old_name: str, new_name: str) -> None:
    ctx.add(
        Phase.RENAME,
        f"ALTER TABLE {name_of(table)} RENAME COLUMN {quote_ident(old_name)}"
        f" TO {quote_ident(new_name)};",
    )


# ---------------------------------------------------------------- constraints

_KEYS = ("PRIMARY KEY", "UNIQUE", "EXCLUDE")


def _find_constraint(table: Table, name: str) -> Constraint | None:
    return next((c for c in table.constraints if c.name == name), None)


def _written(constraint: Constraint) -> bool:
    """NOT NULL constraints (PostgreSQL 18) come with the column; inherited ones with a parent."""
    return constraint.kind != "NOT NULL" and constraint.is_local


def _create_constraint(ctx: Context, table: Table, constraint: Constraint) -> None:
    if not _written(constraint):
        return
    hazards = []
    if constraint.kind in _KEYS:
        hazards.append(
            Hazard(
                HazardKind.MAY_FAIL, f"fails if existing rows break the {constraint.kind.lower()}"
            )
        )
        hazards.append(Hazard(HazardKind.REWRITE, "builds an index, blocking writes meanwhile"))
    elif constraint.validated and constraint.kind in ("FOREIGN KEY", "CHECK"):
        hazards.append(
            Hazard(
                HazardKind.MAY_FAIL,
                f"checks every existing row; add it NOT VALID and VALIDATE CONSTRAINT"
                f" {quote_ident(constraint.name)} later to avoid the long lock",
            )
        )
    phase = Phase.FOREIGN_KEYS if constraint.kind == "FOREIGN KEY" else Phase.KEYS
    first, *rest = add_constraint(table, constraint)
    first = first.replace("ALTER TABLE ONLY ", "ALTER TABLE ", 1)
    ctx.add(phase, first, *hazards, target=_target(table, constraint.name))
    for statement in rest:
        ctx.add(Phase.COMMENTS, statement)


def _drop_constraint(ctx: Context, table: Table, constraint: Constraint) -> None:
    if not _written(constraint):
        return
    phase = Phase.DROP_DEPENDENTS if constraint.kind == "FOREIGN KEY" else Phase.DROP_CONSTRAINTS
    ctx.add(
        phase,
        f"ALTER TABLE {name_of(table)} DROP CONSTRAINT {quote_ident(constraint.name)};",
    )


def _alter_constraint(
    ctx: Context,
    old_table: Table,
    table: Table,
    old: Constraint,
    new: Constraint,
    change: ObjectChange,
) -> bool:
    fields = {f.field for f in change.fields}
    if not _written(new):
        return True
    if fields == {"validated"} or fields == {"validated", "definition"}:
        if new.validated and old.definition.removesuffix(" NOT VALID") == new.definition:
            ctx.add(
                Phase.KEYS if new.kind != "FOREIGN KEY" else Phase.FOREIGN_KEYS,
                f"ALTER TABLE {name_of(table)} VALIDATE CONSTRAINT {quote_ident(new.name)};",
                Hazard(HazardKind.MAY_FAIL, "fails if existing rows break the constraint"),
                target=_target(table, new.name),
            )
            return True
    return False


# ---------------------------------------------------------------- indexes


def _find_index(table: Table, name: str) -> Index | None:
    return next((i for i in table.indexes if i.name == name), None)


def _concurrently(definition: str) -> str:
    for head in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
        if definition.startswith(head):
            return head + "CONCURRENTLY " + definition[len(head) :]
    return definition


def _create_index(ctx: Context, table: Table, index: Index) -> None:
    if index.constraint_name is not None or index.is_inherited:
        return  # made by its constraint, or by the parent's index
    if not index.is_valid and table.kind != "partitioned table":
        return
    definition = index_definition(table, index, ctx.ddl_options)
    hazards = []
    if index.is_unique:
        hazards.append(Hazard(HazardKind.MAY_FAIL, "fails if existing rows hold duplicates"))
    concurrent = ctx.options.concurrently and table.kind == "table"
    if concurrent:
        ctx.add(
            Phase.AFTER_TRANSACTION,
            _concurrently(definition),
            *hazards,
            target=_target(table, index.name),
        )
        return
    hazards.append(
        Hazard(
            HazardKind.REWRITE,
            "blocks writes to the table while the index builds; --concurrently avoids it",
        )
    )
    ctx.add(Phase.KEYS, definition, *hazards, target=_target(table, index.name))


def _drop_index(ctx: Context, table: Table, index: Index) -> None:
    if index.constraint_name is not None or index.is_inherited:
        return
    name = qualified(table.schema, index.name)
    ctx.add(Phase.DROP_CONSTRAINTS, f"DROP INDEX {name};")


# ---------------------------------------------------------------- policies


def _find_policy(table: Table, name: str) -> Policy | None:
    return next((p for p in table.policies if p.name == name), None)


def _policy_target(table: Table, policy: Policy) -> str:
    return f"{quote_ident(policy.name)} ON {name_of(table)}"


def _create_policy(ctx: Context, table: Table, policy: Policy) -> None:
    hazards = []
    if policy.permissive:
        roles = ", ".join(policy.roles)
        hazards.append(
            Hazard(HazardKind.SECURITY, f"a new permissive policy lets {roles} {policy.command}")
        )
    ctx.add(
        Phase.SECURITY, create_policy(table, policy), *hazards, target=_target(table, policy.name)
    )


def _drop_policy(ctx: Context, table: Table, policy: Policy) -> None:
    hazards = []
    if not policy.permissive:
        hazards.append(Hazard(HazardKind.SECURITY, "dropping a restrictive policy widens access"))
    ctx.add(
        Phase.DROP_DEPENDENTS,
        f"DROP POLICY {_policy_target(table, policy)};",
        *hazards,
        target=_target(table, policy.name),
    )


def _widening(old: Policy, new: Policy) -> list[Hazard]:
    hazards = []
    added = set(new.roles) - set(old.roles)
    if added or ("public" in new.roles and "public" not in old.roles):
        hazards.append(
            Hazard(
                HazardKind.SECURITY, f"the policy now also applies to {', '.join(sorted(added))}"
            )
        )
    if (old.using, old.with_check) != (new.using, new.with_check):
        hazards.append(
            Hazard(
                HazardKind.SECURITY,
                "the policy's condition changed: check it does not widen access",
            )
        )
    return hazards


def _alter_policy(
    ctx: Context, old_table: Table, table: Table, old: Policy, new: Policy, change: ObjectChange
) -> bool:
    """ALTER POLICY can change roles and conditions, not the command, kind, or drop a clause."""
    if (old.command, old.permissive) != (new.command, new.permissive):
        return False
    if (old.using is not None and new.using is None) or (
        old.with_check is not None and new.with_check is None
    ):
        return False
    parts = [f"ALTER POLICY {_policy_target(table, new)}"]
    if old.roles != new.roles:
        parts.append("TO " + ", ".join(role_name(r) for r in new.roles or ("public",)))
    if new.using != old.using:
        parts.append(f"USING ({new.using})")
    if new.with_check != old.with_check:
        parts.append(f"WITH CHECK ({new.with_check})")
    ctx.add(
        Phase.SECURITY,
        "\n    ".join(parts) + ";",
        *_widening(old, new),
        target=_target(table, new.name),
    )
    return True


# ---------------------------------------------------------------- triggers


def _find_trigger(table: Table, name: str) -> Trigger | None:
    return next((t for t in table.triggers if t.name == name), None)


def _trigger_state(table: Table, trigger: Trigger) -> str:
    clause = STATE_CLAUSES.get(trigger.enabled, "ENABLE TRIGGER")
    return f"ALTER TABLE {name_of(table)} {clause} {quote_ident(trigger.name)};"


def _create_trigger(ctx: Context, table: Table, trigger: Trigger) -> None:
    if trigger.is_inherited:
        return
    ctx.add(Phase.TRIGGERS, trigger.definition + ";", target=_target(table, trigger.name))
    if trigger.enabled != "ENABLED":
        ctx.add(Phase.TRIGGERS, _trigger_state(table, trigger))


def _drop_trigger(ctx: Context, table: Table, trigger: Trigger) -> None:
    if trigger.is_inherited:
        return
    ctx.add(Phase.DROP_DEPENDENTS, f"DROP TRIGGER {quote_ident(trigger.name)} ON {name_of(table)};")


def _alter_trigger(
    ctx: Context, old_table: Table, table: Table, old: Trigger, new: Trigger, change: ObjectChange
) -> bool:
    if {f.field for f in change.fields} != {"enabled"}:
        return False
    hazards = []
    if new.enabled == "DISABLED":
        hazards.append(
            Hazard(HazardKind.SECURITY, "a disabled trigger no longer enforces what it did")
        )
    ctx.add(Phase.TRIGGERS, _trigger_state(table, new), *hazards, target=_target(table, new.name))
    return True


# ---------------------------------------------------------------- grants


def _find_grant(table: Table, key: str) -> Privilege | None:
    return next((p for p in table.privileges if f"{p.privilege} to {p.grantee}" == key), None)


def _grant(table: Table, privilege: Privilege, *, grantable: bool) -> str:
    option = " WITH GRANT OPTION" if grantable else ""
    return (
        f"GRANT {privilege.privilege} ON TABLE {name_of(table)}"
        f" TO {role_name(privilege.grantee)}{option};"
    )


def _create_grant(ctx: Context, table: Table, privilege: Privilege) -> None:
    hazards = []
    if privilege.grantee in PUBLIC_ROLES:
        hazards.append(
            Hazard(HazardKind.SECURITY, f"grants {privilege.privilege} to {privilege.grantee}")
        )
    ctx.add(
        Phase.SECURITY,
        _grant(table, privilege, grantable=privilege.grantable),
        *hazards,
        target=table.qualified_name,
    )


def _drop_grant(ctx: Context, table: Table, privilege: Privilege) -> None:
    new = ctx.b.table(table.qualified_name)
    if new is not None and not new.privileges and privilege.grantee == table.owner:
        return  # B has the default ACL, which the owner's privileges are part of
    ctx.add(
        Phase.SECURITY,
        f"REVOKE {privilege.privilege} ON TABLE {name_of(table)}"
        f" FROM {role_name(privilege.grantee)};",
    )


def _alter_grant(
    ctx: Context,
    old_table: Table,
    table: Table,
    old: Privilege,
    new: Privilege,
    change: ObjectChange,
) -> bool:
    if new.grantable:
        ctx.add(Phase.SECURITY, _grant(table, new, grantable=True))
    else:
        ctx.add(
            Phase.SECURITY,
            f"REVOKE GRANT OPTION FOR {new.privilege} ON TABLE {name_of(table)}"
            f" FROM {role_name(new.grantee)};",
        )
    return True


OBJECT_HANDLERS: dict[str, ObjectHandler] = {
    "column": ObjectHandler(
        _find_column, _create_column, _drop_column, _alter_column, _rename_column
    ),
    "constraint": ObjectHandler(
        _find_constraint, _create_constraint, _drop_constraint, _alter_constraint
    ),
    "index": ObjectHandler(_find_index, _create_index, _drop_index),
    "policy": ObjectHandler(_find_policy, _create_policy, _drop_policy, _alter_policy),
    "trigger": ObjectHandler(_find_trigger, _create_trigger, _drop_trigger, _alter_trigger),
    "grant": ObjectHandler(_find_grant, _create_grant, _drop_grant, _alter_grant),
}
"""Every kind of table part `diff` reports, and how to write it."""
