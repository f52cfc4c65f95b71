"""What the pad's parser lets run (one read) and what it refuses, without a server."""

from __future__ import annotations

import pytest

from ehgtui.query.errors import QueryRefusedError
from ehgtui.query.run import checked_statement
from ehgtui.usersql.statement import statement_at, statement_spans

REFUSED = {
    "delete from strategic_directives_v2": "not DELETE",
    "commit": "not COMMIT",
    "commit; delete from strategic_directives_v2": "this text holds 2",
    "select 1; select 2": "this text holds 2",
    "set role service_role": "not SET ROLE",
    "reset role": "not RESET ROLE",
    "set session authorization service_role": "not SET SESSION",
    "discard all": "not DISCARD",
    "do $$ begin delete from t; end $$": "not DO",
    "call p()": "not CALL",
    "copy t to program 'x'": "not COPY",
    "explain analyze delete from t": "not EXPLAIN of DELETE",
    "with d as (delete from t returning *) select * from d": "WITH query that is not a SELECT",
    "select * into t2 from t": "INTO creates a table",
    "select * from t for update": "FOR UPDATE",
    "prepare p as select 1": "not PREPARE",
    "listen x": "not LISTEN",
}


@pytest.mark.parametrize("sql", sorted(REFUSED))
def test_everything_but_one_read_is_refused_before_sending(sql: str) -> None:
    with pytest.raises(QueryRefusedError) as refused:
        checked_statement(sql)
    assert REFUSED[sql] in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("sql", "kind", "runs"),
    [
        ("select 1;", "SELECT", "SELECT 1"),
        ("values (1), (2)", "SELECT", "VALUES (1), (2)"),
        ("table strategic_directives_v2", "SELECT", "SELECT * FROM strategic_directives_v2"),
        ("with a as (select 1) select * from a", "SELECT", "WITH a AS (SELECT 1) SELECT * FROM a"),
        ("explain select 1", "EXPLAIN", "EXPLAIN SELECT 1"),
        ("explain (analyze, buffers) select 1", "EXPLAIN ANALYZE", "EXPLAIN (analyze, buffers)"),
        ("explain (analyze off) select 1", "EXPLAIN", "EXPLAIN (analyze off)"),
    ],
)
def test_reads_run_in_their_deparsed_form(sql: str, kind: str, runs: str) -> None:
    statement = checked_statement(sql)
    assert statement.kind == kind
    assert statement.sql.startswith(runs)


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(QueryRefusedError) as refused:
        checked_statement("select 1 frm strategic_directives_v2")
    assert refused.value.position == len("select 1 frm ") + 1


def test_statements_split_where_the_scanner_sees_semicolons() -> None:
    text = "select ';'; select $$;$$ -- ;\n; select 3"
    spans = statement_spans(text)
    assert [text[s:e].strip() for s, e in spans] == [
        "select ';'",
        "select $$;$$ -- ;",
        "select 3",
    ]
    assert text[slice(*statement_at(text, text.index("3")) or (0, 0))].strip() == "select 3"
    after_last = "select 1; select 2;   "
    span = statement_at(after_last, len(after_last))
    assert span is not None and after_last[span[0] : span[1]].strip() == "select 2"
    assert statement_at("   ", 1) is None
