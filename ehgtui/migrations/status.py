"""Applied migrations (one read-only query) and their comparison with the local files."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ehgtui.db.read_only_session import read_only
from ehgtui.migrations.files import LocalMigration, LocalMigrations

HISTORY_TABLE = "supabase_migrations.schema_migrations"
"""Where the Supabase CLI records each migration it applied."""

APPLIED_SQL = """
SELECT m.version::text AS version, to_jsonb(m) ->> 'name' AS name
  FROM supabase_migrations.schema_migrations m
 ORDER BY m.version
"""
"""The whole history in one query; `name` read through jsonb as old CLIs had no such column."""

SHORT_VERSION_LENGTH = 8
"""database/migrations versions are dates (YYYYMMDD) rather than full timestamps."""


class MigrationsError(RuntimeError):
    """The migration history could not be read; the message is one line."""


class HistoryTableMissingError(MigrationsError):
    """The database has no `supabase_migrations.schema_migrations` table."""


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    """One row of the migration history."""

    version: str
    name: str | None


@dataclass(frozen=True, slots=True)
class MigrationEntry:
    """One line of the status: a migration, where it is known, and whether it is applied."""

    state: str
    """`applied` (in history and on disk), `pending` (on disk only), `missing` (history only)."""
    version: str
    name: str | None
    path: str | None
    """The local file, as found; None for a migration missing locally."""


@dataclass(frozen=True)
class MigrationStatus:
    """Applied, pending and missing-locally migrations, in version order."""

    entries: tuple[MigrationEntry, ...]
    ignored: tuple[str, ...]
    """`.sql` files whose names carry no version."""
    directories: tuple[str, ...]

    def with_state(self, state: str) -> list[MigrationEntry]:
        """The entries in one state."""
        return [e for e in self.entries if e.state == state]


async def fetch_applied(pool: asyncpg.Pool) -> list[AppliedMigration]:
    """Read the migration history in one read-only query, or raise a one-line error."""
    try:
        async with read_only(pool) as conn:
            rows = await conn.fetch(APPLIED_SQL)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        raise HistoryTableMissingError(
            f"{HISTORY_TABLE} does not exist: this database has no Supabase migration history"
        ) from None
    except asyncpg.PostgresError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MigrationsError(f"cannot read {HISTORY_TABLE}: {first}") from None
    return [AppliedMigration(r["version"], r["name"]) for r in rows]


def _match(local: LocalMigration, unmatched: dict[str, AppliedMigration]) -> str | None:
    """The applied version a local file corresponds to, if any.

    Same version first; a date-only version (database/migrations) matches an applied
    timestamp of that day with the same name.
    """
    if local.version in unmatched:
        return local.version
    if len(local.version) == SHORT_VERSION_LENGTH:
        for version, applied in unmatched.items():
            if version.startswith(local.version) and applied.name == local.name:
                return version
    return None


def compare(applied: list[AppliedMigration], local: LocalMigrations) -> MigrationStatus:
    """Pair history rows with files: applied, pending (file only), missing (history only)."""
    unmatched = {a.version: a for a in applied}
    entries: list[MigrationEntry] = []
    for migration in local.migrations:
        version = _match(migration, unmatched)
        if version is None:
            state = "pending"
        else:
            del unmatched[version]
            state = "applied"
        entries.append(
            MigrationEntry(state, version or migration.version, migration.name, str(migration.path))
        )
    entries += [MigrationEntry("missing", a.version, a.name, None) for a in unmatched.values()]
    entries.sort(key=lambda e: (e.version, e.name or "", e.path or ""))
    return MigrationStatus(
        tuple(entries),
        tuple(str(p) for p in local.ignored),
        tuple(str(d) for d in local.directories),
    )
