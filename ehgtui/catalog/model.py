"""The catalog model: plain, immutable, JSON-able records with no live handles.

Everything the explorer, the DDL renderer, the checks and the docs need about one or more
schemas is here, loaded once in bulk (see `loader.py`). Names are unquoted; SQL texts
(defaults, definitions, expressions) are exactly what PostgreSQL's `pg_get_*` functions print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import msgspec


class Record(msgspec.Struct, frozen=True, gc=False):
    """Base of the model classes: an immutable record, compared and hashed by value.

    msgspec Structs rather than dataclasses because a catalog is hundreds of thousands of
    them, made on every load and every start from the cache: a Struct is built in C (a
    dataclass runs a Python `__init__`), and msgspec decodes the cache straight into them in
    about two thirds of the time. `gc=False` keeps them out of the cycle collector, which
    would otherwise walk every one of them on each full collection: a record only holds
    strings, numbers and tuples of other records, made before it, so it can never be part of
    a reference cycle.
    Change one with `msgspec.structs.replace`. (Subclasses repeat `frozen=True` for the type
    checker; msgspec inherits it anyway.)
    """


TableKind = str
"""One of: `table`, `partitioned table`, `view`, `materialized view`, `foreign table`."""

TABLE_KINDS: dict[str, TableKind] = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}
"""pg_class.relkind to our kind name."""

VIEW_KINDS = ("view", "materialized view")
"""The kinds that are views: grouped apart from the tables."""


class RelationName(Record, frozen=True, array_like=True):
    """A table's or view's schema, name and kind, without the rest of it: what grouping the
    relations into domains needs. The catalog cache lists these apart (`[schema, name,
    kind]`), so that a lookup of one table need not decode the others."""

    schema: str
    name: str
    kind: TableKind
    references: tuple[str, ...] = ()
    """`Table.references`: the domain rules follow foreign keys."""

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def is_view(self) -> bool:
        return self.kind in VIEW_KINDS


class Column(Record, frozen=True):
    """One column of a table or view."""

    name: str
    position: int
    """attnum: the column's position, counting dropped columns."""
    data_type: str
    """format_type(): the full type, e.g. `character varying(40)`, `sd_status[]`."""
    type_schema: str
    """Schema of the column's type (of the element type for arrays)."""
    type_kind: str
    """`base`, `enum`, `domain`, `composite`, `range`, `multirange`, `pseudo`."""
    element_type: str | None
    """For arrays, format_type() of the element type; otherwise None."""
    enum_values: tuple[str, ...]
    """Labels of the enum (or of the array's enum element type), in sort order."""
    not_null: bool
    default: str | None
    """The default expression (not for identity or generated columns)."""
    identity: str | None
    """`ALWAYS` or `BY DEFAULT` for identity columns."""
    generated: str | None
    """The generation expression of a generated column."""
    generated_kind: str | None
    """`STORED` or `VIRTUAL` (PostgreSQL 18) for generated columns."""
    collation: str | None
    """The column's collation when it differs from its type's default, quoted as needed."""
    storage: str | None
    """`PLAIN`/`EXTERNAL`/`EXTENDED`/`MAIN` when it differs from the type's default."""
    comment: str | None
    is_local: bool = True
    """False when the column is inherited from a parent table only."""
    not_null_name: str | None = None
    """PostgreSQL 18+: the name of the column's NOT NULL constraint (None before 18)."""
    acl: tuple[str, ...] = ()
    """Column-level grants as PostgreSQL prints aclitems, e.g. `authenticated=w/postgres`."""


class Constraint(Record, frozen=True):
    """A table constraint: primary key, unique, check, foreign key, exclusion, (PG18) not null."""

    name: str
    kind: str
    """`PRIMARY KEY`, `UNIQUE`, `CHECK`, `FOREIGN KEY`, `EXCLUDE`, `NOT NULL`, `TRIGGER`."""
    definition: str
    """pg_get_constraintdef(), e.g. `FOREIGN KEY (sd_id) REFERENCES ... ON DELETE CASCADE`."""
    columns: tuple[str, ...]
    deferrable: bool
    deferred: bool
    validated: bool
    """False for constraints added NOT VALID."""
    is_local: bool
    """False when the constraint only exists through inheritance/partitioning."""
    index_name: str | None = None
    """The index backing a primary key, unique or exclusion constraint."""
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()
    on_update: str | None = None
    """FK action on update: NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT."""
    on_delete: str | None = None
    match: str | None = None
    """FK match type: SIMPLE, FULL or PARTIAL."""
    comment: str | None = None
    index_options: str | None = None
    """A primary key's or unique constraint's storage parameters (`fillfactor='90'`), which
    `definition` leaves out; None when it has none."""


class Index(Record, frozen=True):
    """An index on a table or materialized view."""

    name: str
    definition: str
    """pg_get_indexdef(): a complete CREATE INDEX statement."""
    columns: tuple[str, ...]
    """Key column names; expression keys appear as their expression text."""
    is_unique: bool
    is_primary: bool
    constraint_name: str | None
    """The constraint this index backs (PK, unique, exclusion), if any."""
    predicate: str | None
    """The WHERE clause of a partial index."""
    method: str
    size_bytes: int
    is_valid: bool = True
    is_inherited: bool = False
    """True for a partition's index attached to a parent partitioned index."""
    is_replica_identity: bool = False
    """True for the index named by `REPLICA IDENTITY USING INDEX` (pg_index.indisreplident)."""
    comment: str | None = None


class Policy(Record, frozen=True):
    """A row-level security policy."""

    name: str
    command: str
    """`ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`."""
    roles: tuple[str, ...]
    """Role names; `public` means every role."""
    permissive: bool
    using: str | None
    with_check: str | None
    comment: str | None = None


class Trigger(Record, frozen=True):
    """A user trigger (internal triggers, e.g. for FKs, are left out)."""

    name: str
    timing: str
    """`BEFORE`, `AFTER` or `INSTEAD OF`."""
    events: tuple[str, ...]
    """`INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`."""
    update_columns: tuple[str, ...]
    """Columns of `UPDATE OF ...`, if any."""
    for_each: str
    """`ROW` or `STATEMENT`."""
    function: str
    """The trigger function, schema-qualified, e.g. `public.update_updated_at_column`."""
    arguments: tuple[str, ...]
    when: str | None
    enabled: str
    """`ENABLED`, `DISABLED`, `REPLICA` or `ALWAYS` (pg_trigger.tgenabled)."""
    definition: str
    """pg_get_triggerdef(): a complete CREATE TRIGGER statement."""
    is_inherited: bool = False
    """True for a partition's clone of its parent's trigger."""
    comment: str | None = None


class Privilege(Record, frozen=True):
    """One privilege granted on a table."""

    grantee: str
    """Role name; `PUBLIC` for grants to everyone."""
    privilege: str
    """`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, ..."""
    grantable: bool
    grantor: str


class Sequence(Record, frozen=True):
    """A sequence, with the column that owns it when there is one."""

    schema: str
    name: str
    data_type: str
    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int
    cycle: bool
    owner: str
    owned_by_table: str | None
    """`schema.table` of the owning column's table, unquoted."""
    owned_by_column: str | None
    is_identity: bool
    """True when the sequence belongs to an identity column (pg_dump prints it inline)."""
    unlogged: bool = False
    """True for an UNLOGGED sequence (PostgreSQL 15+; e.g. the serial of an unlogged table)."""
    acl: tuple[str, ...] = ()
    """Grants on the sequence as PostgreSQL prints aclitems; empty means the defaults."""
    comment: str | None = None


class ForeignKeyRef(Record, frozen=True):
    """A foreign key of another table pointing at this one ("referenced by")."""

    schema: str
    table: str
    constraint_name: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str


class Table(Record, frozen=True):
    """A relation with columns: table, partitioned table, view, materialized view, foreign table."""

    oid: int
    schema: str
    name: str
    kind: TableKind
    owner: str
    comment: str | None
    rls_enabled: bool
    rls_forced: bool
    row_estimate: int
    """pg_class.reltuples; -1 when the table was never analysed."""
    size_bytes: int
    """Total size: table, indexes and TOAST."""
    persistence: str
    """`permanent`, `unlogged` or `temporary`."""
    replica_identity: str
    """`DEFAULT`, `NOTHING`, `FULL` or `INDEX`."""
    options: tuple[str, ...]
    """Storage parameters (reloptions), e.g. `fillfactor=70`."""
    partition_key: str | None
    """pg_get_partkeydef() of a partitioned table, e.g. `RANGE (created_at)`."""
    partition_of: str | None
    """`schema.table` of the parent when this table is a partition."""
    partition_bound: str | None
    """e.g. `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`."""
    inherits: tuple[str, ...]
    """`schema.table` of each parent when inheriting (not partitioning)."""
    view_definition: str | None
    """pg_get_viewdef() of a view or materialized view."""
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    policies: tuple[Policy, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    privileges: tuple[Privilege, ...] = ()
    referenced_by: tuple[ForeignKeyRef, ...] = ()

    @property
    def qualified_name(self) -> str:
        """`schema.name`, unquoted: the key the catalog uses."""
        return f"{self.schema}.{self.name}"

    @property
    def is_view(self) -> bool:
        return self.kind in VIEW_KINDS

    @property
    def primary_key(self) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == "PRIMARY KEY"), None)

    @property
    def foreign_keys(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.kind == "FOREIGN KEY")

    @property
    def references(self) -> tuple[str, ...]:
        """`schema.table` that each foreign key points at, in constraint order (repeated
        when several keys point at one table)."""
        return tuple(
            f"{c.ref_schema}.{c.ref_table}"
            for c in self.constraints
            if c.kind == "FOREIGN KEY" and c.ref_table is not None
        )

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


class ObjectUse(Record, frozen=True):
    """Something that uses a function or a type, as the server records it (pg_depend, tgfoid).

    Calls made from inside a PL/pgSQL (or other procedural) body are NOT recorded by the
    server: a function called only from another function's body has no use listed.
    """

    kind: str
    """`trigger`, `policy`, `view`, `default`, `check`, `column`, `function`, `domain`, `type`,
    `index` or `constraint`."""
    schema: str
    """Schema of the relation (or function or type) the user belongs to."""
    relation: str
    """The table or view (`trigger`, `policy`, `view`, `default`, `check`, `column`, `index`),
    the function's signature (`function`: `name(identity arguments)`) or the type's name."""
    name: str | None = None
    """The trigger, policy, column or constraint within `relation`; None for a whole view."""


class Function(Record, frozen=True):
    """A function, procedure or aggregate (members of extensions are left out, as pg_dump does)."""

    oid: int
    schema: str
    name: str
    kind: str
    """`function`, `procedure`, `aggregate` or `window` (pg_proc.prokind)."""
    identity_arguments: str
    """pg_get_function_identity_arguments(): what tells overloads apart, e.g. `p_id uuid`."""
    arguments: str
    """pg_get_function_arguments(): with defaults and OUT arguments."""
    result: str | None
    """pg_get_function_result(), e.g. `SETOF uuid`, `TABLE(id uuid)`; None for a procedure."""
    language: str
    volatility: str
    """`IMMUTABLE`, `STABLE` or `VOLATILE`."""
    strict: bool
    security_definer: bool
    leakproof: bool
    parallel: str
    """`SAFE`, `RESTRICTED` or `UNSAFE`."""
    config: tuple[str, ...]
    """pg_proc.proconfig, e.g. `search_path=public`; a SECURITY DEFINER function without a
    `search_path` entry runs with its caller's."""
    owner: str
    acl: tuple[str, ...]
    """EXECUTE grants as aclitems (`anon=X/postgres`); empty means the default: PUBLIC may
    execute it."""
    comment: str | None
    definition: str
    """pg_get_functiondef() (`CREATE OR REPLACE FUNCTION ...`); for an aggregate, the
    `CREATE AGGREGATE` statement made from pg_aggregate (pg_get_functiondef refuses those)."""
    used_by: tuple[ObjectUse, ...] = ()
    """Triggers, policies, views, defaults, checks and functions using it (see ObjectUse)."""

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def signature(self) -> str:
        """`schema.name(identity arguments)`, unquoted: the key the catalog uses."""
        return f"{self.schema}.{self.name}({self.identity_arguments})"

    @property
    def search_path(self) -> str | None:
        """The `search_path` it sets for itself (`SET search_path ...`), or None."""
        for item in self.config:
            if item.startswith("search_path="):
                return item.split("=", 1)[1]
        return None


class DomainConstraint(Record, frozen=True):
    """A CHECK (or, PostgreSQL 17+, NOT NULL) constraint of a domain."""

    name: str
    definition: str
    """pg_get_constraintdef(), e.g. `CHECK (VALUE > 0)`."""
    validated: bool = True


class TypeAttribute(Record, frozen=True):
    """One attribute of a composite type."""

    name: str
    data_type: str
    collation: str | None = None
    """Quoted as needed, only when it differs from the attribute type's default."""


class DataType(Record, frozen=True):
    """A user-defined type: enum, domain, composite or range (extension members left out)."""

    oid: int
    schema: str
    name: str
    kind: str
    """`enum`, `domain`, `composite` or `range`."""
    owner: str
    comment: str | None
    acl: tuple[str, ...] = ()
    """USAGE grants as aclitems; empty means the defaults."""
    labels: tuple[str, ...] = ()
    """An enum's labels, in their sort order."""
    base_type: str | None = None
    """A domain's underlying type (format_type)."""
    default: str | None = None
    """A domain's default expression."""
    not_null: bool = False
    """A domain declared NOT NULL."""
    collation: str | None = None
    """A domain's or range's collation when set explicitly, quoted as needed."""
    constraints: tuple[DomainConstraint, ...] = ()
    """A domain's constraints, by name."""
    attributes: tuple[TypeAttribute, ...] = ()
    """A composite type's attributes, in order."""
    subtype: str | None = None
    """A range's subtype."""
    subtype_opclass: str | None = None
    """A range's subtype operator class when not the subtype's default (`schema.name`)."""
    canonical: str | None = None
    subtype_diff: str | None = None
    multirange: str | None = None
    """A range's multirange type, `schema.name` quoted as needed."""
    used_by: tuple[ObjectUse, ...] = ()
    """Columns, functions, domains and other types using it."""

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


class Extension(Record, frozen=True):
    """An installed extension (those created by initdb, such as plpgsql, are left out)."""

    name: str
    schema: str
    version: str
    """The installed version."""
    default_version: str | None
    """The version `CREATE EXTENSION` would install now (pg_available_extensions)."""
    owner: str
    comment: str | None
    relocatable: bool = False


class PublicationTable(Record, frozen=True):
    """A table of a publication, with its column list and row filter (PostgreSQL 15+)."""

    schema: str
    name: str
    columns: tuple[str, ...] = ()
    """The published columns; empty means all of them."""
    row_filter: str | None = None
    """The `WHERE (...)` condition, as pg_get_expr() prints it."""


class Publication(Record, frozen=True):
    """A logical replication publication, such as Supabase's `supabase_realtime`."""

    name: str
    owner: str
    all_tables: bool
    insert: bool
    update: bool
    delete: bool
    truncate: bool
    via_root: bool
    comment: str | None
    tables: tuple[PublicationTable, ...] = ()
    """By schema and name."""
    schemas: tuple[str, ...] = ()
    """`TABLES IN SCHEMA ...` (PostgreSQL 15+)."""

    @property
    def operations(self) -> tuple[str, ...]:
        """The published operations, in `publish = '...'` order."""
        flags = (
            ("insert", self.insert),
            ("update", self.update),
            ("delete", self.delete),
            ("truncate", self.truncate),
        )
        return tuple(name for name, on in flags if on)


class Schema(Record, frozen=True):
    """A schema (namespace) of the database, other than the system ones."""

    name: str
    owner: str
    comment: str | None
    acl: tuple[str, ...] = ()
    """USAGE/CREATE grants as aclitems; empty means the defaults."""


class DefaultPrivilege(Record, frozen=True):
    """`ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] GRANT ...` (pg_default_acl)."""

    role: str
    schema: str | None
    """None: for objects made in any schema."""
    object_type: str
    """`TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`."""
    acl: tuple[str, ...]
    """The aclitems objects of that kind get (replacing the built-in defaults)."""


class ServerInfo(Record, frozen=True):
    """What the server said about itself when the catalog was loaded."""

    version: str
    """e.g. `18.1`."""
    version_num: int
    """server_version_num, e.g. 180001."""
    database: str
    current_user: str
    read_only: bool
    """True when the session's transactions default to read-only."""


@dataclass(frozen=True, repr=False)
class Catalog:
    """Everything loaded for a set of schemas, at one moment.

    Its repr is a one-line summary: the full one runs to megabytes, and CPython formats it
    where nobody reads it (asyncio's SIGINT handler holds the task whose result it is, and
    `signal.getsignal` formats that handler on every `asyncio.run`: 0.1 s on the demo).
    """

    server: ServerInfo
    schemas: tuple[str, ...]
    """The schemas that were loaded, in the order asked for."""
    tables: tuple[Table, ...]
    sequences: tuple[Sequence, ...] = ()
    functions: tuple[Function, ...] = ()
    """Functions, procedures and aggregates of the loaded schemas, by schema, name, arguments."""
    types: tuple[DataType, ...] = ()
    """Enums, domains, composite and range types of the loaded schemas, by schema and name."""
    extensions: tuple[Extension, ...] = ()
    """Every extension of the database (whatever its schema), by name."""
    publications: tuple[Publication, ...] = ()
    """Every publication of the database, by name (tables outside the loaded schemas too)."""
    schema_objects: tuple[Schema, ...] = ()
    """Every non-system schema of the database, by name."""
    default_privileges: tuple[DefaultPrivilege, ...] = ()
    """Every pg_default_acl entry, by role, schema and object type."""
    loaded_at: float = 0.0
    """Unix time of the load."""
    query_count: int = 0
    """How many SQL statements the load sent (a constant: see `queries.py`)."""
    names_qualified: bool = True
    """The server's texts (types, defaults, checks, keys, triggers, indexes, policies, views,
    function signatures) name every object outside pg_catalog with its schema, as pg_dump
    prints them (`db.pool.CATALOG_TRANSACTION`); False for a snapshot written before that
    (`diff/qualification.py`)."""

    if TYPE_CHECKING:  # for type checkers only: at run time it is no field (see __post_init__)
        _by_name: dict[str, Table] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # an index, not a field: never serialized, compared or shown
        by_name: dict[str, Table] = {t.qualified_name: t for t in self.tables}
        object.__setattr__(self, "_by_name", by_name)

    def __repr__(self) -> str:
        return (
            f"Catalog(schemas={self.schemas!r}, tables={len(self.tables)}, "
            f"sequences={len(self.sequences)}, loaded_at={self.loaded_at!r})"
        )

    def table(self, name: str) -> Table | None:
        """Find a table by `schema.name` or, within the loaded schemas in order, by bare name."""
        if name in self._by_name:
            return self._by_name[name]
        for schema in self.schemas:
            found = self._by_name.get(f"{schema}.{name}")
            if found is not None:
                return found
        return None

    @cached_property
    def functions_by_name(self) -> dict[str, tuple[Function, ...]]:
        """Functions by `schema.name` (several when overloaded), in argument order."""
        grouped: dict[str, list[Function]] = {}
        for function in self.functions:
            grouped.setdefault(function.qualified_name, []).append(function)
        return {k: tuple(v) for k, v in grouped.items()}

    def find_functions(self, name: str) -> tuple[Function, ...]:
        """Functions named `schema.name`, or by bare name within the loaded schemas in order."""
        found = self.functions_by_name.get(name)
        if found:
            return found
        for schema in self.schemas:
            found = self.functions_by_name.get(f"{schema}.{name}")
            if found:
                return found
        return ()

    def find_type(self, name: str) -> DataType | None:
        """A type by `schema.name` or, within the loaded schemas in order, by bare name."""
        by_name = {t.qualified_name: t for t in self.types}
        if name in by_name:
            return by_name[name]
        return next((by_name[k] for s in self.schemas if (k := f"{s}.{name}") in by_name), None)

    def find_sequence(self, name: str) -> Sequence | None:
        """A sequence by `schema.name` or, within the loaded schemas in order, by bare name."""
        by_name = {f"{s.schema}.{s.name}": s for s in self.sequences}
        if name in by_name:
            return by_name[name]
        return next((by_name[k] for s in self.schemas if (k := f"{s}.{name}") in by_name), None)

    @cached_property
    def partitions(self) -> dict[str, tuple[Table, ...]]:
        """A partitioned table's direct partitions (`schema.table` of the parent), by name."""
        grouped: dict[str, list[Table]] = {}
        for table in self.tables:
            if table.partition_of:
                grouped.setdefault(table.partition_of, []).append(table)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def publications_by_table(self) -> dict[str, tuple[str, ...]]:
        """The publications each loaded table is in (`schema.table` to names), as psql's
        `\\d+` lists them: named tables, `TABLES IN SCHEMA` and `FOR ALL TABLES`."""
        grouped: dict[str, list[str]] = {}
        named = [{f"{t.schema}.{t.name}" for t in pub.tables} for pub in self.publications]
        for table in self.tables:
            if table.is_view or table.kind == "foreign table":
                continue
            for pub, tables in zip(self.publications, named, strict=True):
                if pub.all_tables or table.qualified_name in tables or table.schema in pub.schemas:
                    grouped.setdefault(table.qualified_name, []).append(pub.name)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def sequences_by_table(self) -> dict[str, tuple[Sequence, ...]]:
        """Owned sequences grouped by the `schema.table` of their owning column."""
        grouped: dict[str, list[Sequence]] = {}
        for seq in self.sequences:
            if seq.owned_by_table:
                grouped.setdefault(seq.owned_by_table, []).append(seq)
        return {k: tuple(v) for k, v in grouped.items()}
