"""The whole schema set's DDL, in an order that applies to an empty database holding only roles.

Order, as pg_dump's: schemas, extensions, types, functions (with `check_function_bodies`
off, so a body may name what comes later), then the relations (`schema_ddl`: sequences,
tables, views in dependency order, constraints, indexes, triggers, foreign keys, RLS, policies,
grants), publications, and default privileges last (they would change the privileges of
every object created after them).

Some objects need something that sorts later, and are moved to just after it: a type whose
default, checks or range functions name one of the catalog's functions comes after the
functions; a function whose arguments or result name a table's row type, or whose body is
SQL-standard (`BEGIN ATOMIC`, parsed at creation), comes after the tables (before views).
Not handled: an argument default calling a function that sorts later, a composite type with
a table's row type as an attribute.
"""

from __future__ import annotations

from collections.abc import Iterable

from ehgtui.catalog.model import Catalog, DataType, Function
from ehgtui.ddl.objects import (
    default_privilege_statements,
    extension_statements,
    function_statements,
    publication_statements,
    schema_statements,
    type_statements,
)
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.order import referenced_names, relations_named_in, topological
from ehgtui.ddl.render import schema_ddl

PREAMBLE = (
    "SET check_function_bodies = false;",
    "SELECT pg_catalog.set_config('search_path', '', false);",
)
"""What pg_dump sets first: function bodies are not checked until they run, and an empty
search_path, so that the script means the same whatever the session's path: every name in it
is schema-qualified (the catalog's texts are printed under the same empty path)."""


def _type_texts(data_type: DataType) -> list[str]:
    """The SQL texts of a type that may name other types or functions."""
    texts = [data_type.base_type or "", data_type.subtype or "", data_type.default or ""]
    texts += [a.data_type for a in data_type.attributes]
    texts += [c.definition for c in data_type.constraints]
    texts += [data_type.canonical or "", data_type.subtype_diff or ""]
    return texts


def _names_in(texts: Iterable[str], known: dict[str, str], schemas: tuple[str, ...]) -> set[str]:
    """The keys of `known` (by `schema.name`) that the texts name, bare names resolved through
    the loaded schemas in order, as the loader's search_path printed them."""
    found: set[str] = set()
    for text in texts:
        for chain in referenced_names(text):
            if len(chain) >= 2 and f"{chain[-2]}.{chain[-1]}" in known:
                found.add(f"{chain[-2]}.{chain[-1]}")
            elif len(chain) == 1:
                found.update(f"{s}.{chain[0]}" for s in schemas if f"{s}.{chain[0]}" in known)
    return found


def _ordered_types(catalog: Catalog) -> tuple[list[DataType], list[DataType]]:
    """The types in dependency order: those that need none of the catalog's functions, and
    those that do (created after the functions)."""
    by_name = {t.qualified_name: t.qualified_name for t in catalog.types}
    function_names = {f.qualified_name: f.qualified_name for f in catalog.functions}
    edges = {
        t.qualified_name: _names_in(_type_texts(t), by_name, catalog.schemas) for t in catalog.types
    }
    ordered = topological(catalog.types, edges)
    late = {
        t.qualified_name
        for t in ordered
        if _names_in(_type_texts(t), function_names, catalog.schemas)
    }
    # a type that needs a late type is late too
    for data_type in ordered:
        if edges[data_type.qualified_name] & late:
            late.add(data_type.qualified_name)
    early = [t for t in ordered if t.qualified_name not in late]
    return early, [t for t in ordered if t.qualified_name in late]


def _has_sql_standard_body(function: Function) -> bool:
    """True for `BEGIN ATOMIC ... END` or `RETURN ...` bodies: the server parses those when it
    creates the function, whatever `check_function_bodies` says, so what they name must exist.
    (pg_get_functiondef prints every other body after `AS`.)"""
    return function.kind != "aggregate" and "\nAS " not in function.definition


def _needs_table(function: Function, catalog: Catalog) -> bool:
    """True when the function's arguments or result name one of the catalog's relations, or
    its body is parsed at creation (a SQL-standard body may query any table)."""
    signature = f"{function.arguments} {function.result or ''}"
    return _has_sql_standard_body(function) or bool(relations_named_in(signature, catalog))


def _ordered_functions(catalog: Catalog) -> tuple[list[Function], list[Function]]:
    """Functions before the aggregates built on them; and those needing a table, for later."""
    late = [f for f in catalog.functions if _needs_table(f, catalog)]
    early = [f for f in catalog.functions if f not in late]
    by_kind = sorted(early, key=lambda f: f.kind == "aggregate")
    return by_kind, sorted(late, key=lambda f: f.kind == "aggregate")


def database_statements(catalog: Catalog, options: DdlOptions) -> list[str]:
    """Every statement of the whole schema set, in an order that applies to an empty database
    holding only the roles (see the module doc)."""
    statements = list(PREAMBLE)
    for schema in catalog.schema_objects:
        statements += schema_statements(schema, options)
    for extension in catalog.extensions:
        statements += extension_statements(extension)
    early_types, late_types = _ordered_types(catalog)
    for data_type in early_types:
        statements += type_statements(data_type, options)
    early_functions, late_functions = _ordered_functions(catalog)
    for function in early_functions:
        statements += function_statements(function, options)
    for data_type in late_types:
        statements += type_statements(data_type, options)
    after_tables = [s for f in late_functions for s in function_statements(f, options)]
    statements.append(schema_ddl(catalog, options, after_create=after_tables).rstrip("\n"))
    tables = [t.qualified_name for t in catalog.tables]
    for publication in catalog.publications:
        statements += publication_statements(publication, options, tables)
    if options.grants:
        for default in catalog.default_privileges:
            statements += default_privilege_statements(default, catalog)
    return [s for s in statements if s]


def database_ddl(catalog: Catalog, options: DdlOptions | None = None) -> str:
    """The whole schema set's DDL (see the module doc), ending with a newline."""
    return "\n\n".join(database_statements(catalog, options or DdlOptions())) + "\n"
