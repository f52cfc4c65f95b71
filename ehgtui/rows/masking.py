"""Which columns hold secrets, so their values are replaced before they leave the server."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ehgtui.rows.settings import DEFAULT_SECRET_PATTERN

MASK = "••••••"
"""What a masked, non-null value shows instead of itself (NULL stays NULL: that is not secret)."""


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def is_secret(column_name: str, pattern: str = DEFAULT_SECRET_PATTERN) -> bool:
    """True when a column's name looks like it holds a secret (password, token, ...)."""
    return _compiled(pattern).search(column_name) is not None


def secret_columns(names: Iterable[str], pattern: str = DEFAULT_SECRET_PATTERN) -> frozenset[str]:
    """The names among `names` that are masked under `pattern`."""
    return frozenset(name for name in names if is_secret(name, pattern))
