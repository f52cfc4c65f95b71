"""EXPLAIN for the pad's plan tree: the statement asked for in JSON, the answer as nodes.

`json_explain` adds `FORMAT JSON` to an EXPLAIN the user typed (`EXPLAIN SELECT …`,
`EXPLAIN ANALYZE SELECT …`, `EXPLAIN (ANALYZE, BUFFERS) SELECT …`) by inserting words at
one place, so an error position the server reports in the rewritten text maps back to the
typed one. An EXPLAIN that names its own FORMAT is left alone (its text is shown as it is).
`plan_nodes` turns PostgreSQL's JSON plan into a tree of labelled nodes with their details,
the way `EXPLAIN` prints them, for any view to draw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import ParseError, scan

_OLD_STYLE_OPTIONS = frozenset({"ANALYZE", "ANALYSE", "VERBOSE"})
"""What may follow EXPLAIN without parentheses (PostgreSQL's older syntax)."""


@dataclass(frozen=True)
class JsonExplain:
    """The text to run, and where its words differ from the typed text."""

    sql: str
    at: int
    """0-based offset in the typed text after which positions are shifted."""
    shift: int
    """Characters the rewrite added there."""

    def typed_position(self, position: int | None) -> int | None:
        """A 1-based position in `sql` as a position in the typed text."""
        if position is None:
            return None
        if position - 1 < self.at:
            return position
        return max(self.at + 1, position - self.shift)


def json_explain(text: str) -> JsonExplain | None:
    """text (one EXPLAIN) asking for FORMAT JSON, or None when it is no EXPLAIN or names a
    FORMAT of its own."""
    try:
        tokens = scan(text)
    except ParseError:
        return None
    if not tokens or tokens[0].name != "EXPLAIN":
        return None
    if len(tokens) > 1 and tokens[1].name == "ASCII_40":
        depth = 0
        for token in tokens[1:]:
            depth += {"ASCII_40": 1, "ASCII_41": -1}.get(token.name, 0)
            if token.name == "FORMAT" and depth == 1:
                return None
            if depth == 0:
                break
        at = tokens[1].end + 1
        words = "FORMAT JSON, "
        return JsonExplain(text[:at] + words + text[at:], at, len(words))
    options = []
    for token in tokens[1:]:
        if token.name not in _OLD_STYLE_OPTIONS:
            break
        options.append(token)
    start = tokens[0].end + 1
    end = options[-1].end + 1 if options else start
    words = ", ".join(["FORMAT JSON", *(text[t.start : t.end + 1].upper() for t in options)])
    inserted = f" ({words})"
    return JsonExplain(text[:start] + inserted + text[end:], start, len(inserted) - (end - start))


@dataclass(frozen=True)
class PlanNode:
    """One node of a plan: what it does (`Seq Scan on public.t s`), its figures and details."""

    label: str
    figures: str
    """`cost=0.00..1.60 rows=60 width=8`, then the actual figures when ANALYZE ran."""
    details: tuple[str, ...] = ()
    """Filter, Index Cond, Sort Key, Buffers… one line each, as EXPLAIN names them."""
    children: tuple[PlanNode, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A whole EXPLAIN (FORMAT JSON) answer."""

    root: PlanNode
    summary: tuple[str, ...] = field(default_factory=tuple)
    """Planning Time, Execution Time, Triggers…"""


_DETAIL_KEYS = (
    "Filter",
    "Index Cond",
    "Recheck Cond",
    "Hash Cond",
    "Merge Cond",
    "Join Filter",
    "One-Time Filter",
    "Sort Key",
    "Presorted Key",
    "Group Key",
    "Sort Method",
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
    "Heap Fetches",
    "Workers Planned",
    "Workers Launched",
    "Subplan Name",
    "CTE Name",
    "Output",
)
"""Node keys shown as detail lines, in EXPLAIN's text order."""

_BUFFER_KEYS = (
    ("Shared Hit Blocks", "shared hit"),
    ("Shared Read Blocks", "read"),
    ("Shared Dirtied Blocks", "dirtied"),
    ("Shared Written Blocks", "written"),
    ("Local Hit Blocks", "local hit"),
    ("Temp Read Blocks", "temp read"),
    ("Temp Written Blocks", "temp written"),
)


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _node_name(node: dict[str, Any]) -> str:
    """`Hash Left Join`, `Nested Loop Anti Join`, `HashAggregate`: as EXPLAIN's text says."""
    name = str(node.get("Node Type", "?"))
    join = node.get("Join Type")
    if join and join != "Inner":
        if name == "Nested Loop":
            return f"{name} {join} Join"
        if name.endswith(" Join"):
            return f"{name[: -len(' Join')]} {join} Join"
    strategy = node.get("Strategy")
    if name == "Aggregate" and strategy in ("Hashed", "Sorted", "Mixed"):
        return {"Hashed": "HashAggregate", "Sorted": "GroupAggregate", "Mixed": "MixedAggregate"}[
            strategy
        ]
    return name


def _label(node: dict[str, Any]) -> str:
    parts = [_node_name(node)]
    if node.get("Parent Relationship") == "SubPlan" and node.get("Subplan Name"):
        parts.insert(0, f"{node['Subplan Name']}:")
    if node.get("Scan Direction") == "Backward":
        parts.append("Backward")
    if node.get("Index Name"):
        parts.append(f"using {node['Index Name']}")
    if node.get("Relation Name"):
        schema = node.get("Schema")
        relation = f"{schema}.{node['Relation Name']}" if schema else node["Relation Name"]
        parts.append(f"on {relation}")
        if node.get("Alias") and node["Alias"] != node["Relation Name"]:
            parts.append(str(node["Alias"]))
    elif node.get("CTE Name"):
        parts.append(f"on {node['CTE Name']}")
    elif node.get("Function Name"):
        parts.append(f"on {node['Function Name']}")
    return " ".join(parts)


def _figures(node: dict[str, Any]) -> str:
    figures = []
    if "Total Cost" in node:
        figures.append(
            f"cost={node.get('Startup Cost', 0):.2f}..{node['Total Cost']:.2f} "
            f"rows={node.get('Plan Rows', '?')} width={node.get('Plan Width', '?')}"
        )
    if "Actual Total Time" in node:
        figures.append(
            f"actual time={node.get('Actual Startup Time', 0):.3f}..{node['Actual Total Time']:.3f}"
            f" rows={node.get('Actual Rows', '?')} loops={node.get('Actual Loops', '?')}"
        )
    elif "Actual Rows" in node:  # ANALYZE without TIMING
        figures.append(f"actual rows={node['Actual Rows']} loops={node.get('Actual Loops', '?')}")
    if node.get("Actual Loops") == 0:
        figures.append("never executed")
    return " · ".join(figures)


def _details(node: dict[str, Any]) -> tuple[str, ...]:
    lines = [f"{key}: {_value_text(node[key])}" for key in _DETAIL_KEYS if key in node]
    buffers = [f"{words}={node[key]}" for key, words in _BUFFER_KEYS if node.get(key)]
    if buffers:
        lines.append("Buffers: " + " ".join(buffers))
    return tuple(lines)


def _node(node: dict[str, Any]) -> PlanNode:
    children = tuple(_node(child) for child in node.get("Plans", ()) if isinstance(child, dict))
    return PlanNode(_label(node), _figures(node), _details(node), children)


def plan_nodes(answer: str) -> Plan:
    """EXPLAIN (FORMAT JSON)'s one value as a Plan.

    Raises:
        ValueError: the text is not such an answer.
    """
    data = json.loads(answer)
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        raise ValueError("not an EXPLAIN (FORMAT JSON) answer")
    top = data[0]
    if not isinstance(top.get("Plan"), dict):
        raise ValueError("not an EXPLAIN (FORMAT JSON) answer")
    summary = []
    for key in ("Planning Time", "Execution Time"):
        if key in top:
            summary.append(f"{key}: {top[key]:.3f} ms")
    planning = top.get("Planning")
    if isinstance(planning, dict) and planning.get("Shared Hit Blocks") is not None:
        summary.append(f"Planning buffers: shared hit={planning.get('Shared Hit Blocks')}")
    for trigger in top.get("Triggers", ()) or ():
        if isinstance(trigger, dict):
            summary.append(
                f"Trigger {trigger.get('Trigger Name')}: time={trigger.get('Time')} "
                f"calls={trigger.get('Calls')}"
            )
    return Plan(_node(top["Plan"]), tuple(summary))
