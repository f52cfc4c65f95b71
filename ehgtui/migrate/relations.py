"""Relations (tables, partitioned tables, views, materialized views): created, dropped,
renamed and altered, and their parts through `objects.OBJECT_HANDLERS`.

Views are never altered in place: one whose query, kind or options changed is dropped and
created again from B, and so is every view that depends on it or on a column whose type
changes or which is dropped (PostgreSQL refuses those changes under a view). A view created
again gets its comments, grants, indexes and triggers from B, so its own part changes need
nothing more.
"""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl.access import grant_statements, object_keyword, role_name
from ehgtui.ddl.create_table import storage_options
from ehgtui.ddl.indexes import replica_identity
from ehgtui.ddl.order import direct_dependencies, parent_names, relations_named_in, topological
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.ddl.render import table_sections, view_statements
from ehgtui.diff.model import CatalogDiff, ObjectChange, TableDiff
from ehgtui.migrate.columns import part_target, rename_not_null_constraints
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.dependents import mark_in_the_way
from ehgtui.migrate.objects import OBJECT_HANDLERS
from ehgtui.migrate.plan import Hazard, HazardKind, Phase

SECTION_PHASES = {
    "create": Phase.CREATE_TABLES,
    "keys": Phase.KEYS,
    "triggers": Phase.TRIGGERS,
    "foreign_keys": Phase.FOREIGN_KEYS,
    "security": Phase.SECURITY,
}
"""Where each phase of `ddl.render.table_sections` goes in a migration."""

REBUILD_FIELDS = frozenset({"kind", "view_definition", "partition_key"})
"""Table fields no ALTER changes: the relation is dropped and created again."""


def _old(ctx: Context, change: TableDiff) -> Table:
    found = ctx.a.table(change.old_name or change.qualified_name)
    assert found is not None
    return found


def _new(ctx: Context, change: TableDiff) -> Table:
    found = ctx.b.table(change.qualified_name)
    assert found is not None
    return found


def _fields(change: TableDiff) -> set[str]:
    return {f.field for f in change.fields}


def _drop_relation(ctx: Context, table: Table) -> None:
    keyword = object_keyword(table)
    if table.is_view:
        ctx.add(Phase.DROP_VIEWS, f"DROP {keyword} {name_of(table)};", target=table.qualified_name)
        return
    ctx.add(
        Phase.DROP_TABLES,
        f"DROP {keyword} {name_of(table)};",
        Hazard(HazardKind.DATA_LOSS, "drops the table and every row in it"),
        target=table.qualified_name,
    )


def _create_relation(ctx: Context, table: Table) -> None:
    if table.is_view:
        for statement in view_statements(table, ctx.b, ctx.ddl_options):
            ctx.add(Phase.CREATE_VIEWS, statement, target=table.qualified_name)
        _materialise_acl(ctx, table)
        return
    if table.kind == "foreign table":
        ctx.note(
            f"{table.qualified_name} is a foreign table: its server is not loaded, not written"
        )
        return
    for section, statements in table_sections(table, ctx.b, ctx.ddl_options).items():
        for statement in statements:
            ctx.add(SECTION_PHASES[section], statement, target=table.qualified_name)
    _materialise_acl(ctx, table)


def _materialise_acl(ctx: Context, table: Table) -> None:
    """B's ACL is explicit but grants nothing beyond the owner's defaults (a REVOKE of
    something never granted leaves it so): the DDL has no GRANT to write, and the created
    relation would keep no ACL at all, which the catalog tells apart. A REVOKE from PUBLIC,
    which holds nothing on a new relation, makes the ACL explicit and changes no right."""
    with_owner = ctx.options.owners
    if table.privileges and not grant_statements(table, ctx.b, with_owner=with_owner):
        ctx.add(
            Phase.SECURITY,
            f"REVOKE ALL ON TABLE {name_of(table)} FROM PUBLIC;",
            target=table.qualified_name,
        )


def _changed_columns_of(ctx: Context, diff: CatalogDiff) -> set[str]:
    """Tables (A's names) with a column dropped or changing type: views over them rebuild."""
    found = set()
    for change in diff.tables:
        if change.kind not in ("changed", "renamed"):
            continue
        for part in change.objects:
            if part.object_type != "column":
                continue
            fields = {f.field for f in part.fields}
            if part.kind == "removed" or fields & {"data_type", "collation", "generated"}:
                found.add(change.old_name or change.qualified_name)
    return found


def rebuilt_views(ctx: Context, diff: CatalogDiff) -> set[str]:
    """A's views to drop and create again (see the module docstring), by A's name."""
    views_a = [t for t in ctx.a.tables if t.is_view]
    rebuilt = {v for v in ctx.views_in_the_way if ctx.a.table(v) is not None}
    for change in diff.tables:
        if change.kind not in ("changed", "renamed"):
            continue
        old = ctx.a.table(change.old_name or change.qualified_name)
        if old is not None and old.is_view and _fields(change) & (REBUILD_FIELDS | {"options"}):
            rebuilt.add(old.qualified_name)  # (a table that becomes a view is no view of A's)
    touched = _changed_columns_of(ctx, diff)
    uses = {v.qualified_name: relations_named_in(v.view_definition or "", ctx.a) for v in views_a}
    grew = True
    while grew:
        grew = False
        for view, names in uses.items():
            if view not in rebuilt and names & (rebuilt | touched):
                rebuilt.add(view)
                grew = True
    return {v for v in rebuilt if ctx.b.table(_renamed_to(diff, v)) is not None}


def _renamed_to(diff: CatalogDiff, old_name: str) -> str:
    found = next((t for t in diff.tables if t.old_name == old_name), None)
    return found.qualified_name if found is not None else old_name


def _table_fields(ctx: Context, old: Table, new: Table, change: TableDiff) -> None:
    name = name_of(new)
    keyword = object_keyword(new)
    fields = _fields(change)
    if "comment" in fields:
        text = "NULL" if new.comment is None else quote_literal(new.comment)
        ctx.add(Phase.COMMENTS, f"COMMENT ON {keyword} {name} IS {text};")
    if "rls_enabled" in fields:
        if new.rls_enabled:
            ctx.add(Phase.SECURITY, f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
        else:
            ctx.add(
                Phase.SECURITY,
                f"ALTER TABLE {name} DISABLE ROW LEVEL SECURITY;",
                Hazard(
                    HazardKind.SECURITY, "row-level security disabled: every policy stops applying"
                ),
                target=new.qualified_name,
            )
    if "rls_forced" in fields:
        if new.rls_forced:
            ctx.add(Phase.SECURITY, f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
        else:
            ctx.add(
                Phase.SECURITY,
                f"ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY;",
                Hazard(HazardKind.SECURITY, "the owner is no longer subject to the policies"),
                target=new.qualified_name,
            )
    if "owner" in fields:
        if ctx.options.owners:
            ctx.add(Phase.SECURITY, f"ALTER {keyword} {name} OWNER TO {role_name(new.owner)};")
        else:
            ctx.note(
                f"{new.qualified_name}: owner {old.owner} -> {new.owner}"
                " (not written without --owners)"
            )
    if "persistence" in fields:
        logged = "UNLOGGED" if new.persistence == "unlogged" else "LOGGED"
        ctx.add(
            Phase.TABLE_OPTIONS,
            f"ALTER TABLE {name} SET {logged};",
            Hazard(HazardKind.REWRITE, "rewrites the table under an exclusive lock"),
            target=new.qualified_name,
        )
    if "options" in fields:
        gone = {o.partition("=")[0] for o in old.options} - {
            o.partition("=")[0] for o in new.options
        }
        if gone:
            ctx.add(
                Phase.TABLE_OPTIONS, f"ALTER {keyword} {name} RESET ({', '.join(sorted(gone))});"
            )
        if new.options:
            ctx.add(
                Phase.TABLE_OPTIONS, f"ALTER {keyword} {name} SET ({storage_options(new.options)});"
            )
    if "replica_identity" in fields:
        statements = replica_identity(new) or [f"ALTER TABLE ONLY {name} REPLICA IDENTITY DEFAULT;"]
        for statement in statements:
            ctx.add(Phase.FOREIGN_KEYS, statement)
    if "inherits" in fields:
        for parent in sorted(set(old.inherits) - set(new.inherits)):
            ctx.add(
                Phase.DROP_CONSTRAINTS,
                f"ALTER TABLE {name_of(old)} NO INHERIT {_relation(ctx.a, parent)};",
            )
        for parent in sorted(set(new.inherits) - set(old.inherits)):
            ctx.add(Phase.FOREIGN_KEYS, f"ALTER TABLE {name} INHERIT {_relation(ctx.b, parent)};")
    if fields & {"partition_of", "partition_bound"}:
        if old.partition_of:
            ctx.add(
                Phase.DROP_CONSTRAINTS,
                f"ALTER TABLE {_relation(ctx.a, old.partition_of)}"
                f" DETACH PARTITION {name_of(old)};",
            )
        if new.partition_of:
            ctx.add(
                Phase.FOREIGN_KEYS,
                f"ALTER TABLE {_relation(ctx.b, new.partition_of)} ATTACH PARTITION {name}"
                f" {new.partition_bound};",
                Hazard(HazardKind.REWRITE, "scans the partition to check its bound"),
                target=new.qualified_name,
            )


def _relation(catalog: Catalog, name: str) -> str:
    found = catalog.table(name)
    if found is not None:
        return name_of(found)
    schema, _, rest = name.partition(".")
    return qualified(schema, rest)


def _rename(ctx: Context, old: Table, new: Table) -> None:
    keyword = object_keyword(new)
    current = name_of(old)
    if old.schema != new.schema:
        ctx.add(Phase.RENAME, f"ALTER {keyword} {current} SET SCHEMA {quote_ident(new.schema)};")
        current = qualified(new.schema, old.name)
    if old.name != new.name:
        ctx.add(Phase.RENAME, f"ALTER {keyword} {current} RENAME TO {quote_ident(new.name)};")


def _write_part(ctx: Context, old: Table, new: Table, part: ObjectChange) -> None:
    handler = OBJECT_HANDLERS.get(part.object_type)
    if handler is None:
        ctx.note(f"{new.qualified_name}: {part.object_type} {part.name} not written (unknown kind)")
        return
    if part.kind == "added":
        handler.create(ctx, new, handler.find(new, part.name))
        return
    if part.kind == "removed":
        handler.drop(ctx, old, handler.find(old, part.name))
        return
    before = handler.find(old, part.old_name or part.name)
    after = handler.find(new, part.name)
    if part.kind == "renamed" and handler.rename is not None:
        handler.rename(ctx, new, part.old_name or part.name, part.name)
        if not part.fields:
            return
    in_the_way = (part.object_type, old.qualified_name, part.old_name or part.name)
    if (
        in_the_way in ctx.in_the_way
        or handler.alter is None
        or not handler.alter(ctx, old, new, before, after, part)
    ):
        dropped_from = len(ctx.out.added)
        handler.drop(ctx, old, before)
        if any(s.loses_data for s in ctx.out.added[dropped_from:]):
            with ctx.recreating(f"{part.object_type} {part_target(new, part.name)}"):
                handler.create(ctx, new, after)
        else:
            handler.create(ctx, new, after)


def write_relations(ctx: Context, diff: CatalogDiff) -> None:
    """Every statement for the relations of `diff` (see the module docstring)."""
    rebuilt = rebuilt_views(ctx, diff)
    changed = {t.old_name or t.qualified_name: t for t in diff.tables if t.kind != "added"}
    whole = {n for n, t in changed.items() if _fields(t) & REBUILD_FIELDS}
    for change in diff.tables:
        if change.old_name:
            ctx.renamed_tables[change.old_name] = change.qualified_name
        columns = {
            p.old_name: p.name
            for p in change.objects
            if p.object_type == "column" and p.kind == "renamed" and p.old_name
        }
        if columns:
            ctx.renamed_columns[change.old_name or change.qualified_name] = columns
    mark_in_the_way(ctx, diff, rebuilt | whole)
    for view in _reverse_order(
        ctx.a, rebuilt | {n for n, t in changed.items() if t.kind == "removed"}
    ):
        if view.is_view:
            _drop_relation(ctx, view)
    removed = [_old(ctx, t) for t in diff.tables if t.kind == "removed"]
    for table in _reverse_order(ctx.a, {t.qualified_name for t in removed if not t.is_view}):
        _drop_relation(ctx, table)

    created = [_new(ctx, t) for t in diff.tables if t.kind == "added"]
    created += [ctx.b.table(_renamed_to(diff, v)) for v in sorted(rebuilt)]  # type: ignore[misc]
    # tables dropped, rows and all, whose name is created again (rebuilt, or removed and added)
    emptied = {t.qualified_name for t in removed if not t.is_view}
    for change in diff.tables:
        if (
            change.kind not in ("changed", "renamed")
            or (change.old_name or change.qualified_name) in rebuilt
        ):
            continue
        old, new = _old(ctx, change), _new(ctx, change)
        if _fields(change) & REBUILD_FIELDS:
            _drop_relation(ctx, old)
            created.append(new)
            if not old.is_view:
                emptied.add(new.qualified_name)
            continue
        if change.kind == "renamed":
            _rename(ctx, old, new)
        _table_fields(ctx, old, new, change)
        for part in change.objects:
            _write_part(ctx, old, new, part)
        rename_not_null_constraints(ctx, old, new, change)
    for old, new in _unchanged_tables(ctx, diff):
        rename_not_null_constraints(ctx, old, new, None)
    edges = {t.qualified_name: direct_dependencies(t, ctx.b) for t in created}
    for table in topological(created, edges):
        if table.qualified_name in emptied:
            with ctx.recreating(table.qualified_name):
                _create_relation(ctx, table)
        else:
            _create_relation(ctx, table)


def _unchanged_tables(ctx: Context, diff: CatalogDiff) -> list[tuple[Table, Table]]:
    """The tables on both sides the diff does not name: (A's, B's)."""
    named = {t.qualified_name for t in diff.tables} | {t.old_name for t in diff.tables}
    pairs = []
    for old in ctx.a.tables:
        new = ctx.b.table(old.qualified_name)
        if old.qualified_name not in named and new is not None and not old.is_view:
            pairs.append((old, new))
    return pairs


def _reverse_order(catalog: Catalog, names: set[str]) -> list[Table]:
    """The named relations of `catalog`, dependents first (the order to drop them in)."""
    tables = [t for t in catalog.tables if t.qualified_name in names]
    edges = {
        t.qualified_name: direct_dependencies(t, catalog) | set(parent_names(t)) for t in tables
    }
    return list(reversed(topological(tables, edges)))
