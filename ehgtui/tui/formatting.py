"""Small text helpers shared by the tree and the detail pane: RLS markers, sizes, estimates.

RLS state is always shown as a symbol plus a word or colour, never colour alone, so that it
reads on monochrome terminals and to colour-blind users.
"""

from __future__ import annotations

from ehgtui.catalog.model import Table

RLS_ON = "●"
"""RLS enabled and at least one policy: rows are reachable through policies."""
RLS_NO_POLICIES = "○"
"""RLS enabled without any policy: every non-owner, non-bypass role sees nothing."""
RLS_OFF = "✗"
"""RLS disabled: every role with a grant sees every row."""
VIEW_MARK = "◇"
"""A view or materialized view (RLS does not apply to it the same way)."""
MISSING_MARK = "?"
"""A key table the README names that this database lacks."""

VOLATILE_PLACEHOLDER = "–"
"""Shown instead of sizes and row estimates in stable mode (snapshots, screenshots)."""


def rls_state(table: Table) -> str:
    """Return `on`, `no-policies`, `off` or `view`: the key for the marker and its style."""
    if table.is_view:
        return "view"
    if not table.rls_enabled:
        return "off"
    return "on" if table.policies else "no-policies"


RLS_MARKS: dict[str, str] = {
    "on": RLS_ON,
    "no-policies": RLS_NO_POLICIES,
    "off": RLS_OFF,
    "view": VIEW_MARK,
}
"""Marker symbol per RLS state."""

RLS_WORDS: dict[str, str] = {
    "on": "RLS on",
    "no-policies": "RLS on, no policies",
    "off": "RLS off",
    "view": "view",
}
"""Words per RLS state, for places with room for them."""


def one_line(text: str | None, limit: int = 200) -> str:
    """Collapse whitespace so an SQL expression fits a grid cell; cut very long ones."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
