"""Triggers, and their firing state when it is not the default."""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Table, Trigger
from ehgtui.ddl.comments import trigger_comment
from ehgtui.ddl.quote import qualified, quote_ident

STATE_CLAUSES = {
    "ENABLED": "ENABLE TRIGGER",
    "DISABLED": "DISABLE TRIGGER",
    "REPLICA": "ENABLE REPLICA TRIGGER",
    "ALWAYS": "ENABLE ALWAYS TRIGGER",
}
"""pg_trigger.tgenabled (as the model names it) to the ALTER TABLE clause that sets it."""


def _set_state(table: Table, trigger: Trigger) -> str:
    """`ALTER TABLE ONLY ... <state> TRIGGER name`; ONLY keeps a parent's partitions as they are."""
    clause = STATE_CLAUSES.get(trigger.enabled, "ENABLE TRIGGER")
    name = qualified(table.schema, table.name)
    return f"ALTER TABLE ONLY {name} {clause} {quote_ident(trigger.name)};"


def _parent_state(table: Table, trigger: Trigger, catalog: Catalog) -> str:
    """The state of the parent's trigger a partition's clone was made from."""
    parent = catalog.table(table.partition_of) if table.partition_of else None
    for candidate in parent.triggers if parent else ():
        if candidate.name == trigger.name:
            return candidate.enabled
    return "ENABLED"


def trigger_statements(table: Table, catalog: Catalog) -> list[str]:
    """`CREATE TRIGGER` (from `pg_get_triggerdef()`), its comment, and state changes.

    A partition's clones of its parent's triggers are made by ATTACH PARTITION, so only their
    state is written, whenever it is not plainly ENABLED or differs from the parent's: that
    holds whether the clone was made before or after the parent's own state was set.
    """
    statements = []
    for trigger in table.triggers:
        if trigger.is_inherited:
            parent_state = _parent_state(table, trigger, catalog)
            if trigger.enabled != "ENABLED" or trigger.enabled != parent_state:
                statements.append(_set_state(table, trigger))
            continue
        statements.append(trigger.definition + ";")
        statements += trigger_comment(table, trigger)
        if trigger.enabled != "ENABLED":
            statements.append(_set_state(table, trigger))
    return statements
