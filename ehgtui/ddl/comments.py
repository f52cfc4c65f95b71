"""`COMMENT ON` the relation, its columns, constraints, indexes, triggers and policies."""

from __future__ import annotations

from ehgtui.catalog.model import Constraint, Index, Policy, Table, Trigger
from ehgtui.ddl.access import object_keyword
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal


def constraint_comment(table: Table, constraint: Constraint) -> list[str]:
    """`COMMENT ON CONSTRAINT`, to follow the statement that creates the constraint."""
    if constraint.comment is None:
        return []
    name = f"{quote_ident(constraint.name)} ON {qualified(table.schema, table.name)}"
    return [f"COMMENT ON CONSTRAINT {name} IS {quote_literal(constraint.comment)};"]


def comment_statements(table: Table) -> list[str]:
    """The relation's comment, its columns' comments in column order, then its CHECK
    constraints' (they all exist once CREATE TABLE and its NOT VALID additions ran)."""
    name = qualified(table.schema, table.name)
    statements = []
    if table.comment is not None:
        keyword = object_keyword(table)
        statements.append(f"COMMENT ON {keyword} {name} IS {quote_literal(table.comment)};")
    for column in table.columns:
        if column.comment is not None:
            target = f"{name}.{quote_ident(column.name)}"
            statements.append(f"COMMENT ON COLUMN {target} IS {quote_literal(column.comment)};")
    for constraint in table.constraints:
        if constraint.kind == "CHECK":
            statements += constraint_comment(table, constraint)
    return statements


def index_comment(table: Table, index: Index) -> list[str]:
    """`COMMENT ON INDEX`, to follow its CREATE INDEX (an index lives in its table's schema)."""
    if index.comment is None:
        return []
    name = qualified(table.schema, index.name)
    return [f"COMMENT ON INDEX {name} IS {quote_literal(index.comment)};"]


def trigger_comment(table: Table, trigger: Trigger) -> list[str]:
    """`COMMENT ON TRIGGER name ON table`, to follow its CREATE TRIGGER."""
    if trigger.comment is None:
        return []
    name = f"{quote_ident(trigger.name)} ON {qualified(table.schema, table.name)}"
    return [f"COMMENT ON TRIGGER {name} IS {quote_literal(trigger.comment)};"]


def policy_comment(table: Table, policy: Policy) -> list[str]:
    """`COMMENT ON POLICY name ON table`, to follow its CREATE POLICY."""
    if policy.comment is None:
        return []
    name = f"{quote_ident(policy.name)} ON {qualified(table.schema, table.name)}"
    return [f"COMMENT ON POLICY {name} IS {quote_literal(policy.comment)};"]
