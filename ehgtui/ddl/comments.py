"""`COMMENT ON` the relation, its columns and its constraints."""

from __future__ import annotations

from ehgtui.catalog.model import Constraint, Table
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
