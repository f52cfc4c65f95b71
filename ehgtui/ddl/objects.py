"""DDL of the objects that are not relations, laid out as pg_dump writes them.

Functions, procedures and aggregates, types (enum, domain, composite, range), sequences,
extensions, publications, schemas and default privileges. Each object's DDL is its CREATE,
then (when asked) `ALTER ... OWNER TO`, its `COMMENT ON`, then (when asked) the `REVOKE`s and
`GRANT`s that turn the privileges it gets by default into the ones it has.

A function's CREATE is `pg_get_functiondef()` as the catalog holds it (`CREATE OR REPLACE
FUNCTION ...`), the text a migration changing it starts from; pg_dump lays the same function
out in its own words, which mean the same and restore to the same catalog entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from ehgtui.catalog.model import (
    Catalog,
    DataType,
    DefaultPrivilege,
    Extension,
    Function,
    Publication,
    Schema,
    Sequence,
)
from ehgtui.ddl.access import (
    MAINTAIN_SINCE,
    SEQUENCE_PRIVILEGES,
    TABLE_PRIVILEGES,
    acl_change_statements,
    sequence_grant_statements,
)
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.ddl.sequences import create_sequence, owned_by, sequence_comment, sequence_owner

SchemaObject = Function | DataType | Sequence | Extension | Publication | Schema | DefaultPrivilege
"""Everything `object_ddl` renders."""

FUNCTION_KEYWORDS = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}
"""The word ALTER/COMMENT ON/GRANT use for each function kind; the rest are FUNCTIONs."""

PUBLIC_SCHEMA_ACL = ("pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner")
"""What `public` holds in a new database (PostgreSQL 15+, pg_init_privs): pg_dump's base."""

PUBLIC_SCHEMA_COMMENT = "standard public schema"
"""`public`'s comment in a new database, which pg_dump leaves out."""

PUBLIC_SCHEMA_OWNER = "pg_database_owner"
"""`public`'s owner in a new database (PostgreSQL 15+)."""


def function_keyword(function: Function) -> str:
    """`FUNCTION`, `PROCEDURE` or `AGGREGATE`."""
    return FUNCTION_KEYWORDS.get(function.kind, "FUNCTION")


def function_target(function: Function) -> str:
    """`FUNCTION schema.name(identity arguments)`: how ALTER, COMMENT and GRANT name it."""
    arguments = function.identity_arguments
    if function.kind == "aggregate" and not arguments:
        arguments = "*"
    name = qualified(function.schema, function.name)
    return f"{function_keyword(function)} {name}({arguments})"


def create_function(function: Function) -> str:
    """The function's CREATE: pg_get_functiondef() (or the CREATE AGGREGATE), with its `;`."""
    text = function.definition.rstrip()
    return text if text.endswith(";") else text + ";"


def _comment(target: str, comment: str | None) -> list[str]:
    return [] if comment is None else [f"COMMENT ON {target} IS {quote_literal(comment)};"]


def _owner(target: str, owner: str) -> str:
    return f"ALTER {target} OWNER TO {quote_ident(owner)};"


def function_statements(function: Function, options: DdlOptions) -> list[str]:
    """CREATE, owner, comment, and EXECUTE grants of a function, procedure or aggregate."""
    target = function_target(function)
    statements = [create_function(function)]
    if options.owner:
        statements.append(_owner(target, function.owner))
    statements += _comment(target, function.comment)
    if options.grants:
        statements += function_grants(function, with_owner=options.owner)
    return statements


def function_grants(function: Function, *, with_owner: bool) -> list[str]:
    """`REVOKE`/`GRANT EXECUTE`: by default PUBLIC and the owner may execute it."""
    if not function.acl:
        return []
    # pg_dump grants on an aggregate as on a FUNCTION (GRANT has no AGGREGATE form)
    keyword = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    target = f"{keyword} {function_target(function).split(' ', 1)[1]}"
    owner = _acl_role(function.owner)
    base = (f"=X/{owner}", f"{owner}=X/{owner}")
    return acl_change_statements(
        target,
        function.acl,
        base,
        frozenset({"EXECUTE"}),
        skip=None if with_owner else function.owner,
    )


def _acl_role(role: str) -> str:
    """A role as aclitem text writes it (double-quoted when it holds odd characters)."""
    if role.replace("_", "a").isalnum():
        return role
    return '"' + role.replace('"', '""') + '"'


def _type_keyword(data_type: DataType) -> str:
    return "DOMAIN" if data_type.kind == "domain" else "TYPE"


def create_type(data_type: DataType) -> list[str]:
    """`CREATE TYPE` or `CREATE DOMAIN` as pg_dump writes it (a domain's NOT VALID checks follow
    as `ALTER DOMAIN ... ADD CONSTRAINT`, since CREATE DOMAIN cannot say NOT VALID)."""
    name = qualified(data_type.schema, data_type.name)
    if data_type.kind == "enum":
        labels = [f"    {quote_literal(label)}" for label in data_type.labels]
        return [f"CREATE TYPE {name} AS ENUM {_listed(labels)};"]
    if data_type.kind == "composite":
        attributes = [
            f"\t{quote_ident(a.name)} {a.data_type}"
            + (f" COLLATE {a.collation}" if a.collation else "")
            for a in data_type.attributes
        ]
        return [f"CREATE TYPE {name} AS {_listed(attributes)};"]
    if data_type.kind == "range":
        return [f"CREATE TYPE {name} AS RANGE (\n" + ",\n".join(_range_options(data_type)) + "\n);"]
    return _create_domain(name, data_type)


def _listed(lines: list[str]) -> str:
    """`(` and `)` on lines of their own around the lines, comma-separated (an empty list
    still gets both, as pg_dump writes an enum without labels)."""
    return "(\n" + "".join(line + ",\n" for line in lines)[:-2] + "\n)" if lines else "(\n)"


def _range_options(data_type: DataType) -> list[str]:
    """A range's options in pg_dump's order (dumpRangeType)."""
    options = [f"    subtype = {data_type.subtype}"]
    if data_type.multirange:
        options.append(f"    multirange_type_name = {data_type.multirange}")
    if data_type.subtype_opclass:
        options.append(f"    subtype_opclass = {data_type.subtype_opclass}")
    if data_type.collation:
        options.append(f"    collation = {data_type.collation}")
    if data_type.canonical:
        options.append(f"    canonical = {data_type.canonical}")
    if data_type.subtype_diff:
        options.append(f"    subtype_diff = {data_type.subtype_diff}")
    return options


def _create_domain(name: str, data_type: DataType) -> list[str]:
    """`CREATE DOMAIN name AS base [COLLATE] [NOT NULL] [DEFAULT]` and its valid checks."""
    head = f"CREATE DOMAIN {name} AS {data_type.base_type}"
    if data_type.collation:
        head += f" COLLATE {data_type.collation}"
    if data_type.not_null:
        head += " NOT NULL"
    if data_type.default is not None:
        head += f" DEFAULT {data_type.default}"
    checks = [
        f"\n\tCONSTRAINT {quote_ident(c.name)} {c.definition}"
        for c in data_type.constraints
        if c.validated
    ]
    statements = [head + "".join(checks) + ";"]
    for constraint in data_type.constraints:
        if not constraint.validated:
            statements.append(
                f"ALTER DOMAIN {name}\n    ADD CONSTRAINT {quote_ident(constraint.name)} "
                f"{constraint.definition};"
            )
    return statements


def type_statements(data_type: DataType, options: DdlOptions) -> list[str]:
    """CREATE, owner, comment and USAGE grants of an enum, domain, composite or range type."""
    target = f"{_type_keyword(data_type)} {qualified(data_type.schema, data_type.name)}"
    statements = create_type(data_type)
    if options.owner:
        statements.append(_owner(target, data_type.owner))
    statements += _comment(target, data_type.comment)
    if options.grants:
        statements += type_grants(data_type, with_owner=options.owner)
    return statements


def type_grants(data_type: DataType, *, with_owner: bool) -> list[str]:
    """`REVOKE`/`GRANT USAGE`: by default PUBLIC and the owner may use a type."""
    if not data_type.acl:
        return []
    # pg_dump grants on a domain as on a TYPE
    target = f"TYPE {qualified(data_type.schema, data_type.name)}"
    owner = data_type.owner
    role = _acl_role(owner)
    base = (f"=U/{role}", f"{role}=U/{role}")
    skip = None if with_owner else owner
    return acl_change_statements(target, data_type.acl, base, frozenset({"USAGE"}), skip=skip)


def sequence_statements(seq: Sequence, catalog: Catalog, options: DdlOptions) -> list[str]:
    """A sequence with every option, its owner, OWNED BY and grants, as pg_dump prints it.

    An identity column's sequence has no DDL of its own: it is part of its table's.
    """
    if seq.is_identity:
        column = f"{seq.owned_by_table}.{seq.owned_by_column}"
        return [f"-- {qualified(seq.schema, seq.name)} is the identity sequence of {column}."]
    statements = [create_sequence(seq, options)]
    if options.owner:
        statements.append(sequence_owner(seq))
    table = catalog.table(seq.owned_by_table) if seq.owned_by_table else None
    if table is not None:
        statements.append(owned_by(seq, table))
    statements += sequence_comment(seq)
    if options.grants:
        statements += sequence_grant_statements(seq, with_owner=options.owner)
    return statements


def extension_statements(extension: Extension) -> list[str]:
    """`CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA ...` and its comment, as pg_dump writes
    them (no version: the target installs its default one)."""
    name = quote_ident(extension.name)
    create = f"CREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA {quote_ident(extension.schema)};"
    return [create, *_comment(f"EXTENSION {name}", extension.comment)]


def publication_statements(
    publication: Publication, options: DdlOptions, tables: Iterable[str] | None = None
) -> list[str]:
    """`CREATE PUBLICATION`, then one `ADD TABLE ONLY` per table (with its column list and row
    filter) and one `ADD TABLES IN SCHEMA` per schema, as pg_dump writes them.

    `tables`, when given, are the `schema.table` names that exist where the DDL is applied:
    tables of the publication outside them are left out (so `ddl --all` applies).
    """
    name = quote_ident(publication.name)
    settings = [f"publish = '{', '.join(publication.operations)}'"]
    if publication.via_root:
        settings.append("publish_via_partition_root = true")
    every = " FOR ALL TABLES" if publication.all_tables else ""
    statements = [f"CREATE PUBLICATION {name}{every} WITH ({', '.join(settings)});"]
    if options.owner:
        statements.append(_owner(f"PUBLICATION {name}", publication.owner))
    statements += _comment(f"PUBLICATION {name}", publication.comment)
    known = None if tables is None else set(tables)
    for table in publication.tables:
        if known is not None and f"{table.schema}.{table.name}" not in known:
            continue
        member = f"ALTER PUBLICATION {name} ADD TABLE ONLY {qualified(table.schema, table.name)}"
        if table.columns:
            member += " (" + ", ".join(quote_ident(c) for c in table.columns) + ")"
        if table.row_filter is not None:
            member += f" WHERE ({table.row_filter})"
        statements.append(member + ";")
    for schema in publication.schemas:
        statements.append(f"ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {quote_ident(schema)};")
    return statements


def schema_statements(schema: Schema, options: DdlOptions) -> list[str]:
    """`CREATE SCHEMA` (not for `public`, which every database has), owner, comment, grants."""
    name = quote_ident(schema.name)
    is_public = schema.name == "public"
    statements = [] if is_public else [f"CREATE SCHEMA {name};"]
    if options.owner and not (is_public and schema.owner == PUBLIC_SCHEMA_OWNER):
        statements.append(_owner(f"SCHEMA {name}", schema.owner))
    if not (is_public and schema.comment == PUBLIC_SCHEMA_COMMENT):
        statements += _comment(f"SCHEMA {name}", schema.comment)
    if options.grants:
        statements += schema_grants(schema, with_owner=options.owner)
    return statements


def schema_grants(schema: Schema, *, with_owner: bool) -> list[str]:
    """`REVOKE`/`GRANT USAGE, CREATE`: by default only the owner has them (and, for `public`,
    PUBLIC has USAGE)."""
    if not schema.acl:
        return []
    owner = schema.owner
    role = _acl_role(owner)
    base = PUBLIC_SCHEMA_ACL if schema.name == "public" else (f"{role}=UC/{role}",)
    skip = None if with_owner else owner
    everything = frozenset({"USAGE", "CREATE"})
    target = f"SCHEMA {quote_ident(schema.name)}"
    return acl_change_statements(target, schema.acl, base, everything, skip=skip)


_DEFAULT_ACL_BASE = {
    "TABLES": "{role}=arwdDxt{maintain}/{role}",
    "SEQUENCES": "{role}=rwU/{role}",
    "FUNCTIONS": "=X/{role} {role}=X/{role}",
    "TYPES": "=U/{role} {role}=U/{role}",
    "SCHEMAS": "{role}=UC/{role}",
}
"""acldefault() per object type: what a role's new objects get without default privileges."""

_DEFAULT_ACL_EVERYTHING = {
    "SEQUENCES": SEQUENCE_PRIVILEGES,
    "FUNCTIONS": frozenset({"EXECUTE"}),
    "TYPES": frozenset({"USAGE"}),
    "SCHEMAS": frozenset({"USAGE", "CREATE"}),
}


def default_privilege_statements(default: DefaultPrivilege, catalog: Catalog) -> list[str]:
    """`ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] GRANT|REVOKE ...`, as pg_dump writes
    them: an entry for every schema changes the built-in defaults, one for a schema adds to
    nothing."""
    prefix = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote_ident(default.role)} "
    if default.schema is not None:
        prefix += f"IN SCHEMA {quote_ident(default.schema)} "
        base: tuple[str, ...] = ()
    else:
        maintain = "m" if catalog.server.version_num >= MAINTAIN_SINCE else ""
        role = _acl_role(default.role)
        pattern = _DEFAULT_ACL_BASE.get(default.object_type, "")
        base = tuple(pattern.format(role=role, maintain=maintain).split())
    table_all = TABLE_PRIVILEGES + (
        ("MAINTAIN",) if catalog.server.version_num >= MAINTAIN_SINCE else ()
    )
    everything = _DEFAULT_ACL_EVERYTHING.get(default.object_type, frozenset(table_all))
    return acl_change_statements(default.object_type, default.acl, base, everything, prefix=prefix)


def object_statements(catalog: Catalog, obj: SchemaObject, options: DdlOptions) -> list[str]:
    """The statements of one object that is not a relation."""
    if isinstance(obj, Function):
        return function_statements(obj, options)
    if isinstance(obj, DataType):
        return type_statements(obj, options)
    if isinstance(obj, Sequence):
        return sequence_statements(obj, catalog, options)
    if isinstance(obj, Extension):
        return extension_statements(obj)
    if isinstance(obj, Publication):
        return publication_statements(obj, options)
    if isinstance(obj, Schema):
        return schema_statements(obj, options)
    return default_privilege_statements(obj, catalog)


def object_ddl(
    catalog: Catalog, obj: SchemaObject, *, owner: bool = False, grants: bool = False
) -> str:
    """The DDL of a function, type, sequence, extension, publication, schema or default
    privilege: statements separated by blank lines, ending with a newline."""
    statements = object_statements(catalog, obj, DdlOptions(owner=owner, grants=grants))
    text = "\n\n".join(statements)
    return text + "\n" if text else ""
