"""What a migration is made of: statements, each with its phase and its hazards.

The writer (`writer.py`) collects statements in any order; `Migration.statements` sorts them
by phase, keeping the order they were added in within a phase, which is what makes the whole
migration apply in one transaction: everything that goes away is dropped before anything it
blocks is changed, and everything new is created before what refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Phase(IntEnum):
    """When a statement runs, in this order."""

    BEFORE_TRANSACTION = 0
    """Enum labels added ahead of the transaction, because a statement in it uses them
    (PostgreSQL refuses a label in the transaction that added it)."""
    SETUP = 1
    """Settings for the transaction (function bodies not checked while functions are made)."""
    DROP_VIEWS = 2
    """Views removed, or rebuilt because they change or depend on a changing column."""
    DROP_DEPENDENTS = 3
    """Policies, triggers, defaults and foreign keys that are removed or recreated."""
    DROP_CONSTRAINTS = 4
    """Other constraints and indexes that are removed or recreated."""
    DROP_COLUMNS = 5
    DROP_TABLES = 6
    DROP_OBJECTS = 7
    """Functions and types dropped to be created again (a change no ALTER or CREATE OR
    REPLACE makes), once their dependents are gone."""
    RENAME = 8
    """Tables, then columns, constraints, indexes, policies and triggers renamed."""
    CREATE_OBJECTS = 9
    """Schemas, extensions, types, sequences and functions, each kind by dependency: before
    the tables, columns and defaults that use them."""
    CREATE_TABLES = 10
    COLUMNS = 11
    """Columns added and altered."""
    TABLE_OPTIONS = 12
    KEYS = 13
    """Primary keys, unique and check constraints, indexes."""
    FOREIGN_KEYS = 14
    TRIGGERS = 15
    CREATE_VIEWS = 16
    PUBLICATIONS = 17
    """Tables added to publications (once they exist), publications created."""
    SECURITY = 18
    """Row-level security, policies, grants and revokes."""
    COMMENTS = 19
    REMOVE_OBJECTS = 20
    """Functions, sequences, types, extensions and schemas B does not have: last, once
    nothing that stays uses them."""
    AFTER_TRANSACTION = 21
    """Statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY)."""


class HazardKind(IntEnum):
    """The classes of risk a statement can carry, most severe first."""

    DATA_LOSS = 0
    REWRITE = 1
    MAY_FAIL = 2
    SECURITY = 3


HAZARD_LABELS = {
    HazardKind.DATA_LOSS: "data loss",
    HazardKind.REWRITE: "rewrite or long lock",
    HazardKind.MAY_FAIL: "may fail on existing data",
    HazardKind.SECURITY: "security",
}
"""How each hazard class is named in comments and on stderr."""


@dataclass(frozen=True, slots=True)
class Hazard:
    """One risk of one statement, with a sentence saying why."""

    kind: HazardKind
    reason: str

    @property
    def label(self) -> str:
        return HAZARD_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement (ending with `;`) of the migration."""

    sql: str
    phase: Phase
    hazards: tuple[Hazard, ...] = ()
    target: str = ""
    """What the statement changes, e.g. `public.ventures.name`, for the hazard summary."""

    @property
    def loses_data(self) -> bool:
        return any(h.kind is HazardKind.DATA_LOSS for h in self.hazards)

    @property
    def outside_transaction(self) -> bool:
        return self.phase in (Phase.BEFORE_TRANSACTION, Phase.AFTER_TRANSACTION)


@dataclass
class Migration:
    """The statements turning catalog A into catalog B, with notes for the reader."""

    added: list[Statement] = field(default_factory=list)
    """In the order the writer added them (see `statements` for the order to run them)."""
    notes: list[str] = field(default_factory=list)
    """Things the SQL cannot say (a possible rename, a kind not written), one line each."""

    def add(self, phase: Phase, sql: str, *hazards: Hazard, target: str = "") -> None:
        self.added.append(Statement(sql, phase, tuple(hazards), target))

    @property
    def statements(self) -> list[Statement]:
        """Every statement in the order to run them (stable within a phase)."""
        return sorted(self.added, key=lambda s: s.phase)

    @property
    def is_empty(self) -> bool:
        return not self.added

    @property
    def hazards(self) -> list[tuple[Statement, Hazard]]:
        """Every hazard with its statement, most severe class first, then in run order."""
        pairs = [(s, h) for s in self.statements for h in s.hazards]
        return sorted(pairs, key=lambda pair: pair[1].kind)

    @property
    def loses_data(self) -> bool:
        return any(s.loses_data for s in self.added)
