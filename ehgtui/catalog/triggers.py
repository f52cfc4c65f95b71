"""Which triggers keep `updated_at` current: one definition for the checks and the templates.

A trigger function counts when its name, or the name or arguments of a BEFORE UPDATE FOR EACH
ROW trigger calling it anywhere in the catalog, mention `updated_at`. So `touch_row()` used by
a trigger `set_updated_at` on one table is recognised on every other table, while a status,
validation or audit trigger of the same shape is not.
"""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Trigger

UPDATED_AT_MARK = "updated_at"
"""What names a trigger, its function or its arguments as maintaining updated_at."""


def is_row_before_update(trigger: Trigger) -> bool:
    """A BEFORE UPDATE FOR EACH ROW trigger."""
    return trigger.timing == "BEFORE" and "UPDATE" in trigger.events and trigger.for_each == "ROW"


def names_updated_at(trigger: Trigger) -> bool:
    """The trigger's name, its function's name or one of its arguments mentions updated_at."""
    function_name = trigger.function.rsplit(".", 1)[-1]
    return any(
        UPDATED_AT_MARK in text for text in (trigger.name, function_name, *trigger.arguments)
    )


def updated_at_functions(catalog: Catalog) -> frozenset[str]:
    """Trigger functions (`schema.name`, as the model holds them) that maintain updated_at."""
    return frozenset(
        trigger.function
        for table in catalog.tables
        for trigger in table.triggers
        if is_row_before_update(trigger) and names_updated_at(trigger)
    )


def maintains_updated_at(trigger: Trigger, functions: frozenset[str]) -> bool:
    """The trigger keeps updated_at current (`functions` from `updated_at_functions`)."""
    return is_row_before_update(trigger) and (
        trigger.function in functions or names_updated_at(trigger)
    )
