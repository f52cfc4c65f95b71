"""Parse what the user typed with PostgreSQL's own parser (pglast), and say what it calls.

Two shapes of text, one rule: the text must be exactly the one thing it is meant to be (a
condition, or one SELECT statement), and what runs is the parser's deparsed form of it, never
the raw text, so that what runs is what was checked. Every function the text calls (select
list, FROM, subqueries, CTEs, filters) and every operator it uses are collected, so the server
can be asked how volatile they are (see `volatility`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, SubLinkType
from pglast.parser import ParseError, scan
from pglast.stream import RawStream
from pglast.visitors import Visitor

from ehgtui.usersql.errors import UserSqlSyntaxError

_CONDITION_PREFIX = "SELECT WHERE (\n"
"""The condition is parsed as the WHERE clause of an otherwise empty SELECT, on lines of its
own so that a trailing `--` comment ends at the closing parenthesis."""

_OPENING = {"ASCII_40": "(", "ASCII_91": "["}
_CLOSING = {"ASCII_41": "(", "ASCII_93": "["}
"""Scanner token names of the brackets that must balance inside a condition."""

_BETWEEN_OPERATORS = ("<", "<=", ">", ">=")
"""`x BETWEEN a AND b` (and its NOT and SYMMETRIC forms) compare with these operators."""

_OPERATOR_KINDS = frozenset(
    {
        A_Expr_Kind.AEXPR_OP,
        A_Expr_Kind.AEXPR_OP_ANY,
        A_Expr_Kind.AEXPR_OP_ALL,
        A_Expr_Kind.AEXPR_DISTINCT,
        A_Expr_Kind.AEXPR_NOT_DISTINCT,
        A_Expr_Kind.AEXPR_NULLIF,
        A_Expr_Kind.AEXPR_IN,
        A_Expr_Kind.AEXPR_LIKE,
        A_Expr_Kind.AEXPR_ILIKE,
        A_Expr_Kind.AEXPR_SIMILAR,
    }
)
"""Expression kinds whose `name` is the operator the server will look up."""


@dataclass(frozen=True, order=True)
class SqlName:
    """A function, operator or type as the text names it: unqualified (schema None) or not."""

    schema: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True)
class ParsedSql:
    """Text that parsed as what it had to be, in the form to run, with what it calls."""

    sql: str
    """The deparsed text: run this, not what was typed."""
    functions: frozenset[SqlName] = field(default_factory=frozenset)
    operators: frozenset[SqlName] = field(default_factory=frozenset)
    casts: frozenset[str] = field(default_factory=frozenset)
    """Type names cast to (`x::my_type`), as deparsed: casts can call functions too."""


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def syntax_error(exc: ParseError, what: str, offset: int = 0) -> UserSqlSyntaxError:
    """pglast's ParseError as one line naming the character (of the user's text, `offset`
    characters of our own wrapping taken off) where the parser stopped."""
    message = exc.args[0] if exc.args else str(exc)
    where, position = "", None
    if len(exc.args) > 1 and isinstance(exc.args[1], int):
        position = max(0, exc.args[1] - offset) + 1
        where = f" (at character {position} of the {what})"
    return UserSqlSyntaxError(f"the {what} does not parse: {_one_line(message)}{where}", position)


def _check_brackets(text: str) -> None:
    """Refuse a condition whose brackets do not balance: it could close ours and escape."""
    try:
        tokens = scan(text)
    except ParseError as exc:
        raise syntax_error(exc, "condition") from None
    depth: list[str] = []
    for token in tokens:
        if token.name in _OPENING:
            depth.append(_OPENING[token.name])
        elif token.name in _CLOSING:
            if not depth or depth.pop() != _CLOSING[token.name]:
                raise UserSqlSyntaxError(
                    f"the condition closes a bracket it did not open (at character "
                    f"{token.start + 1}): it must be one expression",
                    token.start + 1,
                )
        elif token.name == "ASCII_59":  # ';'
            raise UserSqlSyntaxError(
                "the condition must be one expression, without ';'", token.start + 1
            )
    if depth:
        raise UserSqlSyntaxError("the condition leaves a bracket open: it must be one expression")


def _name(parts: tuple[ast.String, ...] | None) -> SqlName:
    """The last two parts of a possibly qualified name (a database name before is ignored:
    the server refuses cross-database references itself)."""
    names = [p.sval or "" for p in parts or ()]
    return SqlName(names[-2] if len(names) > 1 else None, names[-1])


class _Calls(Visitor):
    """Collects every function call, operator and cast target anywhere in a tree."""

    def __init__(self) -> None:
        super().__init__()
        self.functions: set[SqlName] = set()
        self.operators: set[SqlName] = set()
        self.casts: set[str] = set()
        self.parameters: list[int] = []

    def visit_FuncCall(self, _ancestors: object, node: ast.FuncCall) -> None:  # noqa: N802
        self.functions.add(_name(node.funcname))

    def visit_A_Expr(self, _ancestors: object, node: ast.A_Expr) -> None:  # noqa: N802
        if node.kind in _OPERATOR_KINDS:
            self.operators.add(_name(node.name))
        else:  # the BETWEEN forms: their name is the keyword, the operators are implied
            self.operators.update(SqlName(None, op) for op in _BETWEEN_OPERATORS)

    def visit_SubLink(self, _ancestors: object, node: ast.SubLink) -> None:  # noqa: N802
        if node.operName:  # x = ANY (SELECT …), x < ALL (SELECT …)
            self.operators.add(_name(node.operName))
        elif node.subLinkType == SubLinkType.ANY_SUBLINK:  # x IN (SELECT …) compares with =
            self.operators.add(SqlName(None, "="))

    def visit_SortBy(self, _ancestors: object, node: ast.SortBy) -> None:  # noqa: N802
        if node.useOp:  # ORDER BY x USING <op>
            self.operators.add(_name(node.useOp))

    def visit_CaseExpr(self, _ancestors: object, node: ast.CaseExpr) -> None:  # noqa: N802
        if node.arg is not None:  # CASE x WHEN y compares with =
            self.operators.add(SqlName(None, "="))

    def visit_TypeCast(self, _ancestors: object, node: ast.TypeCast) -> None:  # noqa: N802
        if node.typeName is not None:
            self.casts.add(RawStream()(node.typeName))

    def visit_ParamRef(self, _ancestors: object, node: ast.ParamRef) -> None:  # noqa: N802
        self.parameters.append(node.number or 0)


def _collect(tree: ast.Node, sql: str, what: str) -> ParsedSql:
    calls = _Calls()
    calls(tree)
    if calls.parameters:
        raise UserSqlSyntaxError(
            f"the {what} cannot use parameters (${calls.parameters[0]}): write the value itself"
        )
    return ParsedSql(
        sql=sql,
        functions=frozenset(calls.functions),
        operators=frozenset(calls.operators),
        casts=frozenset(calls.casts),
    )


def _deparse(node: ast.Node, what: str) -> str:
    try:
        return str(RawStream()(node))
    except Exception as exc:  # pglast's printer does not cover every node  # noqa: BLE001
        raise UserSqlSyntaxError(f"cannot check this {what}: {_one_line(str(exc))}") from None


def parse_condition(text: str) -> ParsedSql:
    """Parse a WHERE condition: exactly one expression, or UserSqlSyntaxError (one line).

    The brackets of the text must balance on their own and it holds no `;`, so it cannot close
    the parenthesis it is put in and go on with SQL of its own (`true) UNION SELECT …`,
    `1=1; DROP TABLE …`); the parse is then checked to be nothing but that condition.
    """
    if not text.strip():
        raise UserSqlSyntaxError("the condition is empty")
    _check_brackets(text)
    wrapped = f"{_CONDITION_PREFIX}{text}\n)"
    try:
        statements = parse_sql(wrapped)
    except ParseError as exc:
        raise syntax_error(exc, "condition", len(_CONDITION_PREFIX)) from None
    stmt = statements[0].stmt if len(statements) == 1 else None
    if not isinstance(stmt, ast.SelectStmt) or stmt.whereClause is None or not _only_where(stmt):
        raise UserSqlSyntaxError("the condition must be one expression")
    condition = stmt.whereClause
    return _collect(condition, _deparse(condition, "condition"), "condition")


_EMPTY_SELECT = ast.SelectStmt(groupDistinct=False, all=False, limitOption=0, op=0)(skip_none=True)
"""`SELECT` with nothing after it, as the parser sees it: what a condition's parse must be
once its WHERE clause is taken away."""


def _only_where(stmt: ast.SelectStmt) -> bool:
    """Whether stmt is `SELECT WHERE (…)` and nothing else (no set operation, no clause)."""
    rest = stmt(skip_none=True)
    rest.pop("whereClause")
    return bool(rest == _EMPTY_SELECT)


class _Shape(Visitor):
    """Finds what a read-only SELECT may not hold anywhere inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.problem: str | None = None

    def visit_SelectStmt(self, _ancestors: object, node: ast.SelectStmt) -> None:  # noqa: N802
        if node.intoClause is not None:
            self.problem = "SELECT … INTO creates a table"
        elif node.lockingClause:
            self.problem = "FOR UPDATE / FOR SHARE locks rows"

    def visit_CommonTableExpr(self, _ancestors: object, node: ast.CommonTableExpr) -> None:  # noqa: N802
        if not isinstance(node.ctequery, ast.SelectStmt):
            self.problem = "a WITH query that is not a SELECT writes"


def check_select(stmt: ast.SelectStmt) -> ParsedSql:
    """A parsed SELECT checked to be a plain read (no INTO, no row locks, no writing WITH
    anywhere inside it), with its deparsed text and its calls; or UserSqlSyntaxError."""
    shape = _Shape()
    shape(stmt)
    if shape.problem:
        raise UserSqlSyntaxError(f"only plain reads run here: {shape.problem}")
    return _collect(stmt, _deparse(stmt, "statement"), "statement")


def parse_select(text: str) -> ParsedSql:
    """Parse one whole SELECT statement, or UserSqlSyntaxError (one line).

    Exactly one statement (a trailing `;` is fine), a SELECT (set operations, VALUES and WITH
    of SELECTs included), with no INTO, no row locks and no data-modifying WITH anywhere.
    `guard.parse_statement` takes EXPLAIN too and names what it refuses.
    """
    try:
        statements = parse_sql(text)
    except ParseError as exc:
        raise syntax_error(exc, "statement") from None
    if len(statements) != 1:
        raise UserSqlSyntaxError(
            f"one statement at a time, please: this text holds {len(statements)}"
        )
    stmt = statements[0].stmt
    if not isinstance(stmt, ast.SelectStmt):
        kind = type(stmt).__name__.removesuffix("Stmt").upper()
        raise UserSqlSyntaxError(f"only SELECT statements run here, not {kind}")
    return check_select(stmt)
