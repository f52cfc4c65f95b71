"""What every handler writing statements needs: both catalogs, the options, the output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified
from ehgtui.migrate.plan import Hazard, HazardKind, Migration, Phase


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
    extra_hazards: tuple[Hazard, ...] = ()
    """Added to every statement while `hazards` (or `recreating`) is in force."""
    renamed_tables: dict[str, str] = field(default_factory=dict)
    """A's qualified name -> B's, for every relation the migration renames."""
    renamed_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """A's qualified table name -> {A's column name: B's} for the columns renamed."""
    in_the_way: set[tuple[str, str, str]] = field(default_factory=set)
    """`(object_type, A's table, A's name)` of the parts another change needs gone first:
    dropped and created again, never altered in place (see `dependents.py`)."""
    object_dependents: list[tuple[str, Table, str, str]] = field(default_factory=list)
    """`(object_type, A's table, A's name, why)` of the triggers, policies, checks and indexes
    using a function or type the migration drops and creates again (`users.py`): they join
    `in_the_way` when the relations are written."""
    views_in_the_way: set[str] = field(default_factory=set)
    """A's views using such a function or type: rebuilt."""
    retyped_columns: set[tuple[str, str]] = field(default_factory=set)
    """`(A's table, column)` converted to a type made again: what reads them makes way."""

    @property
    def ddl_options(self) -> DdlOptions:
        return DdlOptions(owner=self.options.owners, grants=True)

    def add(self, phase: Phase, sql: str, *hazards: Hazard, target: str = "") -> None:
        self.out.add(phase, sql, *hazards, *self.extra_hazards, target=target)

    @contextmanager
    def hazards(self, *hazards: Hazard) -> Iterator[None]:
        """Statements added meanwhile carry `hazards` as well as their own."""
        saved = self.extra_hazards
        self.extra_hazards = (*saved, *hazards)
        try:
            yield
        finally:
            self.extra_hazards = saved

    @contextmanager
    def recreating(self, what: str) -> Iterator[None]:
        """Statements added meanwhile create `what` again after a drop that loses its data.

        They carry that drop's data-loss hazard, so that without `--allow-data-loss` they are
        held back with it: run alone, they would fail on the object still there.
        """
        hazard = Hazard(
            HazardKind.DATA_LOSS,
            f"creates {what} again after the drop above, empty: held back with the drop",
        )
        with self.hazards(hazard):
            yield

    def note(self, text: str) -> None:
        if text not in self.out.notes:
            self.out.notes.append(text)


def name_of(table: Table) -> str:
    """The quoted `schema.table`."""
    return qualified(table.schema, table.name)
