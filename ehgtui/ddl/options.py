"""What the caller may choose about the DDL: the switches pg_dump also offers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DdlOptions:
    """Switches for `table_ddl` and `schema_ddl`; the defaults suit a migration file."""

    owner: bool = False
    """Add `ALTER ... OWNER TO`: off by default, because migrations run as whoever applies them."""
    grants: bool = False
    """Add `GRANT`s (and the owner's `REVOKE`s): off by default, as Supabase grants by default."""
    if_not_exists: bool = False
    """Say `IF NOT EXISTS` wherever PostgreSQL accepts it (tables, sequences, indexes,
    materialized views), so the DDL can be re-run over an existing table."""
