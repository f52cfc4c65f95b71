"""Constraints added after `CREATE TABLE`: keys and exclusions, then foreign keys.

pg_dump adds them with `ALTER TABLE ONLY`. A partitioned table is the exception: there we
drop ONLY so that PostgreSQL recurses into partitions that are already attached, adopting a
partition's matching constraint (keeping its name) or creating one; with ONLY the parent's
index would stay invalid, and a foreign key refuses ONLY outright.
"""

from __future__ import annotations

from ehgtui.catalog.model import Constraint, Table
from ehgtui.ddl.comments import constraint_comment
from ehgtui.ddl.quote import qualified, quote_ident

KEY_KINDS = ("PRIMARY KEY", "UNIQUE", "EXCLUDE")
"""Constraints backed by an index."""


def alter_table(table: Table) -> str:
    """`ALTER TABLE ONLY name`, or without ONLY for a partitioned table (see module doc)."""
    only = "" if table.kind == "partitioned table" else "ONLY "
    return f"ALTER TABLE {only}{qualified(table.schema, table.name)}"


def add_constraint(table: Table, constraint: Constraint) -> list[str]:
    """`ALTER TABLE ... ADD CONSTRAINT name <pg_get_constraintdef()>`, and its comment; a key's
    storage parameters follow as pg_dump writes them: `PRIMARY KEY (id) WITH (fillfactor='90')`."""
    definition = constraint.definition
    if constraint.index_options:
        definition = _with_storage(constraint)
    add = f"{alter_table(table)}\n    ADD CONSTRAINT {quote_ident(constraint.name)} {definition};"
    return [add, *constraint_comment(table, constraint)]


def _with_storage(constraint: Constraint) -> str:
    """The key's definition with `WITH (...)` where the grammar (and pg_dump) puts it: after
    the columns and INCLUDE, before `DEFERRABLE [INITIALLY DEFERRED]`."""
    attributes = " DEFERRABLE" if constraint.deferrable else ""
    attributes += " INITIALLY DEFERRED" if constraint.deferred else ""
    definition = constraint.definition
    if attributes and definition.endswith(attributes):
        definition = definition[: -len(attributes)]
    else:
        attributes = ""
    return f"{definition} WITH ({constraint.index_options}){attributes}"


def key_constraints(table: Table) -> list[str]:
    """Primary key, unique and exclusion constraints.

    A partition's copies of its parent's keys are included: attaching adopts them, and
    writing them keeps their names (PostgreSQL would otherwise pick its own).
    """
    return [s for c in table.constraints if c.kind in KEY_KINDS for s in add_constraint(table, c)]


def foreign_keys(table: Table) -> list[str]:
    """Foreign keys declared on this table (a partition's inherited ones come with ATTACH)."""
    return [s for c in table.foreign_keys if c.is_local for s in add_constraint(table, c)]
