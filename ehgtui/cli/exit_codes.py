"""Exit statuses: part of the CLI's API, so scripts and CI can rely on them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What an ehgtui process tells its caller."""

    OK = 0
    FINDINGS = 1
    """A check found problems at error level, a diff found drift, or a table does not exist."""
    CONNECTION = 2
    """The database could not be reached, the connection was lost, or the DSN is malformed."""
    USAGE = 2
    """A bad option or argument (click's own convention), or a file that cannot be written."""
    DATA_LOSS_HELD = 3
    """`diff --sql` wrote data-losing statements commented out (no `--allow-data-loss`)."""
    INTERRUPTED = 130
    BROKEN_PIPE = 141
    """stdout's reader went away (`ehgtui tables | head`): 128 + SIGPIPE, as a shell reports."""
