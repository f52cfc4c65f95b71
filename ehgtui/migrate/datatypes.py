"""Types (enums, domains, composite and range types): created, dropped and altered.

- Enums: labels renamed (`RENAME VALUE`: one B lacks where B has a new one, between labels
  both have) and added (`ADD VALUE IF NOT EXISTS ... BEFORE/AFTER`, B's order kept).
  PostgreSQL refuses a label in the transaction that added it, so when another statement of
  the migration names a new label (a default, a check), the labels are added before the
  transaction (`hoist_new_labels`). A label removed or moved needs the type made again: a
  data-loss hazard (rows holding it cannot be converted), held back without
  `--allow-data-loss`.
- Domains: `ALTER DOMAIN` for the default, NOT NULL and constraints (added, NOT VALID ones
  too, dropped, validated); a new base type or collation makes the domain again.
- Composite types: attributes added, dropped and retyped in place when B's order is what
  that gives; otherwise the type is made again.

A type made again keeps the columns using it: A's type is renamed out of the way, B's
created, each column converted through its text form (`USING c::text::t`, its default set
aside meanwhile), views and policies in the way made way for, and the old type dropped last.
"""

from __future__ import annotations

import graphlib

from ehgtui.catalog.model import Catalog, DataType, DomainConstraint
from ehgtui.ddl.access import acl_change_statements
from ehgtui.ddl.objects import create_type, type_grants
from ehgtui.ddl.order import relations_named_in
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.diff.model import SchemaObjectDiff
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.kind_handler import (
    KindHandler,
    add_grants,
    comment_statement,
    fields_of,
    owner_change,
)
from ehgtui.migrate.plan import Hazard, HazardKind, Migration, Phase
from ehgtui.migrate.users import make_way

ADD_VALUE = " ADD VALUE IF NOT EXISTS "
"""What marks a statement adding an enum label (see `hoist_new_labels`)."""

OLD_SUFFIX = "_old"
"""Added to A's name of a type made again, while its columns are converted."""

KEPT_FIELDS = frozenset({"owner", "comment", "acl"})


def find_type(catalog: Catalog, name: str) -> DataType | None:
    return next((t for t in catalog.types if t.qualified_name == name), None)


def _keyword(data_type: DataType) -> str:
    return "DOMAIN" if data_type.kind == "domain" else "TYPE"


def _name(data_type: DataType) -> str:
    return qualified(data_type.schema, data_type.name)


def _order(catalog: Catalog, types: list[DataType]) -> list[DataType]:
    """The types, each after the ones it uses (a domain over an enum, a composite of both)."""
    by_name = {t.qualified_name: t for t in types}
    graph: dict[str, set[str]] = {t.qualified_name: set() for t in types}
    for data_type in types:
        for use in data_type.used_by:
            user = f"{use.schema}.{use.relation}"
            if use.kind in ("domain", "type") and user in graph:
                graph[user].add(data_type.qualified_name)
    try:
        order = graphlib.TopologicalSorter(graph).static_order()
        return [by_name[n] for n in order]
    except graphlib.CycleError:
        return types


def _create(ctx: Context, data_type: DataType) -> None:
    for statement in create_type(data_type):
        ctx.add(Phase.CREATE_OBJECTS, statement, target=data_type.qualified_name)
    target = f"{_keyword(data_type)} {_name(data_type)}"
    if ctx.options.owners:
        ctx.add(Phase.SECURITY, f"ALTER {target} OWNER TO {quote_ident(data_type.owner)};")
    if data_type.comment is not None:
        comment_statement(ctx, target, data_type.comment)
    grants = type_grants(data_type, with_owner=ctx.options.owners)
    add_grants(ctx, grants, data_type.qualified_name, Phase.SECURITY)


def _drop(ctx: Context, data_type: DataType, phase: Phase) -> None:
    ctx.add(
        phase, f"DROP {_keyword(data_type)} {_name(data_type)};", target=data_type.qualified_name
    )


# ---------------------------------------------------------------- enums


def _add_labels(ctx: Context, present: list[str], new: DataType) -> None:
    """ADD VALUE for each label of `new` not in `present` (a subsequence of its labels)."""
    name = _name(new)
    have = set(present)
    for index, label in enumerate(new.labels):
        if label in have:
            continue
        first_present = next((other for other in new.labels if other in have), None)
        if index > 0:  # the one before it is there: it was, or was added just now
            where = f" AFTER {quote_literal(new.labels[index - 1])}"
        elif first_present is not None:
            where = f" BEFORE {quote_literal(first_present)}"
        else:
            where = ""
        ctx.add(
            Phase.CREATE_OBJECTS,
            f"ALTER TYPE {name}{ADD_VALUE}{quote_literal(label)}{where};",
            target=new.qualified_name,
        )
        have.add(label)


def label_renames(old: tuple[str, ...], new: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """The (old, new) label pairs that, renamed, leave `new` to be reached by adding labels;
    None when a label was removed or moved (the type must be made again).

    The labels both sides have must keep their order. Between two of them, A's labels that B
    lacks are taken for renames of B's new ones there, in order (as a column at the same
    place is taken for renamed); B's left over are added.
    """
    kept_old = [label for label in old if label in new]
    if kept_old != [label for label in new if label in old]:
        return None
    kept = set(kept_old)
    renames: list[tuple[str, str]] = []
    old_gaps: list[list[str]] = [[]]
    new_gaps: list[list[str]] = [[]]
    for labels, gaps in ((old, old_gaps), (new, new_gaps)):
        for label in labels:
            if label in kept:
                gaps.append([])
            else:
                gaps[-1].append(label)
    for old_gap, new_gap in zip(old_gaps, new_gaps, strict=True):
        if len(old_gap) > len(new_gap):
            return None
        renames += zip(old_gap, new_gap, strict=False)
    return renames


def _enum_change(ctx: Context, old: DataType, new: DataType) -> bool:
    renames = label_renames(old.labels, new.labels)
    if renames is None:
        removed = [label for label in old.labels if label not in new.labels]
        why = (
            f"label {', '.join(removed)} removed" if removed else "labels reordered"
        ) + f" from {new.qualified_name}: the type is made again"
        _make_again(
            ctx,
            old,
            new,
            Hazard(
                HazardKind.DATA_LOSS,
                f"{why}, and rows holding a label it no longer has cannot be converted",
            ),
        )
        return True
    for before, after in renames:
        ctx.add(
            Phase.CREATE_OBJECTS,
            f"ALTER TYPE {_name(new)} RENAME VALUE {quote_literal(before)}"
            f" TO {quote_literal(after)};",
            target=new.qualified_name,
        )
    renamed = dict(renames)
    _add_labels(ctx, [renamed.get(label, label) for label in old.labels], new)
    return True


def hoist_new_labels(migration: Migration) -> None:
    """Move the labels added to enums before the transaction when another statement names
    one (PostgreSQL: "unsafe use of new value" until the adding transaction commits)."""
    adds = [s for s in migration.added if ADD_VALUE in s.sql]
    if not adds:
        return
    labels = {s.sql.split(ADD_VALUE, 1)[1].split(" AFTER ")[0].split(" BEFORE ")[0] for s in adds}
    labels = {label.rstrip(";") for label in labels}
    others = [s.sql for s in migration.added if ADD_VALUE not in s.sql]
    if not any(label in sql for label in labels for sql in others):
        return
    migration.added = [
        s.__class__(s.sql, Phase.BEFORE_TRANSACTION, s.hazards, s.target) if s in adds else s
        for s in migration.added
    ]


# ---------------------------------------------------------------- made again


def _make_again(ctx: Context, old: DataType, new: DataType, hazard: Hazard) -> None:
    """Rename A's type away, create B's, convert the columns using it, drop A's last."""
    old_name = _name(old)
    aside = old.name[: 63 - len(OLD_SUFFIX)] + OLD_SUFFIX
    keyword = _keyword(old)
    with ctx.hazards(hazard):
        ctx.add(
            Phase.DROP_OBJECTS,
            f"ALTER {keyword} {old_name} RENAME TO {quote_ident(aside)};",
            target=old.qualified_name,
        )
        _create(ctx, new)
        converted = _convert_columns(ctx, old, new)
        make_way(ctx, f"type {old.qualified_name}", old.used_by, skip="column")
        for view in ctx.a.tables:
            if view.is_view and relations_named_in(view.view_definition or "", ctx.a) & converted:
                ctx.views_in_the_way.add(view.qualified_name)
        ctx.add(
            Phase.REMOVE_OBJECTS,
            f"DROP {keyword} {qualified(old.schema, aside)};",
            target=old.qualified_name,
        )


def _convert_columns(ctx: Context, old: DataType, new: DataType) -> set[str]:
    """`ALTER COLUMN ... TYPE` to B's type for every column of A using A's; their tables."""
    tables = set()
    for use in old.used_by:
        if use.kind != "column" or use.name is None:
            continue
        table_name = f"{use.schema}.{use.relation}"
        old_table = ctx.a.table(table_name)
        new_table = ctx.b.table(ctx.renamed_tables.get(table_name, table_name))
        if old_table is None or new_table is None or old_table.is_view:
            continue
        old_column, column = old_table.column(use.name), new_table.column(use.name)
        if old_column is None or column is None:
            continue
        tables.add(table_name)
        ctx.retyped_columns.add((table_name, use.name))
        col = quote_ident(column.name)
        if old_column.default is not None:
            ctx.add(
                Phase.DROP_DEPENDENTS,
                f"ALTER TABLE {name_of(old_table)} ALTER COLUMN {col} DROP DEFAULT;",
            )
        array = "[]" * column.data_type.count("[]")
        alter = f"ALTER TABLE {name_of(new_table)} ALTER COLUMN {col}"
        ctx.add(
            Phase.COLUMNS,
            f"{alter} TYPE {column.data_type} USING {col}::text{array}::{column.data_type};",
            Hazard(HazardKind.REWRITE, "rewrites the table under an exclusive lock"),
            target=f"{new_table.qualified_name}.{column.name}",
        )
        if column.default is not None:
            ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {column.default};")
    return tables


# ---------------------------------------------------------------- domains


def _real_constraints(data_type: DataType) -> dict[str, DomainConstraint]:
    """Its constraints by name, without PostgreSQL 17's NOT NULL ones (`not_null` says)."""
    return {c.name: c for c in data_type.constraints if c.definition != "NOT NULL"}


def _add_constraint(ctx: Context, new: DataType, constraint: DomainConstraint) -> None:
    definition = constraint.definition
    hazards = []
    if constraint.validated:
        hazards.append(
            Hazard(
                HazardKind.MAY_FAIL,
                "checks every value of every column of the domain; add it NOT VALID and"
                " VALIDATE it later to avoid the long lock",
            )
        )
    elif not definition.endswith(" NOT VALID"):
        definition += " NOT VALID"
    ctx.add(
        Phase.CREATE_OBJECTS,
        f"ALTER DOMAIN {_name(new)} ADD CONSTRAINT {quote_ident(constraint.name)} {definition};",
        *hazards,
        target=new.qualified_name,
    )


def _domain_change(ctx: Context, old: DataType, new: DataType, fields: set[str]) -> None:
    name = _name(new)
    if "default" in fields:
        action = "DROP DEFAULT" if new.default is None else f"SET DEFAULT {new.default}"
        ctx.add(Phase.CREATE_OBJECTS, f"ALTER DOMAIN {name} {action};")
    if "not_null" in fields:
        if new.not_null:
            ctx.add(
                Phase.CREATE_OBJECTS,
                f"ALTER DOMAIN {name} SET NOT NULL;",
                Hazard(HazardKind.MAY_FAIL, "fails if a column of the domain holds NULL"),
                target=new.qualified_name,
            )
        else:
            ctx.add(Phase.CREATE_OBJECTS, f"ALTER DOMAIN {name} DROP NOT NULL;")
    if "constraints" not in fields:
        return
    before, after = _real_constraints(old), _real_constraints(new)
    for constraint_name, constraint in before.items():
        later = after.get(constraint_name)
        if later is not None and later.definition.removesuffix(
            " NOT VALID"
        ) == constraint.definition.removesuffix(" NOT VALID"):
            if later.validated and not constraint.validated:
                ctx.add(
                    Phase.CREATE_OBJECTS,
                    f"ALTER DOMAIN {name} VALIDATE CONSTRAINT {quote_ident(constraint_name)};",
                    Hazard(HazardKind.MAY_FAIL, "fails if a value breaks the constraint"),
                    target=new.qualified_name,
                )
                continue
            if later.validated == constraint.validated:
                continue
        ctx.add(
            Phase.CREATE_OBJECTS,
            f"ALTER DOMAIN {name} DROP CONSTRAINT {quote_ident(constraint_name)};",
        )
        if later is not None:
            _add_constraint(ctx, new, later)
    for constraint_name, constraint in after.items():
        if constraint_name not in before:
            _add_constraint(ctx, new, constraint)


# ---------------------------------------------------------------- composite types


def _attribute(data_type: DataType, name: str) -> str:
    found = next(a for a in data_type.attributes if a.name == name)
    collate = f" COLLATE {found.collation}" if found.collation else ""
    return f"{quote_ident(found.name)} {found.data_type}{collate}"


def _composite_change(ctx: Context, old: DataType, new: DataType) -> bool:
    old_names = [a.name for a in old.attributes]
    new_names = [a.name for a in new.attributes]
    kept = [n for n in old_names if n in new_names]
    if kept + [n for n in new_names if n not in old_names] != new_names:
        return False  # attributes reordered: no ALTER does that
    name = _name(new)
    old_types = {a.name: (a.data_type, a.collation) for a in old.attributes}
    for gone in old_names:
        if gone not in new_names:
            ctx.add(
                Phase.CREATE_OBJECTS,
                f"ALTER TYPE {name} DROP ATTRIBUTE {quote_ident(gone)};",
                Hazard(HazardKind.DATA_LOSS, f"drops attribute {gone} of {name}"),
                target=new.qualified_name,
            )
    for attribute in new.attributes:
        if attribute.name in old_types and old_types[attribute.name] != (
            attribute.data_type,
            attribute.collation,
        ):
            ctx.add(
                Phase.CREATE_OBJECTS,
                f"ALTER TYPE {name} ALTER ATTRIBUTE {_attribute(new, attribute.name)};".replace(
                    f"ATTRIBUTE {quote_ident(attribute.name)} ",
                    f"ATTRIBUTE {quote_ident(attribute.name)} TYPE ",
                    1,
                ),
                target=new.qualified_name,
            )
        elif attribute.name not in old_types:
            ctx.add(
                Phase.CREATE_OBJECTS,
                f"ALTER TYPE {name} ADD ATTRIBUTE {_attribute(new, attribute.name)};",
                target=new.qualified_name,
            )
    return True


# ---------------------------------------------------------------- any type


def _alter(ctx: Context, old: DataType, new: DataType, change: SchemaObjectDiff) -> bool:
    fields = fields_of(change)
    shape = fields - KEPT_FIELDS
    if "kind" in shape or (new.kind == "range" and shape):
        return False
    if new.kind == "enum" and "labels" in shape:
        _enum_change(ctx, old, new)
    elif new.kind == "domain" and shape & {"base_type", "collation"}:
        _make_again(
            ctx,
            old,
            new,
            Hazard(
                HazardKind.MAY_FAIL,
                f"{new.qualified_name} is made again over {new.base_type}: fails on values"
                " that do not convert",
            ),
        )
    elif new.kind == "domain" and shape:
        _domain_change(ctx, old, new, shape)
    elif new.kind == "composite" and shape and not _composite_change(ctx, old, new):
        _make_again(
            ctx,
            old,
            new,
            Hazard(HazardKind.DATA_LOSS, f"{new.qualified_name} is made again: attributes move"),
        )
    target = f"{_keyword(new)} {_name(new)}"
    if "owner" in fields:
        owner_change(ctx, target, new.qualified_name, old.owner, new.owner)
    if "comment" in fields:
        comment_statement(ctx, target, new.comment)
    if "acl" in fields or "owner" in fields:
        statements = acl_change_statements(
            f"TYPE {_name(new)}",
            new.acl or _default_acl(new),
            old.acl or _default_acl(old),
            frozenset({"USAGE"}),
            skip=None if ctx.options.owners else new.owner,
        )
        add_grants(ctx, statements, new.qualified_name, Phase.SECURITY)
    return True


def _default_acl(data_type: DataType) -> tuple[str, ...]:
    owner = data_type.owner
    return (f"=U/{owner}", f"{owner}=U/{owner}")


TYPE_HANDLER = KindHandler(
    find_type, _create, _drop, _alter, users=lambda t: t.used_by, order=_order
)
