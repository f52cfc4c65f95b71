"""A policy's expression taken apart: its AND, OR and NOT branches, and what each part reads.

The expression is the server's own text of the policy (`pg_get_expr`), parsed with
PostgreSQL's parser (pglast), so a branch is exactly what the server evaluates. Each part
keeps its deparsed text, which the explainer evaluates on a row to show which branch failed,
and for the parts that are not AND, OR or NOT, what they read: the table's columns, the
argument-less calls that stand for the request (`auth.uid()`, `auth.role()`, `auth.jwt()`),
and the subqueries, whose results are worth showing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.enums import BoolExprType
from pglast.parser import ParseError
from pglast.stream import RawStream
from pglast.visitors import Skip, Visitor

_BOOL_KINDS = {
    BoolExprType.AND_EXPR: "and",
    BoolExprType.OR_EXPR: "or",
    BoolExprType.NOT_EXPR: "not",
}


@dataclass(frozen=True)
class PolicyPart:
    """One node of a policy expression's boolean structure."""

    text: str
    """The node as SQL (deparsed), evaluable on a row of the policy's table."""
    kind: str
    """`and`, `or`, `not`, or `test` for anything else (a comparison, a call, a subquery)."""
    children: tuple[PolicyPart, ...] = ()
    columns: tuple[str, ...] = ()
    """Columns of the policy's table a test reads (outside its subqueries)."""
    calls: tuple[str, ...] = ()
    """Argument-less function calls a test makes, e.g. `auth.uid()`."""
    subqueries: tuple[str, ...] = ()
    """The subqueries a test runs (outermost only), as SQL."""

    def walk(self) -> list[PolicyPart]:
        """This part and every part under it, parents first."""
        parts = [self]
        for child in self.children:
            parts.extend(child.walk())
        return parts


class _Reads(Visitor):
    """Collect the column references, argument-less calls and outermost subqueries of a test."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.calls: list[str] = []
        self.subqueries: list[str] = []

    def visit_SubLink(self, _ancestors: object, node: ast.SubLink) -> object:
        if node.subselect is not None:
            self.subqueries.append(RawStream()(node.subselect))
        if node.testexpr is not None:  # `organization_id IN (…)` reads organization_id
            self(node.testexpr)
        return Skip  # what the subquery itself reads belongs to other tables

    def visit_ColumnRef(self, _ancestors: object, node: ast.ColumnRef) -> None:
        fields = [f.sval for f in node.fields or () if isinstance(f, ast.String) and f.sval]
        if fields:
            self.columns.append(fields[-1])

    def visit_FuncCall(self, _ancestors: object, node: ast.FuncCall) -> None:
        if not node.args and not node.agg_star:
            self.calls.append(RawStream()(node))


def _part(node: ast.Node) -> PolicyPart:
    text = RawStream()(node)
    if isinstance(node, ast.BoolExpr) and node.boolop in _BOOL_KINDS:
        children = tuple(_part(arg) for arg in node.args or ())
        return PolicyPart(text, _BOOL_KINDS[node.boolop], children)
    reads = _Reads()
    reads(node)
    return PolicyPart(
        text,
        "test",
        columns=tuple(dict.fromkeys(reads.columns)),
        calls=tuple(dict.fromkeys(reads.calls)),
        subqueries=tuple(dict.fromkeys(reads.subqueries)),
    )


def policy_parts(expression: str) -> PolicyPart | None:
    """The boolean structure of a policy expression, or None when the parser cannot read it
    (a newer server's syntax): the explainer then shows the whole expression's result only."""
    try:
        statements = parse_sql(f"SELECT ({expression})")
    except ParseError:
        return None
    if len(statements) != 1:
        return None
    select = statements[0].stmt
    if not isinstance(select, ast.SelectStmt) or not select.targetList:
        return None
    target = select.targetList[0]
    if not isinstance(target, ast.ResTarget) or target.val is None:
        return None
    return _part(target.val)
