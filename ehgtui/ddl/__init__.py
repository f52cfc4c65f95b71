"""DDL from the catalog model: pure functions, no I/O, no Textual or Rich.

Public API (everything a caller needs; the submodules are details):

- `table_ddl(table: Table, catalog: Catalog, options: DdlOptions | None = None) -> str`:
  one relation's complete DDL (table, partition, view, materialized view) in pg_dump's order.
- `schema_ddl(catalog: Catalog, options: DdlOptions | None = None,
  tables: Iterable[Table] | None = None) -> str`: many relations (default: the whole catalog)
  in an order that applies cleanly to a database holding only roles, types and functions.
- `dependencies(table: Table, catalog: Catalog) -> list[Table]`: the relations `table` needs
  first (parents, foreign-key targets, relations named in its policies or view query), in
  creation order: `schema_ddl(catalog, tables=dependencies(t, catalog)) + table_ddl(t, catalog)`
  applies to such a database.
- `object_ddl(catalog: Catalog, obj: Function | DataType | Sequence | Extension | Publication
  | Schema | DefaultPrivilege, *, owner=False, grants=False) -> str`: one object that is not a
  relation, as pg_dump writes it (a function as `pg_get_functiondef()` prints it).
- `database_ddl(catalog: Catalog, options: DdlOptions | None = None) -> str`: the whole schema
  set (schemas, extensions, types, functions, relations, publications, default privileges)
  in an order that applies to an empty database holding only the roles.
- `DdlOptions(owner=False, grants=False, if_not_exists=False)`.
- `new_migration(name: str, like: Table, catalog: Catalog, pattern: str = DEFAULT_PATTERN,
  now: datetime | None = None) -> tuple[str, str]`: (file name `YYYYMMDDHHMMSS_create_<table>.sql`,
  SQL) of a new table following the database README's five required elements.
  `RLS_PATTERNS` maps each pattern name to a description; `MigrationError` (a ValueError)
  says why a template cannot be made.
- `quote_ident(name: str) -> str`: PostgreSQL's identifier quoting.

Expressions inside the DDL (column types, defaults, checks, keys, triggers, indexes, view
queries, policy conditions) are exactly what `format_type()` and `pg_get_*()` printed when the
catalog was loaded, under an empty search_path as pg_dump prints them, so every name outside
`pg_catalog` is schema-qualified: the DDL applies whatever the search_path it runs under.
"""

from ehgtui.ddl.database import database_ddl
from ehgtui.ddl.migration import DEFAULT_PATTERN, RLS_PATTERNS, MigrationError, new_migration
from ehgtui.ddl.objects import SchemaObject, object_ddl
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.order import dependencies
from ehgtui.ddl.quote import quote_ident
from ehgtui.ddl.render import schema_ddl, table_ddl

__all__ = [
    "DEFAULT_PATTERN",
    "RLS_PATTERNS",
    "DdlOptions",
    "MigrationError",
    "SchemaObject",
    "database_ddl",
    "dependencies",
    "new_migration",
    "object_ddl",
    "quote_ident",
    "schema_ddl",
    "table_ddl",
]
