"""A whole statement the user typed into the query pad: one read, or refused.

What runs is a read: SELECT (with WITH, VALUES and TABLE, which parse as SELECT), or EXPLAIN
of one, ANALYZE included (the statement then runs, inside the read-only transaction that is
rolled back). Everything else is refused before anything is sent, by the parser's own
reading of the text: DELETE, COMMIT, SET ROLE, RESET, SET SESSION AUTHORIZATION, DISCARD,
DO, CALL, COPY… Text holding several statements is refused too: one statement, one
read-only transaction (the pad runs the statement under the cursor, so that is no burden).

The inner SELECT is checked by `parse.parse_select` (no INTO, no row locks, no writing WITH),
which also collects the calls the volatility check asks the server about.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.parser import ParseError, scan
from pglast.stream import RawStream

from ehgtui.usersql.errors import StatementRefusedError, UserSqlSyntaxError
from ehgtui.usersql.parse import ParsedSql, parse_select

READS = "SELECT, WITH, VALUES, TABLE and EXPLAIN"
"""What the pad runs, in words for its refusals."""


@dataclass(frozen=True)
class ReadStatement:
    """One statement that parsed as a read, in the form to run, with what it calls."""

    sql: str
    """The deparsed statement (EXPLAIN included when it is one): run this."""
    select: ParsedSql
    """The SELECT itself (under EXPLAIN when it is one), with its calls."""
    explain: bool = False
    analyze: bool = False
    """EXPLAIN ANALYZE: the SELECT runs to be measured."""

    @property
    def kind(self) -> str:
        if self.analyze:
            return "EXPLAIN ANALYZE"
        return "EXPLAIN" if self.explain else "SELECT"


def _first_words(text: str) -> str:
    """The statement's first keyword(s) (`DELETE`, `SET ROLE`), as the user would name it."""
    try:
        tokens = scan(text)
    except ParseError:
        return "this statement"
    words = [text[t.start : t.end + 1].upper() for t in tokens[:2] if t.name != "ASCII_59"]
    if words and words[0] in {"SET", "RESET", "ALTER", "CREATE", "DROP", "BEGIN", "START"}:
        return " ".join(words[:2])
    return words[0] if words else "this statement"


def _option_on(option: ast.DefElem) -> bool:
    """Whether an EXPLAIN option is switched on (`ANALYZE`, `ANALYZE true`, `ANALYZE on`)."""
    arg = option.arg
    if arg is None:
        return True
    if isinstance(arg, ast.Integer):
        return bool(arg.ival)
    return str(getattr(arg, "sval", "")).lower() not in {"false", "off", "no"}


def parse_read_statement(text: str) -> ReadStatement:
    """Parse text as the one read the pad may run, or raise UserSqlError (one line).

    StatementRefusedError for a statement that is not a read (or text with several),
    UserSqlSyntaxError for text that does not parse or a SELECT that is not a plain read.
    """
    try:
        statements = parse_sql(text)
    except ParseError as exc:
        message = " ".join(str(exc.args[0] if exc.args else exc).split())
        at = exc.args[1] + 1 if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        raise UserSqlSyntaxError(f"the statement does not parse: {message}", at) from None
    if not statements:
        raise UserSqlSyntaxError("there is no statement to run")
    if len(statements) > 1:
        raise StatementRefusedError(
            f"one statement at a time: this text holds {len(statements)} "
            "(each would need its own read-only transaction; run them one by one)"
        )
    raw = statements[0]
    stmt = raw.stmt
    if isinstance(stmt, ast.SelectStmt):
        select = parse_select(text)
        return ReadStatement(sql=select.sql, select=select)
    if isinstance(stmt, ast.ExplainStmt) and isinstance(stmt.query, ast.SelectStmt):
        inner = parse_select(RawStream()(stmt.query))
        analyze = any(o.defname == "analyze" and _option_on(o) for o in stmt.options or ())
        return ReadStatement(
            sql=str(RawStream()(stmt)), select=inner, explain=True, analyze=analyze
        )
    start = raw.stmt_location or 0
    what = _first_words(text[start:])
    if isinstance(stmt, ast.ExplainStmt) and stmt.query is not None:
        what = f"EXPLAIN of {_first_words(RawStream()(stmt.query))}"
    raise StatementRefusedError(
        f"refused: the query pad is read-only and runs only {READS}, not {what}"
    )


def statement_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each statement of text, split at the `;` the scanner sees.

    Semicolons in strings, quoted names, comments and dollar-quoted bodies do not split.
    Text the scanner cannot read (an unterminated string) is one span.
    """
    try:
        tokens = scan(text)
    except ParseError:
        return [(0, len(text))] if text.strip() else []
    spans: list[tuple[int, int]] = []
    start = 0
    for token in tokens:
        if token.name == "ASCII_59":
            spans.append((start, token.start))
            start = token.end + 1
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def statement_at(text: str, offset: int) -> tuple[int, int] | None:
    """The span of the statement the cursor at offset is in (or just after), None if none."""
    spans = statement_spans(text)
    before = None
    for start, end in spans:
        if start <= offset <= end + 1:
            return start, end
        if end < offset:
            before = (start, end)
    return before or (spans[0] if spans else None)
