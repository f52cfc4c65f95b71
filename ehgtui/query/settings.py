"""How the query pad behaves: its statement timeout, its row cap and its saved snippets.

Read from the `[query]` table of the configuration file (row access itself, the secret
pattern and `enabled` stay in `[rows]`: `[rows] enabled = false` switches the pad off too)::

    [query]
    statement_timeout = 30       # seconds
    max_rows = 10000             # rows fetched before the pad stops and offers more

    [query.snippets]
    open_handoffs = "select * from sd_phase_handoffs where status = 'pending'"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ehgtui.rows.settings import RowSettings, RowSettingsError, settings_from_config

DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30.0
"""Longer than a Rows page's: a query joins and aggregates, but still cannot hang the UI."""

DEFAULT_MAX_ROWS = 10_000
"""Rows a result holds before the pad stops fetching (more on demand, up to HARD_MAX_ROWS)."""

HARD_MAX_ROWS = 1_000_000
"""The most rows one result may ever hold: the pad is for looking, not for exporting."""


class QuerySettingsError(RowSettingsError):
    """The `[query]` configuration is malformed; the message names the key."""


@dataclass(frozen=True)
class QuerySettings:
    """Everything that governs a pad query; one frozen object passed down from the CLI/TUI."""

    rows: RowSettings = field(default_factory=RowSettings)
    """`enabled` and `secret_pattern` come from here; its timeout is replaced by ours."""
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    max_rows: int = DEFAULT_MAX_ROWS
    snippets: Mapping[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.rows.enabled

    @property
    def session_settings(self) -> RowSettings:
        """The row session's settings, with the pad's statement timeout."""
        return replace(self.rows, statement_timeout=self.statement_timeout)

    def with_overrides(self, **changes: Any) -> QuerySettings:
        """A copy with the given fields replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def disabled(self) -> QuerySettings:
        return replace(self, rows=self.rows.with_overrides(enabled=False))


def query_settings_from_config(raw: Mapping[str, Any]) -> QuerySettings:
    """Build QuerySettings from a parsed configuration file's top-level mapping."""
    rows = settings_from_config(raw)
    table = raw.get("query", {})
    if not isinstance(table, Mapping):
        raise QuerySettingsError("[query] must be a table")
    timeout = table.get("statement_timeout", DEFAULT_STATEMENT_TIMEOUT_SECONDS)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise QuerySettingsError("[query] statement_timeout must be a positive number of seconds")
    max_rows = table.get("max_rows", DEFAULT_MAX_ROWS)
    if (
        isinstance(max_rows, bool)
        or not isinstance(max_rows, int)
        or not 1 <= max_rows <= HARD_MAX_ROWS
    ):
        raise QuerySettingsError(
            f"[query] max_rows must be a whole number from 1 to {HARD_MAX_ROWS}"
        )
    snippets = table.get("snippets", {})
    if not isinstance(snippets, Mapping) or not all(isinstance(v, str) for v in snippets.values()):
        raise QuerySettingsError("[query.snippets] must map names to SQL text")
    return QuerySettings(
        rows=rows,
        statement_timeout=float(timeout),
        max_rows=max_rows,
        snippets=dict(snippets),
    )
