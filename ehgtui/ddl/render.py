"""A relation's complete DDL, and a whole schema's, in an order that applies cleanly.

Each table's statements are grouped in phases (`PHASES`). `table_ddl` prints one table's
phases in turn, which is pg_dump's order for one table. `schema_ddl` prints each phase for
every table before the next phase, which is what lets the result apply to an empty database:
every table exists before any foreign key points at it, parents are created (and get their
keys) before their partitions are attached, and views come after all tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ehgtui.catalog.model import Catalog, Sequence, Table
from ehgtui.ddl.access import (
    column_grant_statements,
    create_policy,
    grant_statements,
    owner_statement,
    row_security,
    sequence_grant_statements,
)
from ehgtui.ddl.comments import comment_statements, policy_comment
from ehgtui.ddl.constraints import foreign_keys, key_constraints
from ehgtui.ddl.create_table import (
    column_fixes,
    create_table,
    relation_name,
    unvalidated_checks,
)
from ehgtui.ddl.indexes import index_statements, replica_identity
from ehgtui.ddl.objects import sequence_statements
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.order import direct_dependencies, parent_names, referenced_names, topological
from ehgtui.ddl.quote import qualified
from ehgtui.ddl.sequences import create_sequence, owned_by, sequence_comment
from ehgtui.ddl.triggers import trigger_statements
from ehgtui.ddl.views import create_view, view_column_defaults

PHASES = ("create", "keys", "triggers", "foreign_keys", "security")
"""A table's statements, by when they can run: `create` (sequences, CREATE TABLE, column
fixes, comments, owner), `keys` (keys, indexes, ATTACH PARTITION, replica identity),
`triggers`, `foreign_keys`, then `security` (RLS, policies, grants)."""

Sections = dict[str, list[str]]

_NEXTVAL_ARGUMENT = re.compile(r"nextval\('((?:[^']|'')*)'")
"""The regclass literal of a `nextval('...'::regclass)` default: the sequence's name."""


def _owned_sequences(table: Table, catalog: Catalog) -> list[Sequence]:
    """Sequences owned by the table's columns: serial ones and identity ones."""
    return list(catalog.sequences_by_table.get(table.qualified_name, ()))


def _attach_partition(table: Table, catalog: Catalog) -> str:
    """`ALTER TABLE ONLY parent ATTACH PARTITION child FOR VALUES ...`."""
    assert table.partition_of is not None
    parent = relation_name(table.partition_of, catalog)
    child = qualified(table.schema, table.name)
    return f"ALTER TABLE ONLY {parent} ATTACH PARTITION {child} {table.partition_bound};"


def table_sections(table: Table, catalog: Catalog, options: DdlOptions) -> Sections:
    """Every statement of a table (or partitioned table), by phase."""
    owned = _owned_sequences(table, catalog)
    identity = {s.owned_by_column or "": s for s in owned if s.is_identity}
    serial = [s for s in owned if not s.is_identity]
    create = [create_sequence(s, options) for s in serial]
    create.append(create_table(table, catalog, options, identity))
    create += [owned_by(s, table) for s in serial]
    create += [comment for s in owned for comment in sequence_comment(s)]
    create += column_fixes(table, catalog)
    create += unvalidated_checks(table)
    create += comment_statements(table)
    if options.owner:
        create.append(owner_statement(table))
    keys = key_constraints(table) + index_statements(table, options)
    if table.partition_of:
        keys.append(_attach_partition(table, catalog))
    keys += replica_identity(table)
    security = row_security(table)
    for policy in table.policies:
        security += [create_policy(table, policy), *policy_comment(table, policy)]
    if options.grants:
        security += grant_statements(table, catalog, with_owner=options.owner)
        security += column_grant_statements(table)
        for seq in owned:
            security += sequence_grant_statements(seq, with_owner=options.owner)
    return {
        "create": create,
        "keys": keys,
        "triggers": trigger_statements(table, catalog),
        "foreign_keys": foreign_keys(table),
        "security": security,
    }


def view_statements(table: Table, catalog: Catalog, options: DdlOptions) -> list[str]:
    """A view or materialized view with its defaults, comments, indexes, triggers, access."""
    statements = [create_view(table, options)]
    statements += view_column_defaults(table)
    statements += comment_statements(table)
    if options.owner:
        statements.append(owner_statement(table))
    statements += index_statements(table, options)
    statements += trigger_statements(table, catalog)
    if options.grants:
        statements += grant_statements(table, catalog, with_owner=options.owner)
        statements += column_grant_statements(table)
    return statements


def _foreign_table_statements(table: Table) -> list[str]:
    """A note instead of DDL: the foreign server and options are not in the catalog."""
    name = qualified(table.schema, table.name)
    return [f"-- {name} is a foreign table: its server and options are not loaded, so no DDL."]


def _join(statements: Iterable[str]) -> str:
    """Statements separated by blank lines, ending with a newline (as a .sql file would)."""
    text = "\n\n".join(statements)
    return text + "\n" if text else ""


def table_ddl(table: Table, catalog: Catalog, options: DdlOptions | None = None) -> str:
    """The complete DDL of one relation, in pg_dump's order, ready to paste into a migration.

    It assumes what it references exists: roles, types, functions, and the other relations
    (parents, foreign-key targets, tables named in policies); `order.dependencies` lists those.
    """
    options = options or DdlOptions()
    if table.is_view:
        return _join(view_statements(table, catalog, options))
    if table.kind == "foreign table":
        return _join(_foreign_table_statements(table))
    sections = table_sections(table, catalog, options)
    return _join(s for phase in PHASES for s in sections[phase])


def _standalone_sequences(catalog: Catalog, tables: list[Table], every: bool) -> list[Sequence]:
    """Sequences no column owns: all of them, or those the chosen tables' defaults name."""
    free = [s for s in catalog.sequences if not s.owned_by_table and not s.is_identity]
    if every:
        return free
    named: set[tuple[str, ...]] = set()
    for table in tables:
        for column in table.columns:
            for literal in _NEXTVAL_ARGUMENT.findall(column.default or ""):
                named |= referenced_names(literal.replace("''", "'"))
    return [s for s in free if (s.name,) in named or (s.schema, s.name) in named]


def schema_ddl(
    catalog: Catalog,
    options: DdlOptions | None = None,
    tables: Iterable[Table] | None = None,
    after_create: Iterable[str] = (),
) -> str:
    """The DDL of many relations (default: all the catalog's) that applies to an empty database.

    Order: standalone sequences; every table's `create` phase (parents before partitions and
    inheritors), then every table's `keys` (a partition is attached once its own keys and
    indexes exist, so it adopts them), `triggers`, `foreign_keys`; then views in dependency
    order; then RLS, policies and grants, last because a policy may query any relation.
    `after_create` statements run once every table exists, before its keys (functions whose
    arguments or result are a table's row type).
    """
    options = options or DdlOptions()
    chosen = list(catalog.tables if tables is None else tables)
    plain = [t for t in chosen if not t.is_view and t.kind != "foreign table"]
    parents = {t.qualified_name: set(parent_names(t)) for t in plain}
    plain = topological(plain, parents)
    views = [t for t in chosen if t.is_view]
    views = topological(views, {v.qualified_name: direct_dependencies(v, catalog) for v in views})

    statements: list[str] = []
    for seq in _standalone_sequences(catalog, plain, every=tables is None):
        statements += sequence_statements(seq, catalog, options)
    sections = {t.qualified_name: table_sections(t, catalog, options) for t in plain}
    for phase in PHASES[:-1]:
        for table in plain:
            statements += sections[table.qualified_name][phase]
        if phase == "create":
            statements += after_create
    for table in chosen:
        if table.kind == "foreign table":
            statements += _foreign_table_statements(table)
    for view in views:
        statements += view_statements(view, catalog, options)
    for table in plain:
        statements += sections[table.qualified_name]["security"]
    return _join(statements)
