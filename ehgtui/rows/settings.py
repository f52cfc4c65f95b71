"""How the row path behaves: on/off, statement timeout, page size and the secret pattern.

Read from the `[rows]` table of the configuration file, e.g.::

    [rows]
    enabled = true
    statement_timeout = 5        # seconds
    limit = 100
    secret_pattern = "password|secret|api_?key|private_?key|(^|_)token(_hash)?$"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_STATEMENT_TIMEOUT_SECONDS = 5.0
"""Long enough for an indexed page, short enough that a bad condition cannot hang the UI."""

DEFAULT_LIMIT = 100
"""Rows per page when nobody says otherwise."""

MAX_LIMIT = 10_000
"""The most rows one page may hold: pages are for looking at, not for exporting tables."""

DEFAULT_SECRET_PATTERN = r"password|secret|api_?key|private_?key|(^|_)token(_hash)?$"
"""Column names matching this (case-insensitively) are masked: password, secret, api key and
private key anywhere in the name; `token` as the last word (`api_token`, `access_token`) or
`token_hash`, so that counters such as `token_count` and `max_tokens` stay visible."""

DEFAULT_COUNT_CAP = 10_000
"""The access matrix counts visible rows up to this many, then says `10,000+`."""


class RowSettingsError(ValueError):
    """The `[rows]` configuration is malformed; the message names the key."""


@dataclass(frozen=True)
class RowSettings:
    """Everything that governs reading rows; one frozen object passed down from the CLI/TUI."""

    enabled: bool = True
    """False switches every row read off (the access matrix then omits its counts)."""
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    """Seconds a row statement may run before the server cancels it."""
    limit: int = DEFAULT_LIMIT
    """Default page size."""
    secret_pattern: str = DEFAULT_SECRET_PATTERN
    """Regular expression for the names of columns to mask."""
    count_cap: int = DEFAULT_COUNT_CAP
    """Where the access matrix stops counting."""

    def with_overrides(self, **changes: Any) -> RowSettings:
        """A copy with the given fields replaced (for values typed on the command line)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def settings_from_config(raw: Mapping[str, Any]) -> RowSettings:
    """Build RowSettings from a parsed configuration file's top-level mapping."""
    table = raw.get("rows", {})
    if not isinstance(table, Mapping):
        raise RowSettingsError("[rows] must be a table")
    settings = RowSettings()
    enabled = table.get("enabled", settings.enabled)
    if not isinstance(enabled, bool):
        raise RowSettingsError("[rows] enabled must be true or false")
    timeout = table.get("statement_timeout", settings.statement_timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise RowSettingsError("[rows] statement_timeout must be a positive number of seconds")
    limit = table.get("limit", settings.limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise RowSettingsError(f"[rows] limit must be a whole number from 1 to {MAX_LIMIT}")
    pattern = table.get("secret_pattern", settings.secret_pattern)
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:
        message = f"[rows] secret_pattern is not a regular expression: {exc}"
        raise RowSettingsError(message) from None
    return RowSettings(
        enabled=enabled, statement_timeout=float(timeout), limit=limit, secret_pattern=pattern
    )
