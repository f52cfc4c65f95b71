"""What every handler writing statements needs: both catalogs, the options, the output."""

from __future__ import annotations

from dataclasses import dataclass, field

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified
from ehgtui.migrate.plan import Hazard, Migration, Phase


@dataclass(frozen=True, slots=True)
class MigrationOptions:
    """Switches of `ehgtui diff --sql`."""

    concurrently: bool = False
    """Create (and drop) plain indexes CONCURRENTLY, after the transaction."""
    owners: bool = False
    """Write `OWNER TO` for tables whose owner differs (off: migrations run as their owner)."""
    renames: tuple[tuple[str, str], ...] = ()
    """`(old, new)` pairs the user says are renames (`--rename old=new`)."""


@dataclass
class Context:
    """Side A (the database the SQL runs on), side B (what it should become), the output."""

    a: Catalog
    b: Catalog
    options: MigrationOptions
    out: Migration = field(default_factory=Migration)
    rebuilt_views: set[str] = field(default_factory=set)
    """Views dropped and created again from B: their own changes need no other statement."""

    @property
    def ddl_options(self) -> DdlOptions:
        return DdlOptions(owner=self.options.owners, grants=True)

    def add(self, phase: Phase, sql: str, *hazards: Hazard, target: str = "") -> None:
        self.out.add(phase, sql, *hazards, target=target)

    def note(self, text: str) -> None:
        if text not in self.out.notes:
            self.out.notes.append(text)


def name_of(table: Table) -> str:
    """The quoted `schema.table`."""
    return qualified(table.schema, table.name)
