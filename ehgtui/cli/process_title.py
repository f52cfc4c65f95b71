"""The process title (`ps`, /proc/PID/cmdline): the command line with its passwords masked.

Any local user can read another user's command line, so `ehgtui --dsn postgresql://u:pw@…`
would show `pw` for as long as the command (or the TUI) runs. The title is rewritten as soon
as the CLI starts, with every DSN masked as in messages. The original command line is visible
for the moment before that (the interpreter's start), which is why the README recommends
DATABASE_URL, `.env`, PGPASSWORD or ~/.pgpass over a password on the command line:
/proc/PID/environ is readable only by the same user.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

DSN_OPTION = "--dsn"


def masked_arguments(argv: Sequence[str]) -> list[str]:
    """argv with the password of every DSN masked (`--dsn X`, `--dsn=X`, or a bare URL)."""
    from ehgtui.db.settings import mask_dsn

    masked = []
    for arg in argv:
        name, equals, value = arg.partition("=")
        if equals and name == DSN_OPTION:
            masked.append(f"{name}={mask_dsn(value)}")
        else:
            masked.append(mask_dsn(arg))
    return masked


def _may_hold_a_password(arg: str) -> bool:
    return "://" in arg or "password" in arg.lower()


def hide_passwords(argv: Sequence[str] | None = None) -> bool:
    """Rewrite the process title when the command line holds a password; True if it did.

    Args:
        argv: The full command line (interpreter included); sys.orig_argv by default.
    """
    argv = list(sys.orig_argv if argv is None else argv)
    if not any(_may_hold_a_password(arg) for arg in argv):
        return False  # the common case costs neither the import nor the rewrite
    masked = masked_arguments(argv)
    if masked == argv:
        return False
    import setproctitle

    setproctitle.setproctitle(" ".join(masked))
    return True
