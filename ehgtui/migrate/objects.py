"""The parts of a table, one handler per kind: how each is created, dropped and altered.

`OBJECT_HANDLERS` is the table the writer dispatches on, keyed by `ObjectChange.object_type`.
A handler's `alter` returns False when the change cannot be made in place; the writer then
drops the old object and creates the new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ehgtui.catalog.model import Constraint, Index, Policy, Privilege, Table, Trigger
from ehgtui.ddl.access import create_policy, role_name
from ehgtui.ddl.constraints import add_constraint
from ehgtui.ddl.indexes import index_definition
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.ddl.triggers import STATE_CLAUSES
from ehgtui.diff.model import ObjectChange
from ehgtui.migrate.columns import (
    alter_column,
    create_column,
    drop_column,
    find_column,
    part_target,
    rename_column,
)
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.plan import Hazard, HazardKind, Phase

PUBLIC_ROLES = frozenset({"anon", "public", "PUBLIC"})
"""Grantees that mean "anyone who can reach the API"; a grant to them is a security hazard."""


@dataclass(frozen=True, slots=True)
class ObjectHandler:
    """How one kind of table part is written."""

    find: Callable[[Table, str], Any]
    """The object named (as `ObjectChange.name` spells it) in a table, or None."""
    create: Callable[[Context, Table, Any], None]
    drop: Callable[[Context, Table, Any], None]
    alter: Callable[[Context, Table, Table, Any, Any, ObjectChange], bool] | None = None
    rename: Callable[[Context, Table, str, str], None] | None = None


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
    ctx.add(phase, first, *hazards, target=part_target(table, constraint.name))
    index = next((i for i in table.indexes if i.constraint_name == constraint.name), None)
    params = _options(index.definition)[1] if index is not None else {}
    if index is not None and params:
        # pg_get_constraintdef() leaves out the index's storage parameters
        options = ", ".join(f"{k} = {v}" for k, v in sorted(params.items()))
        ctx.add(Phase.KEYS, f"ALTER INDEX {qualified(table.schema, index.name)} SET ({options});")
    for statement in rest:
        ctx.add(Phase.COMMENTS, statement)


def _drop_constraint(ctx: Context, table: Table, constraint: Constraint) -> None:
    if not _written(constraint):
        return
    phase = Phase.DROP_DEPENDENTS if constraint.kind == "FOREIGN KEY" else Phase.DROP_CONSTRAINTS
    ctx.add(
        phase,
        f"ALTER TABLE {name_of(table)} DROP CONSTRAINT {quote_ident(constraint.name)};",
        target=part_target(table, constraint.name),
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
    if fields == {"definition"} and constraint_follows(ctx, old_table, old, new):
        return True  # it follows the renames of its columns (and referenced table)
    if fields == {"validated"} or fields == {"validated", "definition"}:
        if new.validated and old.definition.removesuffix(" NOT VALID") == new.definition:
            ctx.add(
                Phase.KEYS if new.kind != "FOREIGN KEY" else Phase.FOREIGN_KEYS,
                f"ALTER TABLE {name_of(table)} VALIDATE CONSTRAINT {quote_ident(new.name)};",
                Hazard(HazardKind.MAY_FAIL, "fails if existing rows break the constraint"),
                target=part_target(table, new.name),
            )
            return True
    return False


_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*""")
"""String literals (left alone), quoted and bare identifiers."""


def after_column_renames(ctx: Context, old_table: Table, text: str) -> str:
    """`text` (A's definition of a part of `old_table`) with the columns renamed as in B."""
    renames = {
        quote_ident(old): quote_ident(new)
        for old, new in ctx.renamed_columns.get(old_table.qualified_name, {}).items()
    }
    if not renames:
        return text
    return _TOKEN.sub(lambda m: renames.get(m.group(), m.group()), text)


def constraint_follows(ctx: Context, old_table: Table, old: Constraint, new: Constraint) -> bool:
    """`new` is what `old` becomes by the renames alone (no statement needed)."""
    if old.kind != new.kind:
        return False
    if old.kind != "FOREIGN KEY":
        return after_column_renames(ctx, old_table, old.definition) == new.definition
    referenced = f"{old.ref_schema}.{old.ref_table}"
    if ctx.renamed_tables.get(referenced, referenced) != f"{new.ref_schema}.{new.ref_table}":
        return False
    own = ctx.renamed_columns.get(old_table.qualified_name, {})
    theirs = ctx.renamed_columns.get(referenced, {})
    same = ("on_update", "on_delete", "match", "deferrable", "deferred", "validated")
    return (
        tuple(own.get(c, c) for c in old.columns) == new.columns
        and tuple(theirs.get(c, c) for c in old.ref_columns) == new.ref_columns
        and all(getattr(old, f) == getattr(new, f) for f in same)
    )


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
            target=part_target(table, index.name),
        )
        return
    hazards.append(
        Hazard(
            HazardKind.REWRITE,
            "blocks writes to the table while the index builds; --concurrently avoids it",
        )
    )
    ctx.add(Phase.KEYS, definition, *hazards, target=part_target(table, index.name))


_WITH = re.compile(r" WITH \((?P<options>[^()]*)\)")
"""The storage parameters in `pg_get_indexdef()`'s text (`WITH (fillfactor='80')`)."""


def _options(definition: str) -> tuple[str, dict[str, str]]:
    """The definition without its WITH clause, and that clause's parameters by name."""
    match = _WITH.search(definition)
    if match is None:
        return definition, {}
    params = dict(p.strip().partition("=")[::2] for p in match["options"].split(","))
    return definition[: match.start()] + definition[match.end() :], params


def _alter_index(
    ctx: Context, old_table: Table, table: Table, old: Index, new: Index, change: ObjectChange
) -> bool:
    """Storage parameters change in place (`ALTER INDEX … SET/RESET`), also on the index of a
    key; any other change re-creates a plain index, and a key's index comes with its key."""
    old_params, new_params = _options(old.definition)[1], _options(new.definition)[1]
    if not index_in_place(ctx, old_table, table, old, new):
        return new.constraint_name is not None
    name = qualified(table.schema, new.name)
    gone = sorted(set(old_params) - set(new_params))
    if gone:
        ctx.add(Phase.KEYS, f"ALTER INDEX {name} RESET ({', '.join(gone)});")
    changed = {k: v for k, v in new_params.items() if old_params.get(k) != v}
    if changed:
        options = ", ".join(f"{k} = {v}" for k, v in sorted(changed.items()))
        ctx.add(Phase.KEYS, f"ALTER INDEX {name} SET ({options});")
    return True


def index_in_place(ctx: Context, old_table: Table, table: Table, old: Index, new: Index) -> bool:
    """Only `new`'s storage parameters differ from `old`'s once the renames are made."""
    if (old.is_valid, old.is_inherited) != (new.is_valid, new.is_inherited):
        return False
    old_rest = after_column_renames(ctx, old_table, _options(old.definition)[0])
    return _strip_table(old_rest, old_table) == _strip_table(_options(new.definition)[0], table)


def _strip_table(definition: str, table: Table) -> str:
    """The index definition with its table's name taken out (a renamed table's index keeps)."""
    return definition.replace(f" ON {qualified(table.schema, table.name)} ", " ON ", 1)


def _drop_index(ctx: Context, table: Table, index: Index) -> None:
    if index.constraint_name is not None or index.is_inherited:
        return
    name = qualified(table.schema, index.name)
    ctx.add(Phase.DROP_CONSTRAINTS, f"DROP INDEX {name};")


# ---------------------------------------------------------------- policies


def _find_policy(table: Table, name: str) -> Policy | None:
    return next((p for p in table.policies if p.name == name), None)


def _policypart_target(table: Table, policy: Policy) -> str:
    return f"{quote_ident(policy.name)} ON {name_of(table)}"


def _create_policy(ctx: Context, table: Table, policy: Policy) -> None:
    hazards = []
    if policy.permissive:
        roles = ", ".join(policy.roles)
        hazards.append(
            Hazard(HazardKind.SECURITY, f"a new permissive policy lets {roles} {policy.command}")
        )
    ctx.add(
        Phase.SECURITY,
        create_policy(table, policy),
        *hazards,
        target=part_target(table, policy.name),
    )


def _drop_policy(ctx: Context, table: Table, policy: Policy) -> None:
    hazards = []
    if not policy.permissive:
        hazards.append(Hazard(HazardKind.SECURITY, "dropping a restrictive policy widens access"))
    ctx.add(
        Phase.DROP_DEPENDENTS,
        f"DROP POLICY {_policypart_target(table, policy)};",
        *hazards,
        target=part_target(table, policy.name),
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
    parts = [f"ALTER POLICY {_policypart_target(table, new)}"]
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
        target=part_target(table, new.name),
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
    ctx.add(Phase.TRIGGERS, trigger.definition + ";", target=part_target(table, trigger.name))
    if trigger.enabled != "ENABLED":
        ctx.add(Phase.TRIGGERS, _trigger_state(table, trigger))


def _drop_trigger(ctx: Context, table: Table, trigger: Trigger) -> None:
    if trigger.is_inherited:
        return
    ctx.add(
        Phase.DROP_DEPENDENTS,
        f"DROP TRIGGER {quote_ident(trigger.name)} ON {name_of(table)};",
        target=part_target(table, trigger.name),
    )


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
    ctx.add(
        Phase.TRIGGERS, _trigger_state(table, new), *hazards, target=part_target(table, new.name)
    )
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
    "column": ObjectHandler(find_column, create_column, drop_column, alter_column, rename_column),
    "constraint": ObjectHandler(
        _find_constraint, _create_constraint, _drop_constraint, _alter_constraint
    ),
    "index": ObjectHandler(_find_index, _create_index, _drop_index, _alter_index),
    "policy": ObjectHandler(_find_policy, _create_policy, _drop_policy, _alter_policy),
    "trigger": ObjectHandler(_find_trigger, _create_trigger, _drop_trigger, _alter_trigger),
    "grant": ObjectHandler(_find_grant, _create_grant, _drop_grant, _alter_grant),
}
"""Every kind of table part `diff` reports, and how to write it."""
