"""Which result columns of a pad query are masked, as the Rows tab masks a table's columns.

A result column is masked when its name looks like a secret (the `[rows]` secret pattern),
and also when the select list names a secret column under another name
(`SELECT password AS p`): the parser's tree says which column each output comes from. A
secret that goes through an expression (`upper(password)`) is not recognised; it is the
user's own statement, typed on purpose.
"""

from __future__ import annotations

from pglast import ast, parse_sql

from ehgtui.rows.masking import is_secret


def _leftmost_select(stmt: ast.Node | None) -> ast.SelectStmt | None:
    """The SELECT whose select list names a set operation's columns (`a UNION b`: a's)."""
    while isinstance(stmt, ast.SelectStmt) and stmt.larg is not None:
        stmt = stmt.larg
    return stmt if isinstance(stmt, ast.SelectStmt) else None


def aliased_secret_positions(select_sql: str, pattern: str) -> frozenset[int]:
    """Positions (0-based) of outputs that are a secret-looking column under another name.

    Only the outputs before the first `*` are placed with certainty; a `*` expands to the
    table's own column names, which the name check sees anyway.
    """
    stmt = _leftmost_select(parse_sql(select_sql)[0].stmt)
    if stmt is None or not stmt.targetList:
        return frozenset()
    positions: set[int] = set()
    for index, target in enumerate(stmt.targetList):
        value = target.val if isinstance(target, ast.ResTarget) else None
        if not isinstance(value, ast.ColumnRef):
            continue
        last = value.fields[-1] if value.fields else None
        if isinstance(last, ast.A_Star):
            break
        if isinstance(last, ast.String) and is_secret(last.sval or "", pattern):
            positions.add(index)
    return frozenset(positions)


def masked_positions(names: list[str], select_sql: str, pattern: str) -> frozenset[int]:
    """Positions of the result columns whose values must not leave the server."""
    by_name = {i for i, name in enumerate(names) if is_secret(name, pattern)}
    return frozenset(by_name) | aliased_secret_positions(select_sql, pattern)
