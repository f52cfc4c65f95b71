"""EXPLAIN for the plan tree: the JSON rewrite keeps error positions, the tree reads the real
server's answer (on 18 and 15)."""

from __future__ import annotations

import asyncpg
import pytest

from ehgtui.query.errors import QueryFailedError
from ehgtui.query.plan import PlanNode, json_explain, plan_nodes
from ehgtui.query.run import QueryRequest, run_query
from ehgtui.query.settings import QuerySettings

SETTINGS = QuerySettings()


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("explain select 1", "explain (FORMAT JSON) select 1"),
        ("EXPLAIN ANALYZE select 1", "EXPLAIN (FORMAT JSON, ANALYZE) select 1"),
        ("explain analyze verbose select 1", "explain (FORMAT JSON, ANALYZE, VERBOSE) select 1"),
        ("explain (analyze, buffers) select 1", "explain (FORMAT JSON, analyze, buffers) select 1"),
    ],
)
def test_explain_asks_for_json(typed: str, sent: str) -> None:
    rewritten = json_explain(typed)
    assert rewritten is not None and rewritten.sql == sent


def test_an_own_format_and_a_select_are_left_alone() -> None:
    assert json_explain("explain (format text) select 1") is None
    assert json_explain("select 1") is None


async def test_a_server_error_position_maps_back_to_the_typed_text(pool: asyncpg.Pool) -> None:
    typed = "explain (analyze) select no_such_column from strategic_directives_v2"
    rewritten = json_explain(typed)
    assert rewritten is not None
    with pytest.raises(QueryFailedError) as failed:
        await run_query(pool, QueryRequest(rewritten.sql), SETTINGS)
    assert rewritten.typed_position(failed.value.position) == typed.index("no_such_column") + 1


async def test_the_tree_of_a_real_plan(pool: asyncpg.Pool) -> None:
    typed = (
        "explain (analyze, buffers) select s.id, count(h.id) from strategic_directives_v2 s "
        "left join sd_phase_handoffs h on h.sd_id = s.id where s.priority is not null "
        "group by s.id"
    )
    rewritten = json_explain(typed)
    assert rewritten is not None
    result = await run_query(pool, QueryRequest(rewritten.sql), SETTINGS)
    plan = plan_nodes(result.rows[0][0] or "")
    labels: list[str] = []

    def walk(node: PlanNode) -> None:
        labels.append(node.label)
        for child in node.children:
            walk(child)

    walk(plan.root)
    assert any("Aggregate" in label for label in labels)
    assert any("on strategic_directives_v2 s" in label for label in labels)
    assert any("Left Join" in label or "Right Join" in label for label in labels)
    assert "actual time=" in plan.root.figures and "cost=" in plan.root.figures
    assert any(line.startswith("Execution Time: ") for line in plan.summary)


def test_what_is_no_plan_is_refused() -> None:
    with pytest.raises(ValueError, match="not an EXPLAIN"):
        plan_nodes('{"a": 1}')
