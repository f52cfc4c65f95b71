"""Migrations from a diff: the SQL that turns catalog A into catalog B, with its hazards.

Public API:

- `write_migration(diff, a, b, options=None) -> Migration`: the statements, by phase
  (`plan.Phase`), each with its hazards (`plan.Hazard`: data loss, rewrite or long lock,
  may fail on existing data, security).
- `render_sql(migration, header, allow_data_loss=False) -> str`: one transaction, hazards as
  comments above their statements, data-losing ones commented out unless allowed, what
  cannot run in a transaction (`CREATE INDEX CONCURRENTLY`) after it, and enum labels the
  transaction uses before it.
- `hazard_summary(migration, allow_data_loss=False) -> list[str]`: one line per hazard.
- `MigrationOptions(concurrently, owners, renames)`, `parse_rename`, `RenameError`.

A kind of object plugs in through `writer.KIND_WRITERS`: a part of a table through
`objects.OBJECT_HANDLERS`, any other object (function, type, sequence, extension,
publication, schema) through `kinds.KIND_HANDLERS`.
"""

from ehgtui.migrate.context import MigrationOptions
from ehgtui.migrate.plan import Hazard, HazardKind, Migration, Phase, Statement
from ehgtui.migrate.renames import RenameError, parse_rename
from ehgtui.migrate.render import hazard_summary, render_sql
from ehgtui.migrate.writer import write_migration

__all__ = [
    "Hazard",
    "HazardKind",
    "Migration",
    "MigrationOptions",
    "Phase",
    "RenameError",
    "Statement",
    "hazard_summary",
    "parse_rename",
    "render_sql",
    "write_migration",
]
