"""Exit statuses: part of the CLI's API, so scripts and CI can rely on them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What an ehgtui process tells its caller."""

    OK = 0
    FINDINGS = 1
    """A check found problems at error level, a diff found drift, or a table does not exist."""
    CONNECTION = 2
    """The database could not be reached, or the DSN is missing or malformed."""
    USAGE = 2
    """A bad option or argument (click's own convention)."""
    INTERRUPTED = 130
